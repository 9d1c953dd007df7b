"""Exports made inside the officer's request (never through Celery, which must not see plaintext case data or
keys): the per-case PDF, the UN communication draft and the inbox CSV. What each contains is decided in
cases/exports.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from cases import crypto, exports, forms, selectors, services, unlock
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
@no_store
@unlocked_case
def case_un_communication(request, institution_slug, *, case, private, key):
    """The draft communication to UN Special Procedures, as text and (?format=pdf) as PDF, made in this request."""
    institution = request.institution
    try:
        draft = exports.un_communication(case=case, case_key=key)
    except exports.NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    as_pdf = request.GET.get("format") == "pdf"
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="export.un_communication" + (".pdf" if as_pdf else ""),
        case=case,
    )
    if as_pdf:
        pdf = exports.un_communication_pdf(case=case, draft=draft, institution=institution)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="un-communication-{case.reference}.pdf"'
        return response
    return staff_render(request, "cases/staff_un_communication.html", {"case": case, "draft": draft})


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
