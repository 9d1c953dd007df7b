"""Scheduled case maintenance. Tasks take institution ids and touch only clear fields: retention, escalation and
reminders need no key, so Celery never sees case content (e-mails carry only the opaque case reference)."""

from celery.schedules import crontab

from cases import selectors, services
from r2dr.celery import RetryingTask, app
from r2dr.models import Institution

RETENTION_SCHEDULE_NAME = "cases-nightly-retention"
ESCALATION_SCHEDULE_NAME = "cases-hourly-escalation"
REMINDER_SCHEDULE_NAME = "cases-daily-reminders"


@app.task(base=RetryingTask)
def apply_retention(institution_id: int) -> int:
    """Delete one institution's closed cases past its retention period (legal holds are kept)."""

    institution = Institution.objects.get(pk=institution_id)
    deleted = 0
    for case in selectors.cases_due_for_deletion(institution=institution):
        services.case_delete(case=case)
        deleted += 1
    return deleted


@app.task(base=RetryingTask)
def apply_retention_everywhere() -> int:

    ids = list(Institution.objects.filter(is_active=True).values_list("pk", flat=True))
    for institution_id in ids:
        apply_retention.delay(institution_id)
    return len(ids)


def _active_institutions():

    return Institution.objects.filter(is_active=True).order_by("pk")


@app.task(base=RetryingTask)
def escalate_overdue_everywhere() -> int:
    """Escalate urgent / high-urgency cases whose response target passed (reference-only e-mails to the head)."""

    return sum(services.cases_escalate_overdue(institution=i) for i in _active_institutions())


@app.task(base=RetryingTask)
def remind_overdue_interventions_everywhere() -> int:
    """Weekly reminder e-mails for interventions whose response is overdue (reference only, no content)."""

    return sum(services.interventions_remind_overdue(institution=i) for i in _active_institutions())


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[RETENTION_SCHEDULE_NAME] = {
        "task": "cases.tasks.apply_retention_everywhere",
        "schedule": crontab(hour=3, minute=15),
    }
    schedule[ESCALATION_SCHEDULE_NAME] = {
        "task": "cases.tasks.escalate_overdue_everywhere",
        "schedule": crontab(minute=5),
    }
    schedule[REMINDER_SCHEDULE_NAME] = {
        "task": "cases.tasks.remind_overdue_interventions_everywhere",
        "schedule": crontab(hour=7, minute=30),
    }
    celery_app.conf.beat_schedule = schedule
