"""The case page and its actions: triage, workflow steps, sources, restriction, links, files, legal hold."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import crypto, duplicates, forms, intake, plaintext, selectors, services
from cases.models import (
    AccessAction,
    Case,
    CaseAttachment,
    CaseLink,
    Direction,
    Status,
)
from cases.views._common import (
    case_or_404,
    is_case_officer,
    no_store,
    staff_render,
    submitter_followup_url,
    unlocked_case,
)
from r2dr import permissions as scope
from r2dr.notifications.services import notifications_mark_read
from r2dr.roles import Role

logger = logging.getLogger(__name__)


@scope.institution(Role.CASE_OFFICER, Role.INSTITUTION_HEAD)
@sensitive_post_parameters()
@no_store
@unlocked_case
def case_detail(request, institution_slug, *, case, private, key):
    """The case page. Reading it writes nothing but the audit entry and the reader's notifications for this page
    (now read): names are indexed and repeat attacks detected when an officer unlocks, records or merges cases, not
    when a page is opened.

    The institution head reads an escalated case here (case_or_404 admits no other), with their own grant of the
    key, unlocked; read only: no action, no other case (links, possible duplicates) is shown to them."""
    read_only = not is_case_officer(request)
    if read_only and request.method != "GET":
        raise PermissionDenied
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.message_add(
            case=case,
            case_key=key,
            direction=Direction.INSTITUTION,
            body=form.cleaned_data["body"],
            author=request.user,
        )
        services.access_log_append(
            institution=case.institution, user=request.user, action=AccessAction.REPLY, case=case
        )
        services.case_submitter_notify(case=case, case_key=key, followup_url=submitter_followup_url(request, case))
        messages.success(request, _("Reply sent. The person who reported can read it with their receipt code."))
        return redirect("cases_detail", institution_slug=case.institution.slug, case_id=case.pk)
    services.access_log_append(institution=case.institution, user=request.user, action=AccessAction.VIEW, case=case)
    notifications_mark_read(institution=case.institution, recipient=request.user, link=request.path)
    try:
        content = _case_content(case, key)
        content["possible_duplicates"] = (
            [] if read_only else _possible_duplicates(request, case, content["data"], private)
        )
    except crypto.DecryptionError:
        # Benchmark rows share one payload, or the data was damaged: say so instead of failing.
        logger.warning("case %s: content does not decrypt", case.pk)
        messages.error(request, _("This case's content cannot be decrypted (benchmark data, or damaged)."))
        content = {"data": {}, "possible_duplicates": [], **dict.fromkeys(CONTENT_LISTS, [])}
    page = _case_page(case)
    if read_only:
        page["links"] = []
    return staff_render(request, "cases/staff_detail.html", {**content, **page, "form": form, "read_only": read_only})


CONTENT_LISTS = ("thread", "attachments", "history", "sources", "interventions")


def _case_content(case: Case, key: bytes) -> dict:
    """Everything on the page that is decrypted with the case key."""
    return {
        "data": plaintext.case_private(case, key),
        "thread": [
            {
                "direction": m.direction,
                "at": m.created_at,
                "text": plaintext.message_text(case, key, m),
                "author": m.author,
            }
            for m in case.messages.select_related("author")
        ],
        "attachments": [{"obj": a, "meta": plaintext.attachment_meta(case, key, a)} for a in case.attachments.all()],
        "history": [
            {"step": t, "reason": plaintext.transition_reason(case, key, t)}
            for t in case.transitions.select_related("by")
        ],
        "sources": [{"obj": x, "text": plaintext.source_text(case, key, x)} for x in case.sources.all()],
        "interventions": [
            {"obj": i, "text": plaintext.intervention_text(case, key, i)}
            for i in case.interventions.select_related("mechanism")
        ],
    }


def _case_page(case: Case) -> dict:
    """The clear fields, links and the forms of the case page's actions."""
    institution = case.institution
    allowed = selectors.allowed_transitions(case)
    return {
        "case": case,
        "country": selectors.country_name(case.country_code),
        "consents": selectors.current_consents(case).values(),
        "violation_types": case.violation_types.all(),
        "defender_groups": case.defender_groups.all(),
        "perpetrator_types": case.perpetrator_types.all(),
        "rights": case.rights.all(),
        "transition_form": forms.TransitionForm(allowed=allowed),
        "can_move": bool(allowed),
        "source_form": forms.SourceForm(),
        "links": selectors.case_links(case),
        "intervention_form": forms.InterventionForm(institution=institution),
        "restrict_form": forms.RestrictForm(
            officers=selectors.case_officers(institution),
            initial={"officers": [a.user_id for a in case.named_officers.all()]},
        ),
        "merge_form": forms.MergeForm(),
        "triage_form": forms.TriageForm(initial={"urgency": case.urgency, "repeat_attack": case.repeat_attack}),
    }


