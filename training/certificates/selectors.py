"""Reads of certificates. The public ones look a certificate up by its code alone, across institutions (the
code is the capability); everything else takes the institution."""

from __future__ import annotations

from typing import Any

from r2dr.models import Institution
from training.certificates.models import Certificate


def certificate_by_code(*, code: str) -> Certificate:
    """The certificate of a verification code, or Certificate.DoesNotExist. Public pages show only what the
    certificate prints (and not even that once the learner withdrew public verification)."""
    return Certificate.objects.regional().get(code=code)


def revoked_status_indexes() -> list[int]:
    """Every revoked certificate's index in the platform's revocation status list."""
    return list(Certificate.objects.regional().filter(revoked_at__isnull=False).values_list("status_index", flat=True))


def learner_certificates(*, institution: Institution, user: Any) -> list[Certificate]:
    return list(
        Certificate.objects.for_institution(institution)
        .filter(enrolment__user=user)
        .select_related("enrolment")
        .order_by("-issued_at")
    )


def learner_certificate(*, institution: Institution, user: Any, certificate_id: int) -> Certificate:
    """The learner's own certificate, or Certificate.DoesNotExist (someone else's, or another institution's)."""
    return Certificate.objects.for_institution(institution).get(pk=certificate_id, enrolment__user=user)


def cohort_certificates(*, cohort_id: int) -> list[Certificate]:
    """Regional, for the cohort's facilitators: the certificates issued in a cohort."""
    return list(
        Certificate.objects.regional()
        .filter(enrolment__cohort_id=cohort_id)
        .select_related("revoked_by")
        .order_by("name")
    )


def facilitator_certificate(*, certificate_id: int) -> Certificate:
    """Regional, for facilitators: one certificate by id."""
    return Certificate.objects.regional().get(pk=certificate_id)


def enrolment_certificate(*, enrolment: Any) -> Certificate | None:
    """The certificate issued for `enrolment` (in its institution), or None while none is issued."""
    return Certificate.objects.for_institution(enrolment.institution_id).filter(enrolment=enrolment).first()
