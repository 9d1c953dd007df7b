"""Scheduled case maintenance. Tasks take institution ids and touch only clear fields:
retention needs no key, so Celery never sees case content."""

from celery.schedules import crontab

from r2dr.celery import RetryingTask, app

RETENTION_SCHEDULE_NAME = "cases-nightly-retention"


@app.task(base=RetryingTask)
def apply_retention(institution_id: int) -> int:
    """Delete one institution's closed cases past its retention period (legal holds are kept)."""
    from cases import selectors, services
    from r2dr.models import Institution

    institution = Institution.objects.get(pk=institution_id)
    deleted = 0
    for case in selectors.cases_due_for_deletion(institution=institution):
        services.case_delete(case=case)
        deleted += 1
    return deleted


@app.task(base=RetryingTask)
def apply_retention_everywhere() -> int:
    from r2dr.models import Institution

    ids = list(Institution.objects.filter(is_active=True).values_list("pk", flat=True))
    for institution_id in ids:
        apply_retention.delay(institution_id)
    return len(ids)


def register_schedule(celery_app=app) -> None:
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[RETENTION_SCHEDULE_NAME] = {
        "task": "cases.tasks.apply_retention_everywhere",
        "schedule": crontab(hour=3, minute=15),
    }
    celery_app.conf.beat_schedule = schedule
