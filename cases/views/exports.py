"""Exports made inside the officer's request (never through Celery, which must not see plaintext case data or
keys): the per-case PDF, the UN communication draft and the inbox CSV. What each contains is decided in
cases/exports.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from cases import crypto, exports, forms, plaintext, selectors, services, unlock
from cases.models import UN_SECTION_MAX_CHARS, UN_SECTIONS
from cases.views._common import (
    inbox_filters,
    no_store,
    staff_render,
    unlocked_case,
)
from r2dr import permissions as scope
from r2dr.roles import Role

AUDIT_ACTION = "export.case_file"


@scope.institution(Role.CASE_OFFICER)
@no_store
@sensitive_variables("private", "key", "content", "pdf")
@unlocked_case
def case_file(request, institution_slug, *, case, private, key):
    """GET: choose the version. POST (variant=internal|un|protection): download it."""
    institution = request.institution
    # Restricted cases: only the officers named on them; anyone else gets the same 404 as for a missing case.
    variants = exports.case_file_variants(case)
    if request.method != "POST":
        return render(request, "cases/case_pdf_choose.html", {"case": case, "variants": variants, "unlocked": True})
    variant = request.POST.get("variant", "")
    try:
        content = exports.case_file(case=case, case_key=key, purpose=variant)
    except exports.NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("cases_case_file", institution_slug=institution.slug, case_id=case.pk)
    except crypto.DecryptionError:
        messages.error(request, _("This case's content cannot be decrypted (benchmark data, or damaged)."))
        return redirect("cases_case_file", institution_slug=institution.slug, case_id=case.pk)
    pdf = exports.case_file_pdf(
        content=content, institution=institution, exported_by=request.user, exported_at=timezone.now()
    )
    # Opaque references only: the case's random reference and which version, never content.
    services.access_log_append(
        institution=institution,
        user=request.user,
        action=AUDIT_ACTION if variant == exports.CASE_FILE_INTERNAL else f"{AUDIT_ACTION}.shareable",
        case=case,
        detail=variant,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The reference is random and names no one; the variant tells the officer which copy may leave the office.
    name = "internal" if variant == exports.CASE_FILE_INTERNAL else f"shareable-{variant}"
    response["Content-Disposition"] = f'attachment; filename="case-file-{case.reference}-{name}.pdf"'
    return response


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@sensitive_variables("private", "key", "draft", "pdf", "sections")
@unlocked_case
def case_un_communication(request, institution_slug, *, case, private, key):
    """The draft communication to UN Special Procedures: every section editable and kept (encrypted) as the officer
    saves it; as PDF (?format=pdf, or "Save and download PDF") once nothing keeps it from being sent. Made in this
    request."""
    institution = request.institution
    here = reverse("cases_un_communication", kwargs={"institution_slug": institution.slug, "case_id": case.pk})
    try:
        draft = exports.un_communication_draft(case=case, case_key=key)
    except exports.NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "discard":
        if services.un_draft_discard(case=case, by=request.user):
            messages.success(request, _("Your edits were discarded: the draft starts again from the case record."))
        return redirect(here)
    initial = {f"section_{n}": text for n, text in enumerate(draft["sections"], start=1)}
    form = forms.UnCommunicationForm(request.POST or None, titles=draft["titles"], initial=initial)
    problems = draft["problems"]
    if request.method == "POST" and form.is_valid():
        sections = form.sections()
        services.un_draft_save(case=case, case_key=key, by=request.user, sections=sections)
        problems = exports.un_draft_problems(case=case, case_key=key, sections=sections, named=draft["named"])
        if action != "pdf":
            messages.success(request, _("Draft saved. Only officers who can open this case can read it."))
            return redirect(here)
        if not problems:
            return _un_communication_pdf(request, case, exports.un_draft_elements(draft, sections))
        messages.error(request, _("Your draft was saved, but it is not ready to send: see the sections marked below."))
    elif request.method == "POST":
        messages.error(request, _("A section is longer than %(n)d characters.") % {"n": UN_SECTION_MAX_CHARS})
    elif request.GET.get("format") == "pdf":
        if problems:
            messages.error(request, _("The draft is not ready to send: see the sections marked below."))
            return redirect(here)
        return _un_communication_pdf(request, case, exports.un_draft_elements(draft))
    else:
        services.access_log_append(
            institution=institution, user=request.user, action="export.un_communication", case=case
        )
    for n, found in problems.items():
        # Each textarea names the remarks about it, for screen readers.
        form.fields[f"section_{n + 1}"].widget.attrs["aria-describedby"] = " ".join(
            f"id_section_{n + 1}_problem{i}" for i in range(1, len(found) + 1)
        )
    reported = {} if draft["named"] else plaintext.case_private(case, key)
    return staff_render(
        request,
        "cases/staff_un_communication.html",
        {
            "case": case,
            "draft": draft,
            "sections": [(form[f"section_{n + 1}"], problems.get(n, [])) for n in range(UN_SECTIONS)],
            "ready": not problems,
            "reported": reported,
        },
    )


def _un_communication_pdf(request, case, elements: dict) -> HttpResponse:
    institution = request.institution
    services.access_log_append(
        institution=institution, user=request.user, action="export.un_communication.pdf", case=case
    )
    pdf = exports.un_communication_pdf(case=case, draft=elements, institution=institution)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="un-communication-{case.reference}.pdf"'
    return response


@scope.institution(Role.CASE_OFFICER)
@no_store
def cases_export_csv(request, institution_slug):
    """CSV of the inbox (same filters), made in this request; names only where consented and unlocked."""
    institution = request.institution
    form = forms.InboxFilterForm(request.GET or None, officers=list(selectors.case_officers(institution)))
    cases = (
        selectors.case_inbox(institution=institution, user=request.user, **inbox_filters(request, form))
        .prefetch_related("defender_groups", "consents")
        .defer(None)
    )
    private = unlock.private_key(request, institution) if request.GET.get("identities") else None
    text = exports.cases_csv(cases=cases, private_key=private)
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="export.csv",
        object_type="case_list",
        data={"rows": text.count("\n") - 1, "identities": private is not None},
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response
