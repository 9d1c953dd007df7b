"""Issuing certificates: on completion, through the Celery task, once however often it runs; revocation;
what a learner's erasure keeps."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from tests.certificates.helpers import complete, learner
from training.certificates import services
from training.certificates.models import Certificate
from training.certificates.tasks import certificate_issue_task
from training.services import learner_data

pytestmark = pytest.mark.django_db


def test_completion_queues_the_issue_and_issuing_twice_yields_one_certificate(
    institution_a, django_capture_on_commit_callbacks
):
    enrolment = learner(institution_a, first="Somchai", last="Jaidee")
    with django_capture_on_commit_callbacks(execute=True):
        complete(enrolment)
    first = Certificate.objects.for_institution(institution_a).get(enrolment=enrolment)
    assert first.name == "Somchai Jaidee" and first.institution_name == "Institution A"
    again = certificate_issue_task.delay(enrolment_id=enrolment.pk, institution_id=institution_a.pk).get()
    assert again == first.code
    assert services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk).pk == first.pk
    assert Certificate.objects.for_institution(institution_a).filter(enrolment=enrolment).count() == 1
    assert len(list((Path(settings.MEDIA_ROOT) / "certificates").rglob("*.pdf"))) == 1
    assert len(first.code) == 26 and 0 <= first.status_index < 131_072
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a second one, too
        Certificate.objects.create(
            **{f.attname: getattr(first, f.attname) for f in Certificate._meta.concrete_fields if f.name != "id"}
            | {"code": "another", "status_index": (first.status_index + 1) % 131_072}
        )


def test_an_unfinished_enrolment_gets_no_certificate(institution_a):
    enrolment = learner(institution_a)
    with pytest.raises(services.CertificateRefused):
        services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk)
    assert not Certificate.objects.for_institution(institution_a).exists()


def test_another_institution_cannot_issue_for_an_enrolment(institution_a, institution_b):
    enrolment = complete(learner(institution_a))
    with pytest.raises(Exception, match="does not exist"):
        services.certificate_issue(institution=institution_b, enrolment_id=enrolment.pk)


def test_revocation_needs_a_reason_and_is_recorded(institution_a, make_member):
    enrolment = complete(learner(institution_a))
    certificate = services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk)
    facilitator = make_member(None, "facilitator")
    with pytest.raises(services.CertificateRefused):
        services.certificate_revoke(certificate=certificate, by=facilitator, reason="  ")
    revoked = services.certificate_revoke(certificate=certificate, by=facilitator, reason="Issued in error")
    assert revoked.revoked and revoked.revoked_by == facilitator and revoked.revoked_reason == "Issued in error"


def test_erasure_keeps_a_public_certificate_with_the_name_as_issued_and_drops_a_withdrawn_one(
    institution_a, django_capture_on_commit_callbacks
):
    kept = complete(learner(institution_a, first="Kept", last="Name"))
    kept_certificate = services.certificate_issue(institution=institution_a, enrolment_id=kept.pk)
    cohort2 = learner(institution_a).cohort  # a second cohort of the same learner is built below
    withdrawn = learner(institution_a, cohort=cohort2)
    withdrawn.user = kept.user
    withdrawn.save()
    complete(withdrawn)
    gone = services.certificate_issue(institution=institution_a, enrolment_id=withdrawn.pk)
    services.certificate_withdraw(certificate=gone, withdrawn=True)
    user = kept.user
    user.first_name = "Renamed"
    user.save()
    learner_data.learner_erase(institution=institution_a, user=user)
    kept_certificate.refresh_from_db()
    assert kept_certificate.name == "Kept Name" and kept_certificate.enrolment is None
    assert not Certificate.objects.for_institution(institution_a).filter(pk=gone.pk).exists()
    assert not (Path(settings.MEDIA_ROOT) / gone.pdf_path).exists()
    assert (Path(settings.MEDIA_ROOT) / kept_certificate.pdf_path).exists()
