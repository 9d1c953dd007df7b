from celery.schedules import crontab

from r2dr.audit import audit_checkpoint_issue
from r2dr.celery import RetryingTask, app
from r2dr.models import Institution, Membership
from r2dr.notifications import tasks as notification_tasks

AUDIT_CHECKPOINT_SCHEDULE_NAME = "r2dr-audit-checkpoint-daily"


@app.task(base=RetryingTask)
def institution_member_count(institution_id: int) -> int:
    """Count an institution's staff memberships (used to prove the worker reads the database)."""
    return Membership.objects.filter(institution_id=institution_id).exclude(role="trainee").count()


@app.task(base=RetryingTask)
def audit_checkpoint_everywhere() -> int:
    """Sign each institution's audit chain end and hand it out of the database; returns how many were signed."""
    signed = 0
    for institution in Institution.objects.order_by("pk"):
        signed += audit_checkpoint_issue(institution=institution) is not None
    return signed


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[AUDIT_CHECKPOINT_SCHEDULE_NAME] = {
        "task": "r2dr.tasks.audit_checkpoint_everywhere",
        "schedule": crontab(hour=2, minute=45),
    }
    celery_app.conf.beat_schedule = schedule
    notification_tasks.register_schedule(celery_app)
