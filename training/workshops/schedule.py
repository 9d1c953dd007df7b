"""The daily beat task of workshops, apart from tasks.py: the services queue tasks.py's invitation task, so the
reminder task, which calls the services, would close an import cycle there."""

from __future__ import annotations

from celery.schedules import crontab

from r2dr.celery import RetryingTask, app
from training.workshops.services.sessions import follow_ups_remind_overdue

FOLLOW_UPS_SCHEDULE_NAME = "workshops-follow-ups-daily"


@app.task(base=RetryingTask)
def workshops_follow_ups_remind() -> int:
    """Daily: one reminder for each follow-up action that became overdue; safe to run twice."""
    return follow_ups_remind_overdue()


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[FOLLOW_UPS_SCHEDULE_NAME] = {
        "task": "training.workshops.schedule.workshops_follow_ups_remind",
        "schedule": crontab(minute=0, hour=2),
    }
    celery_app.conf.beat_schedule = schedule
