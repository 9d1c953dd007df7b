"""Case keys: unlock and lock, the officer's own key, institution key setup, grants, recovery, the access log."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import crypto, forms, intake, selectors, services, unlock
from cases.access_log_display import access_log_lines
from cases.models import (
    AccessAction,
    KeyGrant,
    OfficerKey,
)
from cases.views._common import (
    KEY_ROLES,
    no_store,
    staff_render,
    unlocked,
)
from r2dr import permissions as scope
from r2dr.models import Membership


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def unlock_view(request, institution_slug):
    institution = request.institution
    form = forms.UnlockForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith(
        "/"
    ):
        next_url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    if (
        request.method == "POST"
        and intake.unlock_failures(request.user.pk) >= intake.limits()["unlock_failures_per_hour"]
    ):
        form = forms.UnlockForm()
        messages.error(request, _("Too many wrong passphrases. Try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        try:
            keyring_id, private = services.keyring_unlock(
                institution=institution, user=request.user, passphrase=form.cleaned_data["passphrase"]
            )
        except crypto.DecryptionError:
            intake.count_unlock_failure(request.user.pk)
            form.add_error("passphrase", _("This passphrase does not unlock your case key, or you have no access yet."))
        else:
            response = redirect(next_url)
            unlock.store(request, response, institution, keyring_id, private)
            # New reports get their keyed name digests and word index now, and repeat attacks are flagged without
            # waiting.
            services.case_names_index_pending(institution=institution, institution_private=private, by=request.user)
            services.case_words_index_pending(institution=institution, institution_private=private)
            messages.success(request, _("Case keys unlocked for 15 minutes of activity."))
            return response
    return staff_render(
        request,
        "cases/staff_unlock.html",
        {"form": form, "next": next_url, "has_key": selectors.officer_key_for(institution, request.user) is not None},
    )


@scope.institution(*KEY_ROLES)
@require_POST
def lock_view(request, institution_slug):
    response = redirect("cases_keys", institution_slug=request.institution.slug)
    unlock.clear(request, response, request.institution)
    messages.success(request, _("Case keys locked."))
    return response


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def keys_view(request, institution_slug):
    institution = request.institution
    keyring = selectors.active_keyring(institution)
    my_key = selectors.officer_key_for(institution, request.user)
    officer_keys = OfficerKey.objects.for_institution(institution).select_related("user").order_by("created_at")
    grants = (
        KeyGrant.objects.for_institution(institution)
        .filter(keyring=keyring, revoked_at__isnull=True)
        .select_related("officer_key__user", "granted_by")
        if keyring
        else []
    )
    granted_ids = {g.officer_key_id for g in grants}
    entitled = set(
        Membership.objects.filter(institution=institution, role__in=KEY_ROLES).values_list("user_id", flat=True)
    )
    for g in grants:
        g.stale = g.officer_key.user_id not in entitled
    return staff_render(
        request,
        "cases/staff_keys.html",
        {
            "keyring": keyring,
            "my_key": my_key,
            "my_grant": my_key and my_key.pk in granted_ids,
            "grants": grants,
            "ungranted": [k for k in officer_keys if k.pk not in granted_ids and k.user_id in entitled],
            "passphrase_form": forms.OfficerPassphraseForm(user=request.user),
        },
    )


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
@require_POST
def my_key_create(request, institution_slug):
    institution = request.institution
    form = forms.OfficerPassphraseForm(request.POST, user=request.user)
    if selectors.officer_key_for(institution, request.user):
        messages.info(request, _("You already have a case key."))
    elif form.is_valid():
        services.officer_key_create(
            institution=institution, user=request.user, passphrase=form.cleaned_data["passphrase"]
        )
        messages.success(request, _("Your case key was created. A colleague who is unlocked can now grant you access."))
    else:
        for error in form.errors.values():
            messages.error(request, error[0])
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def my_key_passphrase(request, institution_slug):
    """Change the case passphrase, or (when it is lost) replace the officer's key."""
    institution = request.institution
    my_key = selectors.officer_key_for(institution, request.user)
    if my_key is None:
        return redirect("cases_keys", institution_slug=institution.slug)
    form = forms.PassphraseChangeForm(
        request.POST if request.POST.get("action") == "change" else None, user=request.user
    )
    if request.method == "POST" and request.POST.get("action") == "replace":
        if request.POST.get("confirm_replace"):
            services.officer_key_replace(institution=institution, user=request.user)
            response = redirect("cases_keys", institution_slug=institution.slug)
            unlock.clear(request, response, institution)
            messages.success(
                request, _("Your old key was removed. Create a new one; a colleague must grant it access.")
            )
            return response
        messages.error(request, _("Tick the box to confirm."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.officer_passphrase_change(
                officer_key=my_key, old=form.cleaned_data["current"], new=form.cleaned_data["passphrase"]
            )
        except crypto.DecryptionError:
            form.add_error("current", _("This is not your current case passphrase."))
        else:
            services.access_log_append(institution=institution, user=request.user, action=AccessAction.PASSPHRASE)
            messages.success(request, _("Your case passphrase was changed."))
            return redirect("cases_keys", institution_slug=institution.slug)
    return staff_render(request, "cases/staff_passphrase.html", {"form": form})


@scope.institution(*KEY_ROLES)
@no_store
@require_POST
def keys_setup(request, institution_slug):
    institution = request.institution
    my_key = selectors.officer_key_for(institution, request.user)
    if selectors.active_keyring(institution) is not None or my_key is None:
        messages.error(request, _("Create your own case key first; institution keys can be set up only once."))
        return redirect("cases_keys", institution_slug=institution.slug)
    kit = services.keyring_setup(institution=institution, by=request.user, officer_key=my_key)
    kit_file = _(
        "r2dr recovery kit for %(institution)s\n\n%(kit)s\n\nKeep this offline (printed, in a safe). Anyone holding "
        "it can open every case of the institution. It is not stored anywhere else and cannot be shown again.\n"
    ) % {"institution": institution, "kit": kit}
    uri = "data:text/plain;charset=utf-8;base64," + base64.b64encode(kit_file.encode()).decode()
    return staff_render(request, "cases/staff_kit.html", {"kit": kit, "kit_uri": uri})


@scope.institution(*KEY_ROLES)
@no_store
@require_POST
@unlocked(back="cases_keys")
def grant_create(request, institution_slug, *, private):
    institution = request.institution
    okey = OfficerKey.objects.for_institution(institution).filter(pk=request.POST.get("officer_key_id") or 0).first()
    if (
        okey is None
        or not request.access.has(institution, *KEY_ROLES)
        or not okey.user.memberships.filter(institution=institution, role__in=KEY_ROLES).exists()
    ):
        messages.error(request, _("This person cannot be given access."))
    else:
        services.key_grant_create(
            institution=institution, by=request.user, institution_private=private, officer_key=okey
        )
        messages.success(request, _("Access granted to %(email)s.") % {"email": okey.user.email})
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@no_store
def grant_revoke(request, institution_slug, grant_id):
    institution = request.institution
    grant = get_object_or_404(
        KeyGrant.objects.for_institution(institution).select_related("officer_key__user"), pk=grant_id
    )
    if request.method != "POST":
        return staff_render(request, "cases/staff_revoke.html", {"grant": grant})
    return _grant_revoke(request, grant=grant)


@unlocked
def _grant_revoke(request, *, grant, private):
    institution = request.institution
    if grant.revoked_at is None:
        new_keyring, new_private = services.key_grant_revoke(
            institution=institution, by=request.user, institution_private=private, grant=grant
        )
        response = redirect("cases_keys", institution_slug=institution.slug)
        if grant.officer_key.user_id == request.user.pk:
            unlock.clear(request, response, institution)
        else:
            unlock.store(request, response, institution, new_keyring.pk, new_private)
            # Every case's name digests and words belong to the old key: index them under the new one now.
            services.case_names_index_pending(institution=institution, institution_private=new_private, by=request.user)
            services.case_words_index_pending(institution=institution, institution_private=new_private)
        messages.success(request, _("Access revoked; the institution key was rotated and every case key re-sealed."))
        return response
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def recover_view(request, institution_slug):
    institution = request.institution
    form = forms.RecoverForm(request.POST or None)
    my_key = selectors.officer_key_for(institution, request.user)
    if request.method == "POST" and form.is_valid():
        if my_key is None:
            form.add_error(None, _("Create your own case key first."))
        else:
            try:
                services.key_grant_recover(
                    institution=institution, by=request.user, kit_text=form.cleaned_data["kit"], officer_key=my_key
                )
            except (crypto.DecryptionError, services.KeysNotReady):
                form.add_error("kit", _("This is not the recovery kit of this institution's keys."))
            else:
                messages.success(request, _("Access restored with the recovery kit. Unlock with your case passphrase."))
                return redirect("cases_unlock", institution_slug=institution.slug)
    return staff_render(request, "cases/staff_recover.html", {"form": form, "my_key": my_key})


@scope.institution(*KEY_ROLES)
@no_store
def access_log(request, institution_slug):
    institution = request.institution
    entries = access_log_lines(
        selectors.access_entries(institution)[:500],
        filter_form_factory=lambda: forms.InboxFilterForm(officers=list(selectors.case_officers(institution))),
    )
    return staff_render(
        request,
        "cases/staff_access_log.html",
        {"entries": entries, "chain_ok": selectors.verify_access_log(institution)},
    )
