"""The per-case PDF (the case file): chosen on a small page, built with WeasyPrint inside the officer's request
(never through Celery, which must not see plaintext case data or keys), served as a download that no cache keeps.
What each version contains, and which consent allows a shareable one, is decided in cases/exports.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from cases import crypto, exports, plaintext, selectors, services, unlock
from cases.views import no_store
from r2dr import permissions as scope
from r2dr.roles import Role

AUDIT_ACTION = "export.case_file"


@scope.institution(Role.CASE_OFFICER)
@no_store
@sensitive_variables("private", "key", "content", "pdf")
def case_file(request, institution_slug, case_id):
    """GET: choose the version. POST (variant=internal|un|protection): download it."""
    institution = request.institution
    # Restricted cases: only the officers named on them; anyone else gets the same 404 as for a missing case.
    case = get_object_or_404(selectors.cases_visible_to(institution, request.user), pk=case_id)
    private = unlock.private_key(request, institution)
    if private is None:
        url = reverse("cases_unlock", kwargs={"institution_slug": institution.slug})
        return redirect(f"{url}?next={request.path}")
    variants = exports.case_file_variants(case)
    if request.method != "POST":
        return render(request, "cases/case_pdf_choose.html", {"case": case, "variants": variants, "unlocked": True})
    variant = request.POST.get("variant", "")
    key = plaintext.case_key_for_officer(case, private)
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
