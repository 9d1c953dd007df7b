"""Celery task of certificates: issuing one after a completion (safe to run twice: it yields one certificate)."""

from __future__ import annotations

from r2dr.celery import RetryingTask, app
from training.certificates.services import certificate_issue


@app.task(base=RetryingTask)
def certificate_issue_task(*, enrolment_id: int, institution_id: int) -> str:
    return certificate_issue(institution=institution_id, enrolment_id=enrolment_id).code


def certificate_issue_queue(enrolment) -> None:
    """The completion hook (training.completion.on_completed): queue the issue. Hooks run once the completion
    has committed, so the worker finds the completed enrolment."""
    certificate_issue_task.delay(enrolment_id=enrolment.pk, institution_id=enrolment.institution_id)
