"""A real Celery worker issues the certificate once the completion commits."""

import time

import pytest

from tests.certificates.helpers import complete, learner
from training.certificates.models import Certificate

pytestmark = pytest.mark.worker


def test_a_real_worker_issues_the_certificate_after_the_completion_commits(
    transactional_db, celery_worker, settings, institution_a
):
    import r2dr.settings as project_settings

    # The worker process reads MEDIA_ROOT and the site's address from its environment, not this test's overrides.
    settings.MEDIA_ROOT = project_settings.MEDIA_ROOT
    settings.R2DR_SITE_URL = project_settings.R2DR_SITE_URL
    enrolment = complete(learner(institution_a, first="Nilufar", last="Rahman"))
    deadline = time.monotonic() + 90
    certificate = None
    while time.monotonic() < deadline and certificate is None:
        certificate = Certificate.objects.for_institution(institution_a).filter(enrolment=enrolment).first()
        time.sleep(0.5)
    assert certificate is not None, "the worker issued no certificate within 90 s"
    assert certificate.name == "Nilufar Rahman" and len(certificate.pdf_sha256) == 64
