"""Celery task of certificates: issuing one after a completion (safe to run twice: it yields one certificate)."""

from __future__ import annotations

from r2dr.celery import RetryingTask, app
from training.certificates.services import certificate_issue


@app.task(base=RetryingTask)
def certificate_issue_task(*, enrolment_id: int, institution_id: int) -> str:
    return certificate_issue(institution=institution_id, enrolment_id=enrolment_id).code
