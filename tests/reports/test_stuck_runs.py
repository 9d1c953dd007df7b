"""Reports that never get stuck: a broker down at request time, a message lost with Redis, a worker killed
mid-build. Time to recover a stuck report: at most R2DR_REPORT_STALE_SECONDS + R2DR_REPORT_SWEEP_SECONDS
(10 min + 1 min by default), then the build itself."""

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
from django.utils import timezone

from r2dr.celery import app
from r2dr.roles import Role
from reports import building, pdf, services, tasks
from reports.models import ReportKind, ReportRun, RunStatus
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db

BROKER_DOWN_MESSAGE = "The report could not be queued because the report service is unavailable."


def reset_pools():
    # As Celery does after a fork: the cached connection and producer pools still hold the old broker's sockets.
    kombu.pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


def _point_broker_at(monkeypatch, url):
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it), so both move.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.conf.broker_url, app.conf.task_always_eager = url, False


@pytest.fixture
def broker_down(monkeypatch):
    """The app publishes for real (not eagerly) to a Redis port nothing listens on."""
    port = _free_port()
    saved = app.conf.broker_url, app.conf.task_always_eager

    _point_broker_at(monkeypatch, f"redis://127.0.0.1:{port}/0")
    reset_pools()
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


def _age(run: ReportRun, *, seconds: float) -> ReportRun:
    """Make a run look as if its last sign of life was `seconds` ago."""
    then = timezone.now() - datetime.timedelta(seconds=seconds)
    ReportRun.objects.for_institution(run.institution).filter(pk=run.pk).update(
        created_at=then, heartbeat_at=then, started_at=then if run.status == RunStatus.RUNNING else None
    )
    run.refresh_from_db()
    return run


def test_broker_down_at_request_fails_the_run_with_a_message(
    fake_sources, world, member_client, broker_down, transactional_db
):
    # Transactional: the publish runs on commit inside the request, as in production.
    client = member_client(world.a, Role.DATA_OFFICER)
    started = time.monotonic()
    response = client.post(f"/{world.a.slug}/reports/", {"cycle": "11"})
    publish_seconds = time.monotonic() - started
    assert response.status_code == 302
    run = ReportRun.objects.for_institution(world.a).get()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.failure_reason.startswith(BROKER_DOWN_MESSAGE)
    page = client.get(response["Location"]).content.decode()
    assert BROKER_DOWN_MESSAGE in page  # the flash message and the run's own status
    assert "Your report has been queued" not in page
    listing = client.get(f"/{world.a.slug}/reports/").content.decode()
    assert "Failed" in listing
    assert publish_seconds < 15, publish_seconds


def test_broker_down_at_request_leaves_a_run_that_a_new_request_replaces(
    fake_sources, world, make_member, broker_down, django_capture_on_commit_callbacks
):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    with django_capture_on_commit_callbacks(execute=True):
        failed, _ = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    failed.refresh_from_db()
    assert failed.status == RunStatus.FAILED
    again, reused = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    assert not reused and again.pk != failed.pk


def test_broker_down_the_regional_dashboard_still_shows_the_release_it_has(
    fake_sources, regional_admin, client, monkeypatch, broker_down, caplog, transactional_db
):
    """A stale release asks for a refresh; with the broker down that refresh cannot be queued, and the page still
    answers with the release it has (once a 500)."""
    from reports import case_release

    client.force_login(regional_admin)
    assert client.get("/regional/dashboard/").status_code == 200  # built inline, nothing queued
    later = time.time() + case_release.CASE_STATISTICS_CACHE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    client.raise_request_exception = False
    response = client.get("/regional/dashboard/")  # transactional: the publish runs on commit, as in production
    assert response.status_code == 200
    assert "regional case statistics: refresh could not be queued (OperationalError)" in caplog.text


