"""Celery tasks of the reports app: routed to the `reports` queue by name.

Tasks take ids, look their rows up and call a service; they are idempotent
(see `building.report_build`) and retried with backoff on transient errors.
They call the services that queue nothing (`building`, `pruning`, `case_release`), so `reports.services` can
queue these tasks without an import cycle.
"""

from functools import partial

from celery.schedules import crontab
from django.db import transaction

from r2dr.celery import RetryingTask, app
from reports import building, case_release, pruning

NIGHTLY_SCHEDULE_NAME = "reports-nightly-regional-rebuild"
WARM_SCHEDULE_NAME = "reports-warm-regional-case-statistics"
PRUNE_SCHEDULE_NAME = "reports-nightly-prune-files"


@app.task(base=RetryingTask, bind=True, name="reports.tasks.build_report")
def build_report(self, run_id: int, institution_id: int | None = None):
    final = self.request.retries >= self.max_retries or bool(getattr(self.request, "is_eager", False))
    run = building.report_build(run_id=run_id, institution_id=institution_id, final_attempt=final)
    return run.status


@app.task(base=RetryingTask, name="reports.tasks.nightly_regional_rebuild")
def nightly_regional_rebuild():
    run = building.regional_run_open_if_changed()
    if run is None:
        return None
    transaction.on_commit(partial(build_report.delay, run.pk, None))
    return run.pk


@app.task(base=RetryingTask, name="reports.tasks.warm_regional_case_statistics")
def warm_regional_case_statistics():
    return case_release.regional_case_statistics_warm()


@app.task(base=RetryingTask, name="reports.tasks.prune_report_files")
def prune_report_files():
    return pruning.report_files_prune()


def register_schedule(celery_app=app) -> None:
    """Celery beat: rebuild the regional report at 02:30 UTC when its data changed, and keep the
    regional dashboard's precomputed case statistics fresh (every 4 minutes; older than 5 they are refreshed)."""
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[WARM_SCHEDULE_NAME] = {
        "task": "reports.tasks.warm_regional_case_statistics",
        "schedule": 240.0,
        "options": {"queue": "reports", "expires": 230},
    }
    schedule[PRUNE_SCHEDULE_NAME] = {
        "task": "reports.tasks.prune_report_files",
        "schedule": crontab(hour=4, minute=0),
        "options": {"queue": "reports"},
    }
    schedule[NIGHTLY_SCHEDULE_NAME] = {
        "task": "reports.tasks.nightly_regional_rebuild",
        "schedule": crontab(hour=2, minute=30),
        "options": {"queue": "reports"},
    }
    celery_app.conf.beat_schedule = schedule