def _possible_duplicates(request, case, data, private) -> list[dict]:
    """Candidates narrowed by clear fields and keyed name digests, then fuzzy-matched on decrypted names."""

    names = "\n".join(filter(None, [data.get("affected_names", ""), data.get("organisation", "")]))
    out = []
    for row in selectors.duplicate_candidates(case=case, user=request.user):
        other = row["case"]
        similar = row["same_name"]
        if not similar and names:
            try:
                theirs = plaintext.case_private(other, plaintext.case_key_for_officer(other, private))
            except crypto.DecryptionError:
                theirs = {}
            other_names = "\n".join(filter(None, [theirs.get("affected_names", ""), theirs.get("organisation", "")]))
            similar = duplicates.similar(names, other_names)
        out.append({"case": other, "same_name": row["same_name"], "similar_name": similar})
    if out:
        services.access_log_append(
            institution=case.institution, user=request.user, action="duplicate_check", case=case, detail=str(len(out))
        )
    out.sort(key=lambda r: (not r["same_name"], not r["similar_name"]))
    return out


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_triage(request, institution_slug, case_id):
    case = case_or_404(request, case_id)
    form = forms.TriageForm(request.POST)
    if form.is_valid():
        services.case_triage(
            case=case,
            by=request.user,
            urgency=form.cleaned_data["urgency"],
            repeat_attack=form.cleaned_data["repeat_attack"],
        )
        messages.success(request, _("Urgency and flags saved."))
    else:
        messages.error(request, _("Choose an urgency level."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@require_POST
@unlocked_case(back="cases_detail")
def case_transition(request, institution_slug, *, case, private, key):
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next step and say why."))
    else:
        try:
            services.case_transition(case=case, case_key=key, by=request.user, **form.service_kwargs())
        except services.TransitionRefused as refused:
            messages.error(request, str(refused))
        else:
            services.case_submitter_notify(
                case=case, case_key=key, followup_url=submitter_followup_url(request, case)
            )  # a status e-mail without content, to identified submitters
            messages.success(
                request, _("Case moved to “%(status)s”.") % {"status": Status(form.cleaned_data["to_status"]).label}
            )
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@require_POST
@unlocked_case(back="cases_detail")
def case_source_add(request, institution_slug, *, case, private, key):
    form = forms.SourceForm(request.POST)
    if form.is_valid():
        services.source_add(case=case, case_key=key, by=request.user, **form.cleaned_data)
        messages.success(request, _("Source recorded."))
    else:
        messages.error(request, _("Describe the source and its reliability."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_restrict(request, institution_slug, case_id):
    case = case_or_404(request, case_id)
    form = forms.RestrictForm(request.POST, officers=selectors.case_officers(request.institution))
    if form.is_valid():
        services.case_restrict(case=case, by=request.user, officers=form.cleaned_data["officers"])
        if case.restricted:
            messages.success(request, _("Only the named officers can now see this case."))
        else:
            messages.success(request, _("Every case officer can see this case again."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_link(request, institution_slug, case_id):
    case = case_or_404(request, case_id)
    other = (
        selectors.cases_visible_to(request.institution, request.user)
        .filter(reference=request.POST.get("other", "").strip().upper())
        .exclude(pk=case.pk)
        .first()
    )
    kind = request.POST.get("kind")
    if other is None or kind not in CaseLink.Kind.values:
        messages.error(request, _("Choose a case of this institution and how it is linked."))
    else:
        services.case_link(case=case, other=other, kind=kind, by=request.user)
        messages.success(request, _("Cases linked."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@no_store
@unlocked_case
def case_attachment(request, institution_slug, attachment_id, *, case, private, key, original=False):
    institution = case.institution
    attachment = get_object_or_404(CaseAttachment.objects.for_institution(institution), pk=attachment_id, case=case)
    meta = plaintext.attachment_meta(case, key, attachment)
    name = "".join(ch for ch in meta.get("name", "file") if ch.isalnum() or ch in "._- ")[:100] or "file"
    if attachment.kind == "image" and not original:
        services.access_log_append(institution=institution, user=request.user, action=AccessAction.FILE, case=case)
        try:
            data = intake.strip_image_metadata(
                plaintext.attachment_plaintext(case, key, attachment), attachment.content_type
            )
        except intake.ImageUnreadable:
            # Stored before uploads were checked, or damaged since: the original stays downloadable as evidence.
            return staff_render(
                request, "cases/staff_image_unavailable.html", {"case": case, "attachment": attachment, "name": name}
            )
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    services.access_log_append(
        institution=institution,
        user=request.user,
        action=AccessAction.FILE_ORIGINAL,
        case=case,
        detail=str(attachment.pk),
    )
    file_key = plaintext.attachment_key(case, key, attachment)
    fh = default_storage.open(attachment.storage_name, "rb")
    response = StreamingHttpResponse(crypto.stream_decrypt(file_key, fh), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_attachment_original(request, institution_slug, case_id, attachment_id):
    return case_attachment(request, institution_slug, case_id=case_id, attachment_id=attachment_id, original=True)


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_legal_hold(request, institution_slug, case_id):
    case = case_or_404(request, case_id)
    hold = request.POST.get("hold") == "on"
    services.case_legal_hold(case=case, by=request.user, hold=hold)
    messages.success(request, _("Legal hold set.") if hold else _("Legal hold lifted."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)
