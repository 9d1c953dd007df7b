"""Staff case handling beyond the inbox and case page: saved inbox views, cases staff record themselves, and
merging a duplicate into its main case."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from cases import forms, selectors, services, unlock
from cases.models import SavedInboxView
from cases.views import _split, _staff_render, _unlock_redirect, no_store
from r2dr import permissions as scope
from r2dr.roles import Role

# --- saved inbox views -------------------------------------------------------------------------------------


def _inbox_url(institution, query: str = "") -> str:
    url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    return f"{url}?{query}" if query else url


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def saved_view_save(request, institution_slug):
    """Save the inbox's current filters under a name (the filters are validated again, never stored raw)."""
    institution = request.institution
    form = forms.SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name (80 characters at most)."))
        return redirect(_inbox_url(institution, request.POST.get("query", "")[:600]))
    filters = forms.InboxFilterForm(
        QueryDict(form.cleaned_data["query"]), officers=selectors.case_officers(institution)
    )
    if not filters.is_valid():
        messages.error(request, _("These filters are not valid any more; correct them and save again."))
        return redirect(_inbox_url(institution))
    query = filters.query()
    SavedInboxView.objects.for_institution(institution).update_or_create(
        institution=institution,
        user=request.user,
        name=form.cleaned_data["name"].strip(),
        defaults={"query": query, "shared": form.cleaned_data["shared"]},
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": form.cleaned_data["name"].strip()})
    return redirect(_inbox_url(institution, query))


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def saved_view_delete(request, institution_slug, saved_view_id):
    """Officers delete their own views (a shared view belongs to whoever saved it)."""
    institution = request.institution
    view = get_object_or_404(
        SavedInboxView.objects.for_institution(institution).filter(user=request.user), pk=saved_view_id
    )
    name = view.name
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect(_inbox_url(institution))


# --- cases staff record themselves -------------------------------------------------------------------------


def _record_forms(request, institution):
    data = request.POST if request.method == "POST" else None
    steps = [cls(data=data, institution=institution, prefix=cls.step) for cls in forms.STEPS]
    for step in steps:
        step.fields.pop("urgent", None)  # staff set the urgency level itself, in the first section
    who = steps[0].fields
    who["submitter_is_victim"].label = _("Did the affected person tell the institution themselves?")
    who["submitter_is_victim"].initial = "no"
    who["relationship"].label = _("If not, who told the institution (a role, not a name)?")
    return forms.StaffRecordForm(data, prefix="record"), steps


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@sensitive_variables("clear", "private", "steps", "cleaned")
@no_store
def case_record(request, institution_slug):
    """One page, every field of the public form plus where the case came from; encrypted like a report."""
    institution = request.institution
    private_key = unlock.private_key(request, institution)
    if private_key is None:
        return _unlock_redirect(request)
    if selectors.active_keyring(institution) is None:
        messages.error(request, _("Set up the institution's case keys first."))
        return redirect("cases_keys", institution_slug=institution.slug)
    record, steps = _record_forms(request, institution)
    if request.method == "POST" and record.is_valid() and all(f.is_valid() for f in steps):
        cleaned = {f.step: f.cleaned_data for f in steps}
        clear, private, consents, wording = _split(cleaned)
        clear.pop("urgent", None)
        clear["urgency"] = record.cleaned_data["urgency"]  # case_submit derives the `urgent` flag from it
        wording = {kind: _("Recorded by staff from the source: %(w)s") % {"w": text} for kind, text in wording.items()}
        case, code = services.case_record(
            institution=institution,
            by=request.user,
            institution_private=private_key,
            clear=clear,
            private=private,
            consents=consents,
            consent_wording=wording,
            language=translation.get_language() or "en",
            origin=record.cleaned_data["origin"],
            source_kind=record.cleaned_data["source_kind"],
            reliability=record.cleaned_data["reliability"],
            source_description=record.cleaned_data["source_description"],
        )
        return _staff_render(request, "cases/staff_recorded.html", {"case": case, "code": code})
    errors = request.method == "POST"
    if errors:
        messages.error(request, _("Some answers need attention: see the messages beside the fields."))
    return _staff_render(request, "cases/staff_record.html", {"record": record, "steps": steps, "errors": errors})


# --- merging -----------------------------------------------------------------------------------------------


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_merge(request, institution_slug, case_id):
    institution = request.institution
    visible = selectors.cases_visible_to(institution, request.user)
    case = get_object_or_404(visible, pk=case_id)
    private_key = unlock.private_key(request, institution)
    if private_key is None:
        return _unlock_redirect(request)
    form = forms.MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = visible.filter(reference=form.cleaned_data["into"]).exclude(pk=case.pk).first()
    if into is None:
        messages.error(request, _("Give the reference of another case of this institution that you can see."))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    try:
        copied = services.case_merge(duplicate=case, into=into, by=request.user, institution_private=private_key)
    except services.MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    messages.success(
        request,
        _("Case %(dup)s was merged into %(main)s: %(n)d source(s) copied; %(dup)s is closed and kept.")
        % {"dup": case.reference, "main": into.reference, "n": copied},
    )
    return redirect("cases_detail", institution_slug=institution.slug, case_id=into.pk)