def test_sweep_requeues_a_run_stuck_running_and_it_completes(fake_sources, world, make_member):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    # A worker was killed mid-build 11 minutes ago and Redis lost the message: nothing will ever build it.
    stuck = ReportRun.objects.create(
        kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="t", status=RunStatus.RUNNING,
        attempts=1, requested_by=head,
    )  # fmt: skip
    stuck = _age(stuck, seconds=11 * 60)
    alive = ReportRun.objects.create(  # building right now, beat a minute ago: not the sweep's business
        kind=ReportKind.NATIONAL, institution=world.b, cycle_id=11, title="b", status=RunStatus.RUNNING
    )
    alive = _age(alive, seconds=60)
    assert tasks.sweep_stuck_runs.delay().get() == 1
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.DONE, stuck.failure_reason
    assert stuck.requeues == 1 and stuck.attempts == 2 and stuck.file_path
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING and alive.requeues == 0 and alive.attempts == 0


def test_sweep_requeues_a_lost_queued_message_once(fake_sources, world, make_member, monkeypatch):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    # Committed as queued, then the message vanished with Redis (the on-commit publish never ran here).
    run, _ = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    run = _age(run, seconds=11 * 60)
    published = []
    monkeypatch.setattr(tasks, "build_report_publish", lambda *args: published.append(args) or True)
    assert tasks.sweep_stuck_runs.delay().get() == 1
    assert tasks.sweep_stuck_runs.delay().get() == 0  # the re-queued run counts as alive from now on
    assert published == [(run.pk, world.a.pk)]
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.requeues == 1
    assert "queued again" in run.failure_reason


def test_sweep_gives_up_after_bounded_requeues_with_a_message(fake_sources, world, member_client, settings):
    client = member_client(world.a, Role.DATA_OFFICER)
    run = ReportRun.objects.create(
        kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="t", status=RunStatus.RUNNING,
        requeues=settings.R2DR_REPORT_MAX_REQUEUES,
    )  # fmt: skip
    run = _age(run, seconds=11 * 60)
    assert tasks.sweep_stuck_runs.delay().get() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.failure_reason.startswith("The report could not be built: the report service stopped")
    page = client.get(f"/{world.a.slug}/reports/{run.pk}/").content.decode()
    assert "the report service stopped before finishing it, 4 times" in page
    assert 'data-hx-trigger="every 2s"' not in page  # the page stops polling a run that will not finish


def test_a_new_request_does_not_return_a_stuck_run(
    fake_sources, world, make_member, django_capture_on_commit_callbacks
):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    stuck, _ = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    fresh, reused = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    assert reused and fresh.pk == stuck.pk  # still within the deadline: the same run
    _age(stuck, seconds=11 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        run, reused = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    run.refresh_from_db()
    assert not reused and run.pk != stuck.pk and run.status == RunStatus.DONE


def test_a_long_build_beats_so_the_sweep_leaves_it_alone(fake_sources, world, transactional_db, settings, monkeypatch):
    settings.R2DR_REPORT_STALE_SECONDS = 1  # beats every 0.2 s
    real_render = pdf.render_pdf
    seen = {}

    def slow_render(*args, **kwargs):
        time.sleep(1.5)  # longer than the deadline
        seen["stuck"] = building.report_runs_stale_requeue()
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", slow_render)
    run = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="t")
    building.report_build(run_id=run.pk, institution_id=world.a.pk)
    run.refresh_from_db()
    assert seen["stuck"] == [] and run.requeues == 0
    assert run.status == RunStatus.DONE and run.heartbeat_at > run.started_at + datetime.timedelta(seconds=1)


def test_sweep_is_on_the_beat_schedule_and_recovery_is_bounded(settings):
    entry = app.conf.beat_schedule[tasks.SWEEP_SCHEDULE_NAME]
    assert entry["task"] == "reports.tasks.sweep_stuck_runs" and entry["options"]["queue"] == "reports"
    recovery = settings.R2DR_REPORT_STALE_SECONDS + entry["schedule"]
    assert recovery == 11 * 60  # time to recover a stuck report, before its build


# --- a real worker, a real Redis that keeps nothing on disk -------------------------------------------------


