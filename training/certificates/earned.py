"""The course page's link to a completed enrolment's certificate (the `training.completion.earned` hook)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from training.certificates import selectors
from training.completion import Earned
from training.models import EnrolmentStatus


def certificate_earned(enrolment: Any) -> Earned | None:
    if enrolment.status != EnrolmentStatus.COMPLETED:
        return None
    label = _("Your certificate: download the PDF and the credential, choose who may verify it")
    certificate = selectors.enrolment_certificate(enrolment=enrolment)
    if certificate is None:
        # The worker issues it a few seconds after the completion commits.
        return Earned(label, None, _("Your certificate is being issued: reload this page in a minute."))
    url = reverse("certificates_mine", kwargs={"institution_slug": enrolment.institution.slug})
    return Earned(label, f"{url}#certificate-{certificate.pk}")
