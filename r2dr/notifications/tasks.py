"""Celery tasks of notifications: they take the institution's id and notification ids, never content."""

from __future__ import annotations

from celery.schedules import crontab

from r2dr.celery import RetryingTask, app
from r2dr.models import Institution
from r2dr.notifications import delivery

DIGEST_SCHEDULE_NAME = "r2dr-notification-digests-hourly"


@app.task(base=RetryingTask)
def notification_emails_send(institution_id: int, notification_ids: list[int]) -> int:
    institution = Institution.objects.get(pk=institution_id)
    return delivery.notification_emails_send(institution=institution, ids=notification_ids)


@app.task(base=RetryingTask)
def notification_digest_send(institution_id: int) -> int:
    """The institution's digests due now, and any immediate e-mail that was never queued."""
    institution = Institution.objects.get(pk=institution_id)
    delivery.notification_emails_catch_up(institution=institution)
    return delivery.notification_digests_send(institution=institution)


@app.task(base=RetryingTask)
def notification_digests_everywhere() -> int:
    """Hourly: each institution's digests go out once its local digest hour has passed (each run sends only what
    is still pending, so hourly runs send each digest once); immediate e-mails left unsent are sent too."""
    ids = list(Institution.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for institution_id in ids:
        notification_digest_send.delay(institution_id)
    return len(ids)


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[DIGEST_SCHEDULE_NAME] = {
        "task": "r2dr.notifications.tasks.notification_digests_everywhere",
        "schedule": crontab(minute=10),
    }
    celery_app.conf.beat_schedule = schedule