# Longer than one build (the solo worker builds the two runs one after the other), so a run waiting its turn
# is not taken for lost.
WORKER_DEADLINE = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Services:
    """A throwaway `redis-server` (no persistence, its own port) and Celery workers reading the test database."""

    def __init__(self, tmp_path, media_root):
        from django.db import connection

        database_url = os.environ.get("DATABASE_URL", "")
        if not shutil.which("redis-server") or not database_url.startswith(("postgres", "postgresql")):
            skip_or_fail("a killed worker needs redis-server and a PostgreSQL DATABASE_URL")
        self.port = _free_port()
        self.broker = f"redis://127.0.0.1:{self.port}/0"
        parts = urlsplit(database_url)
        self.env = {
            **os.environ,
            "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
            "CELERY_BROKER_URL": self.broker,
            "R2DR_MEDIA_ROOT": str(media_root),
            "R2DR_REPORT_STALE_SECONDS": str(WORKER_DEADLINE),
        }
        self.tmp_path = tmp_path
        self.redis = None
        self.worker = None

    def start_redis(self):
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            cwd=self.tmp_path,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def restart_redis(self):
        """What a Redis holding nothing on disk does on restart: every queued and unacknowledged message is gone."""
        self.redis.kill()
        self.redis.wait()
        reset_pools()
        self.start_redis()

    def start_worker(self):
        name = f"r2dr-stuck-{uuid.uuid4().hex[:8]}@%h"
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "r2dr", "worker", "-Q", "reports", "--pool=solo",
             "--loglevel=WARNING", "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=self.env,
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                pytest.fail(f"Celery worker exited with {self.worker.returncode}")
            if app.control.ping(timeout=1):
                return
        pytest.fail("Celery worker did not answer a ping within 60 s")

    def kill_worker(self):
        self.worker.kill()  # SIGKILL: no chance to finish, acknowledge or mark anything
        self.worker.wait()

    def stop(self):
        for process in (self.worker, self.redis):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def real_services(transactional_db, tmp_path, settings, monkeypatch):
    services_ = _Services(tmp_path, settings.MEDIA_ROOT)
    saved = app.conf.broker_url, app.conf.task_always_eager
    services_.start_redis()
    _point_broker_at(monkeypatch, services_.broker)
    reset_pools()
    settings.R2DR_REPORT_STALE_SECONDS = WORKER_DEADLINE
    yield services_
    services_.stop()
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


def _wait_for(run, statuses, *, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.01)
    pytest.fail(f"run stayed {run.status} ({run.failure_reason})")


def _sweep_until_done(run, *, period):
    """Play celery beat: the sweep every `period` seconds until the run is finished."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tasks.sweep_stuck_runs()
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(period)
    pytest.fail(f"run stayed {run.status} ({run.failure_reason})")


@pytest.mark.worker
def test_killed_worker_and_lost_messages_recover(real_services, regional_admin):
    """A worker killed mid-build, then Redis restarted empty; and a message lost before any worker took it:
    both runs are built once the deadline (WORKER_DEADLINE here) passes and the sweep (every 0.5 s here) runs."""
    real_services.start_worker()
    run, reused = services.report_request(kind=ReportKind.REGIONAL, by=regional_admin)
    assert not reused
    run = _wait_for(run, {RunStatus.RUNNING, RunStatus.DONE}, timeout=60)
    real_services.kill_worker()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING, "the build finished before the worker could be killed"
    killed_at = time.monotonic()
    real_services.restart_redis()
    # Lost: queued while no worker runs, then Redis restarts empty.
    lost, reused = services.report_request(kind=ReportKind.REGIONAL, by=regional_admin, language="th")
    assert not reused
    real_services.restart_redis()
    real_services.start_worker()
    time.sleep(1)
    run.refresh_from_db()
    lost.refresh_from_db()
    assert (run.status, lost.status) == (RunStatus.RUNNING, RunStatus.QUEUED)  # nothing would ever build them
    run = _sweep_until_done(run, period=0.5)
    recovered = time.monotonic() - killed_at
    lost = _sweep_until_done(lost, period=0.5)
    assert run.status == lost.status == RunStatus.DONE, (run.failure_reason, lost.failure_reason)
    assert (run.requeues, run.attempts, lost.requeues, lost.attempts) == (1, 2, 1, 1)
    print(f"time to recover a report stuck running: {recovered:.1f} s (deadline {WORKER_DEADLINE} s, sweep 0.5 s)")
    assert recovered < WORKER_DEADLINE + 0.5 + 30
