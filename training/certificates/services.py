"""Every write of certificates: issuing (idempotent), the learner's withdrawal of public verification, a
facilitator's revocation, and what a learner's erasure does to their certificates."""

from __future__ import annotations

import base64
import datetime
import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from r2dr.models import Institution
from r2dr.notifications.selectors import language_of, notification_preference_of
from training.certificates import credential, pdf
from training.certificates.models import STATUS_LIST_SIZE, Certificate
from training.models import Enrolment, EnrolmentStatus

logger = logging.getLogger(__name__)


class CertificateRefused(Exception):
    pass


@dataclass
class _Draft:
    certificate: Certificate
    pdf: bytes
    course_key: str
    course_summary: str
    build_seconds: float


def certificate_code() -> str:
    """A verification code of 128 bits: base32 of 16 random bytes, lower case, without padding (26 characters)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


def _learner_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def _store(relative: str, data: bytes) -> None:
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    # A reader (the download view, a second attempt) never sees half a file.
    os.replace(partial, target)


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The issued file as stored (its SHA-256 is `certificate.pdf_sha256`)."""
    return (Path(settings.MEDIA_ROOT) / certificate.pdf_path).read_bytes()


def certificate_issue(*, institution: Institution | int, enrolment_id: int) -> Certificate:
    """Issue the certificate of a completed enrolment, or return the one already issued: any number of calls,
    concurrent or not, yield one certificate (the enrolment row is locked while it is made, and the enrolment is
    unique on the certificate)."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.for_institution(institution)
            .select_for_update(of=("self",))
            .select_related("cohort__course", "institution", "user")
            .get(pk=enrolment_id)
        )
        existing = Certificate.objects.for_institution(institution).filter(enrolment=enrolment).first()
        if existing is not None:
            return existing
        if enrolment.status != EnrolmentStatus.COMPLETED or enrolment.completed_at is None:
            raise CertificateRefused("the enrolment is not completed")
        draft = _certificate_draft(enrolment)
        certificate = draft.certificate
        _store(certificate.pdf_path, draft.pdf)
        for _attempt in range(20):
            certificate.status_index = secrets.randbelow(STATUS_LIST_SIZE)
            try:
                with transaction.atomic():
                    _sign(draft)
                    certificate.save()
                break
            except IntegrityError:
                # Another certificate holds that index (the enrolment itself is locked, so not a second issue).
                continue
        else:
            raise CertificateRefused("no free status list index")
    logger.info("certificate issued: PDF of %d bytes built in %.2f s", len(draft.pdf), draft.build_seconds)
    return certificate


def _certificate_draft(enrolment: Enrolment) -> _Draft:
    institution = enrolment.institution
    language = language_of(notification_preference_of(institution=institution, user=enrolment.user), institution)
    cohort = enrolment.cohort
    completed_at = enrolment.completed_at
    assert completed_at is not None
    code = certificate_code()
    course = cohort.course
    certificate = Certificate(
        institution=institution,
        enrolment=enrolment,
        code=code,
        name=_learner_name(enrolment.user),
        institution_name=institution.tr("name", language),
        course_title=course.tr("title", language),
        cohort_title=cohort.tr("title", language),
        completed_on=completed_at.astimezone(cohort.zone).date(),
        issuer=settings.R2DR_CERTIFICATE_ISSUER,
        language=language,
        issued_at=timezone.now(),
        pdf_path=f"certificates/institution-{institution.pk}/{code}.pdf",
    )
    started = time.perf_counter()
    data = pdf.pdf_render(
        "certificates/pdf/certificate.html",
        {
            "certificate": certificate,
            "qr": pdf.qr_data_uri(credential.verify_url(code)),
            "verify_url": credential.verify_url(code),
        },
        language=language,
    )
    certificate.pdf_sha256 = hashlib.sha256(data).hexdigest()
    return _Draft(certificate, data, course.key, course.tr("summary", language), time.perf_counter() - started)


def _sign(draft: _Draft) -> None:
    certificate = draft.certificate
    with translation.override(certificate.language):
        body = credential.open_badge_credential(
            code=certificate.code,
            name=certificate.name,
            course_key=draft.course_key,
            course_title=certificate.course_title,
            course_summary=draft.course_summary,
            cohort_title=certificate.cohort_title,
            institution_name=certificate.institution_name,
            completed_on=certificate.completed_on.isoformat(),
            issued_at=certificate.issued_at.astimezone(datetime.UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            status_index=certificate.status_index,
        )
    certificate.credential_jwt, certificate.key_id = credential.credential_jwt(
        body, not_before=int(certificate.issued_at.timestamp())
    )


def certificate_withdraw(*, certificate: Certificate, withdrawn: bool) -> Certificate:
    """The learner withdraws (or restores) public verification: a withdrawn certificate's page says only that it
    is not publicly verifiable."""
    with transaction.atomic():
        Certificate.objects.for_institution(certificate.institution_id).filter(pk=certificate.pk).update(
            public_withdrawn=withdrawn
        )
    certificate.public_withdrawn = withdrawn
    return certificate


def certificate_revoke(*, certificate: Certificate, by: Any, reason: str) -> Certificate:
    """A facilitator revokes a certificate, with a reason: its bit in the status list is set from now on."""
    reason = reason.strip()
    if not reason:
        raise CertificateRefused("a reason is required")
    with transaction.atomic():
        locked = (
            Certificate.objects.for_institution(certificate.institution_id).select_for_update().get(pk=certificate.pk)
        )
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = by
            locked.revoked_reason = reason
            locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    return locked


def certificates_erase(*, institution: Institution, user: Any) -> int:
    """The erasure hook: a certificate whose public verification the learner withdrew goes (row and file); the
    others stay verifiable with the name as issued, detached from the learner's enrolment, so nothing ties them
    to the account any more. Returns how many went."""
    owned = Certificate.objects.for_institution(institution).filter(enrolment__user=user)
    gone = 0
    for certificate in owned.filter(public_withdrawn=True):
        (Path(settings.MEDIA_ROOT) / certificate.pdf_path).unlink(missing_ok=True)
        certificate.delete()
        gone += 1
    owned.update(enrolment=None)
    return gone
