"""A real Celery worker (Redis broker, PostgreSQL) builds a report end to end."""

import time
from pathlib import Path

import pytest

from reports import services
from reports.models import ReportKind, ReportRun, RunStatus


@pytest.mark.worker
def test_real_worker_builds_a_regional_report(transactional_db, celery_worker, settings, regional_admin):
    import r2dr.settings as project_settings

    # The worker process reads MEDIA_ROOT from its environment, not from this test's overrides.
    settings.MEDIA_ROOT = project_settings.MEDIA_ROOT
    run, reused = services.report_request(kind=ReportKind.REGIONAL, by=regional_admin)
    assert not reused and run.status == RunStatus.QUEUED
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    assert run.status == RunStatus.DONE, (run.status, run.failure_reason)
    assert run.started_at and run.finished_at and run.attempts == 1
    path = Path(settings.MEDIA_ROOT) / run.file_path
    try:
        assert path.read_bytes().startswith(b"%PDF")
        # Unchanged data: the same request reuses the file without queueing anything.
        again, reused = services.report_request(kind=ReportKind.REGIONAL, by=regional_admin)
        assert reused and again.pk == run.pk
        assert ReportRun.objects.regional_runs().count() == 1
    finally:
        path.unlink(missing_ok=True)
