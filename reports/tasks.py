"""Celery tasks of the reports app: routed to the `reports` queue by name.

Tasks take ids, look their rows up and call a service; they are idempotent
(see `building.report_build`) and retried with backoff on transient errors.
They call the services that queue nothing (`building`, `pruning`, `case_release`), so `reports.services` can
queue these tasks without an import cycle.
"""

import logging
from functools import partial

from celery.schedules import crontab
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from r2dr.celery import RetryingTask, app
from r2dr.models import Institution
from reports import building, case_release, pruning

NIGHTLY_SCHEDULE_NAME = "reports-nightly-regional-rebuild"
WARM_SCHEDULE_NAME = "reports-warm-regional-case-statistics"
PRUNE_SCHEDULE_NAME = "reports-nightly-prune-files"
SWEEP_SCHEDULE_NAME = "reports-sweep-stuck-runs"

# What publishing raises when the broker cannot be reached (kombu wraps the transport's errors, and a
# connection refused before kombu sees it is an OSError).
PUBLISH_ERRORS = (OperationalError, OSError)

logger = logging.getLogger(__name__)


def build_report_publish(run_id: int, institution_id: int | None) -> bool:
    """Hand a run's build to the broker; False (logged) when the broker cannot take it."""
    try:
        build_report.delay(run_id, institution_id)
    except PUBLISH_ERRORS as exc:
        logger.warning("report run %s: could not be queued (%s)", run_id, type(exc).__name__)
        return False
    return True


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


@app.task(base=RetryingTask, name="reports.tasks.sweep_stuck_runs")
def sweep_stuck_runs():
    """Queue again the runs whose message or worker was lost; a publish that fails now is tried by the next
    sweep, a deadline later (and counts against the run's bounded re-queues)."""
    due = building.report_runs_stale_requeue()
    return sum(build_report_publish(run_id, institution_id) for run_id, institution_id in due)


@app.task(base=RetryingTask, name="reports.tasks.warm_regional_case_statistics")
def warm_regional_case_statistics():
    return case_release.regional_case_statistics_warm()


@app.task(base=RetryingTask, name="reports.tasks.warm_national_case_statistics")
def warm_national_case_statistics(institution_id: int):
    institution = Institution.objects.filter(pk=institution_id, is_active=True).first()
    if institution is None:
        return 0
    case_release.national_case_release_build(institution=institution)
    return 1


@app.task(base=RetryingTask, name="reports.tasks.prune_report_files")
def prune_report_files():
    return pruning.report_files_prune()


def register_schedule(celery_app=app) -> None:
    """Celery beat: rebuild the regional report at 02:30 UTC when its data changed, and keep the
    regional dashboard's precomputed case statistics fresh (every 4 minutes; older than 5 they are refreshed),
    and re-queue stuck runs every `R2DR_REPORT_SWEEP_SECONDS`."""
    schedule = dict(celery_app.conf.beat_schedule or {})
    schedule[WARM_SCHEDULE_NAME] = {
        "task": "reports.tasks.warm_regional_case_statistics",
        "schedule": 240.0,
        "options": {"queue": "reports", "expires": 230},
    }
    schedule[SWEEP_SCHEDULE_NAME] = {
        "task": "reports.tasks.sweep_stuck_runs",
        "schedule": float(settings.R2DR_REPORT_SWEEP_SECONDS),
        "options": {"queue": "reports", "expires": max(settings.R2DR_REPORT_SWEEP_SECONDS - 10, 1)},
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
