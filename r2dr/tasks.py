from celery.schedules import crontab

from r2dr.audit import audit_checkpoint_issue
from r2dr.cache import fallback_prune
from r2dr.celery import RetryingTask, app
from r2dr.models import Institution, Membership
from r2dr.notifications import tasks as notification_tasks
from r2dr.onetime import onetime_prune
from r2dr.server_keys import server_keys_prune

AUDIT_CHECKPOINT_SCHEDULE_NAME = "r2dr-audit-checkpoint-daily"
SERVER_STATE_PRUNE_SCHEDULE_NAME = "r2dr-server-state-prune-hourly"


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


@app.task(base=RetryingTask)
def server_state_prune() -> dict:
    """Delete what has expired of the server state kept in the database: single-use claims, server keys (the
    public form's state keys after their two periods) and the cache's fallback entries."""
    return {"claims": onetime_prune(), "server_keys": server_keys_prune(), "cache_fallback": fallback_prune()}


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[AUDIT_CHECKPOINT_SCHEDULE_NAME] = {
        "task": "r2dr.tasks.audit_checkpoint_everywhere",
        "schedule": crontab(hour=2, minute=45),
    }
    schedule[SERVER_STATE_PRUNE_SCHEDULE_NAME] = {
        "task": "r2dr.tasks.server_state_prune",
        "schedule": crontab(minute=7),
    }
    celery_app.conf.beat_schedule = schedule
    notification_tasks.register_schedule(celery_app)
