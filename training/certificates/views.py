"""Certificate pages: the public verification page (with its JSON and the upload check), the issuer profile and
the revocation status list; the learner's certificates and module PDFs; the facilitators' list and revocation."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from r2dr import permissions as scope
from r2dr.roles import Role
from training.certificates import credential, pdf, selectors, services
from training.certificates.models import STATUS_LIST_SIZE, Certificate
from training.certificates.uploads import MAX_UPLOAD_BYTES, DigestUploadHandler
from training.models import Enrolment, Lesson, Module
from training.rendering import markdown_html
from training.selectors.learner import learner_enrolment, module_in_course

NOINDEX = "noindex, nofollow, noarchive"


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    # A withdrawal or a revocation shows at once: no copy of the page is kept anywhere.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _certificate_or_404(code: str) -> Certificate:
    try:
        return selectors.certificate_by_code(code=code)
    except Certificate.DoesNotExist as exc:
        raise Http404 from exc


def public_fields(certificate: Certificate) -> dict:
    """What anyone may learn from a code: the certificate's printed fields and the issued file's digest, or,
    once the learner withdrew public verification, only that."""
    if certificate.public_withdrawn:
        return {"code": certificate.code, "publicly_verifiable": False}
    return {
        "code": certificate.code,
        "publicly_verifiable": True,
        "status": "revoked" if certificate.revoked else "valid",
        "revoked_on": certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        "name": certificate.name,
        "institution": certificate.institution_name,
        "course": certificate.course_title,
        "cohort": certificate.cohort_title,
        "completed_on": certificate.completed_on.isoformat(),
        "issuer": certificate.issuer,
        "pdf_sha256": certificate.pdf_sha256,
        "verify_url": credential.verify_url(certificate.code),
        "issuer_profile": credential.issuer_id(),
    }


@scope.public
@csrf_exempt  # a read that stores and changes nothing, so there is nothing to forge; see `verify_page`
def verify_page(request, code):
    """The public verification page. Its POST compares an uploaded file's SHA-256 with the issued PDF's: the
    hashing handler is installed before the body is read (which CSRF middleware would otherwise do first, with
    Django's handlers, which keep the file in memory or in /tmp)."""
    certificate = _certificate_or_404(code)
    check = None
    if request.method == "POST" and not certificate.public_withdrawn:
        handler = DigestUploadHandler(request)
        request.upload_handlers = [handler]
        request.POST  # noqa: B018  (reading the body runs the handler)
        if handler.too_big:
            check = "too_big"
        elif handler.sha256 is None:
            check = "missing"
        else:
            check = "issued" if handler.sha256 == certificate.pdf_sha256 else "not_issued"
    context = {
        "certificate": certificate,
        "fields": public_fields(certificate),
        "check": check,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return _public(render(request, "certificates/verify.html", context, status=413 if check == "too_big" else 200))


@scope.public
def verify_json(request, code):
    certificate = _certificate_or_404(code)
    return _public(JsonResponse(public_fields(certificate), json_dumps_params={"ensure_ascii": False}))


@scope.public
def issuer_profile(request):
    response = JsonResponse(credential.issuer_profile(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json"
    return response


@scope.public
def status_list(request):
    """The revocation Bitstring Status List credential (a VC-JWT), signed on each request so it is never stale."""
    now = timezone.now()
    token = credential.status_list_jwt(
        revoked_indexes=selectors.revoked_status_indexes(),
        size=STATUS_LIST_SIZE,
        valid_from=now.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        not_before=int(now.timestamp()),
    )
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Cache-Control"] = "no-cache"
    return response


# --- the learner --------------------------------------------------------------


def _own(request, certificate_id) -> Certificate:
    try:
        return selectors.learner_certificate(
            institution=request.institution, user=request.user, certificate_id=certificate_id
        )
    except Certificate.DoesNotExist as exc:
        raise Http404 from exc


@scope.institution(Role.TRAINEE)
def certificates_mine(request, institution_slug):
    return render(
        request,
        "certificates/mine.html",
        {"certificates": selectors.learner_certificates(institution=request.institution, user=request.user)},
    )


@scope.institution(Role.TRAINEE)
def certificate_pdf(request, institution_slug, certificate_id):
    certificate = _own(request, certificate_id)
    response = HttpResponse(services.certificate_pdf_bytes(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@scope.institution(Role.TRAINEE)
def certificate_credential(request, institution_slug, certificate_id):
    """The Open Badges 3.0 credential as a VC-JWT (`?format=json` for its decoded payload, to read)."""
    certificate = _own(request, certificate_id)
    if request.GET.get("format") == "json":
        payload = credential.jws_payload(certificate.credential_jwt)
        return HttpResponse(json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json")
    response = HttpResponse(certificate.credential_jwt, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="credential-{certificate.code}.jwt"'
    return response


@scope.institution(Role.TRAINEE)
@require_POST
def certificate_public(request, institution_slug, certificate_id):
    certificate = _own(request, certificate_id)
    withdrawn = request.POST.get("public") != "on"
    services.certificate_withdraw(certificate=certificate, withdrawn=withdrawn)
    if withdrawn:
        messages.success(request, _("Public verification is withdrawn: the page now says only that it is not public."))
    else:
        messages.success(request, _("Anyone with the code can verify your certificate again."))
    return redirect("certificates_mine", institution_slug=request.institution.slug)


@scope.institution(Role.TRAINEE)
def module_pdf(request, institution_slug, enrolment_id, module_id):
    """A module's lessons as one PDF, to read offline (in the learner's language, where translated). Before the
    cohort opens only the syllabus shows, so there is no PDF of its lessons either."""
    try:
        enrolment = learner_enrolment(institution=request.institution, user=request.user, enrolment_id=enrolment_id)
        module = module_in_course(course=enrolment.cohort.course, module_id=module_id)
    except (Enrolment.DoesNotExist, Module.DoesNotExist) as exc:
        raise Http404 from exc
    if enrolment.cohort.phase(timezone.now()) == "before":
        raise Http404
    lessons: list[Lesson] = list(module.lessons.order_by("position"))
    items = [
        {
            "lesson": lesson,
            "title": lesson.tr("title"),
            "body": markdown_html(lesson.tr("body")),
            "transcript": markdown_html(lesson.tr("transcript")) if lesson.transcript else "",
        }
        for lesson in lessons
    ]
    data = pdf.pdf_render(
        "certificates/pdf/module.html",
        {"course": enrolment.cohort.course, "module": module, "lessons": items},
        language=request.LANGUAGE_CODE.split("-")[0],
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="module-{module.number}.pdf"'
    return response


# --- facilitators --------------------------------------------------------------


@scope.regional(Role.FACILITATOR, tenant_data=True)
def certificates_cohort(request, cohort_id):
    return render(
        request,
        "certificates/cohort.html",
        {"certificates": selectors.cohort_certificates(cohort_id=cohort_id), "cohort_id": cohort_id},
    )


@scope.regional(Role.FACILITATOR, tenant_data=True)
@require_POST
def certificate_revoke(request, certificate_id):
    try:
        certificate = selectors.facilitator_certificate(certificate_id=certificate_id)
    except Certificate.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.certificate_revoke(certificate=certificate, by=request.user, reason=request.POST.get("reason", ""))
    except services.CertificateRefused:
        messages.error(request, _("Give a reason to revoke a certificate."))
    else:
        messages.success(request, _("The certificate is revoked; verifiers now see it as revoked."))
    cohort_id = certificate.enrolment.cohort_id if certificate.enrolment else None
    if cohort_id:
        return redirect("certificates_cohort", cohort_id=cohort_id)
    return redirect("training_cohorts")
