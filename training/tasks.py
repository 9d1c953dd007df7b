"""Celery tasks of the training app."""

from __future__ import annotations

from celery.schedules import crontab

from r2dr.celery import RetryingTask, app
from training.services.reminders import reminders_send_due

REMINDERS_SCHEDULE_NAME = "training-reminders-hourly"


@app.task(base=RetryingTask)
def training_reminders_send() -> int:
    """Hourly: the reminders due this hour (09:00 in each learner's zone); safe to run twice."""
    return reminders_send_due()


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[REMINDERS_SCHEDULE_NAME] = {
        "task": "training.tasks.training_reminders_send",
        "schedule": crontab(minute=0),
    }
    celery_app.conf.beat_schedule = schedule
