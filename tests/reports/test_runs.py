"""The ReportRun pipeline: statuses, reuse by data version, idempotence, failures and retries, schedule."""

import pytest

from r2dr.roles import Role
from reports import building, pruning, services, tasks
from reports.models import ReportKind, ReportRun, RunStatus

pytestmark = pytest.mark.django_db


def _request(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run, reused = services.report_request(**kwargs)
    run.refresh_from_db()
    return run, reused


@pytest.fixture
def head(world, make_member):
    return make_member(world.a, Role.INSTITUTION_HEAD)


def test_done_run_records_its_build(fake_sources, world, head, settings, django_capture_on_commit_callbacks):
    run, reused = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    assert not reused
    assert run.status == RunStatus.DONE
    assert run.started_at and run.finished_at and run.finished_at >= run.started_at
    assert run.requested_by == head and run.attempts == 1
    assert len(run.data_version) == 64 and run.data_version[:32] in run.file_path
    assert (settings.MEDIA_ROOT / run.file_path).stat().st_size == run.file_size > 1000
    assert run.title == "AHRC · National report Monitoring cycle 2025"


def test_unchanged_request_reuses_the_file(fake_sources, world, head, django_capture_on_commit_callbacks, monkeypatch):
    first, _ = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    from reports import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: pytest.fail("an unchanged report was rendered again"))
    second, reused = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    assert reused and second.pk == first.pk
    assert ReportRun.objects.for_institution(world.a).count() == 1


def test_changed_data_builds_a_new_version(fake_sources, world, head, django_capture_on_commit_callbacks):
    first, _ = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    fake_sources.results[0]["indicators"][0]["value_display"] = "No"
    second, reused = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    assert not reused and second.pk != first.pk
    assert second.data_version != first.data_version and second.file_path != first.file_path


def test_language_is_part_of_the_key(fake_sources, world, head, django_capture_on_commit_callbacks):
    en, _ = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    th, reused = _request(
        django_capture_on_commit_callbacks,
        kind=ReportKind.NATIONAL,
        institution=world.a,
        cycle_id=11,
        by=head,
        language="th",
    )
    assert not reused and th.data_version != en.data_version


def test_a_queued_request_is_not_queued_twice(fake_sources, world, head):
    # Without executing on-commit callbacks, the first run stays queued.
    first, _ = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    second, reused = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
    assert reused and second.pk == first.pk and second.status == RunStatus.QUEUED


def test_build_is_idempotent(fake_sources, world, head, django_capture_on_commit_callbacks, monkeypatch):
    run, _ = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    from reports import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: pytest.fail("a finished run was rebuilt"))
    again = building.report_build(run_id=run.pk, institution_id=world.a.pk)
    assert again.status == RunStatus.DONE and again.file_path == run.file_path and again.attempts == 1


def test_second_run_with_same_data_reuses_file_in_the_worker(fake_sources, world, head, settings):
    """Two runs queued concurrently for the same data: the second build copies the first's file."""
    a = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="a")
    b = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="b")
    building.report_build(run_id=a.pk, institution_id=world.a.pk)
    building.report_build(run_id=b.pk, institution_id=world.a.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == RunStatus.DONE and a.file_path == b.file_path


def test_failure_has_a_readable_reason(fake_sources, world, head, django_capture_on_commit_callbacks, monkeypatch):
    from reports import pdf

    def broken(*args, **kwargs):
        raise ValueError("layout exploded")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    run, _ = _request(
        django_capture_on_commit_callbacks, kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head
    )
    assert run.status == RunStatus.FAILED
    assert run.failure_reason.startswith("The report could not be built (ValueError)")
    assert "layout exploded" not in run.failure_reason
    assert run.finished_at is not None and not run.file_path


def test_transient_errors_are_retried_then_fail(fake_sources, world, head, monkeypatch):
    from reports import pdf

    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        raise ConnectionError("database went away")

    monkeypatch.setattr(pdf, "render_pdf", flaky)
    run = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="t")
    with pytest.raises(ConnectionError):
        building.report_build(run_id=run.pk, institution_id=world.a.pk, final_attempt=False)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and "Retrying" in run.failure_reason
    building.report_build(run_id=run.pk, institution_id=world.a.pk, final_attempt=True)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.attempts == 2 and "unavailable" in run.failure_reason
    assert len(calls) == 2


def test_task_retries_with_backoff_on_transient_errors():
    assert tasks.build_report.autoretry_for == (ConnectionError, TimeoutError, OSError)
    assert tasks.build_report.retry_backoff and tasks.build_report.max_retries >= 3
    from r2dr.celery import app

    route = app.amqp.router.route({}, "reports.tasks.build_report")
    assert route["queue"].name == "reports"


def test_unpublished_cycle_fails_cleanly(fake_sources, world, head):
    with pytest.raises(building.ReportUnavailable):
        services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=999, by=head)


def test_national_run_requires_institution_scope(fake_sources, world):
    from r2dr.tenancy import UnscopedQueryError

    with pytest.raises(UnscopedQueryError):
        list(ReportRun.objects.all())
    run = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="x")
    assert not ReportRun.objects.for_institution(world.b).filter(pk=run.pk).exists()
    assert not ReportRun.objects.regional_runs().filter(pk=run.pk).exists()


def test_nightly_schedule_rebuilds_only_when_data_changed(fake_sources, world, django_capture_on_commit_callbacks):
    from r2dr.celery import app

    entry = app.conf.beat_schedule[tasks.NIGHTLY_SCHEDULE_NAME]
    assert entry["task"] == "reports.tasks.nightly_regional_rebuild"
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.nightly_regional_rebuild.delay().get()
    assert first is not None
    run = ReportRun.objects.regional_runs().get(pk=first)
    assert run.scheduled and run.status == RunStatus.DONE and run.requested_by is None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly_regional_rebuild.delay().get() is None
    fake_sources.matrix_cells[world.b.pk]["A1"] = "enabling"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly_regional_rebuild.delay().get() is not None


def test_request_views_and_polling(fake_sources, world, member_client, django_capture_on_commit_callbacks):
    client = member_client(world.a, Role.DATA_OFFICER)
    assert client.get(f"/{world.a.slug}/reports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{world.a.slug}/reports/", {"cycle": "11"})
    assert response.status_code == 302
    run = ReportRun.objects.for_institution(world.a).get()
    assert response["Location"] == f"/{world.a.slug}/reports/{run.pk}/"
    page = client.get(response["Location"])
    assert "Download the PDF" in page.content.decode()
    # The page says one thing: a finished report is not also announced as queued.
    assert "queued" not in page.content.decode().lower()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="run-status"')
    queued = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="q")
    polling = client.get(f"/{world.a.slug}/reports/{queued.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-hx-trigger="every 2s"' in polling


def test_old_report_files_are_pruned_keeping_the_newest(world, head, settings, client):
    """Nightly pruning keeps the three newest files of each report, never a file a kept run still uses, and
    removes PDFs no run points to; a pruned run says why and can be requested again."""
    import datetime
    import os

    from django.utils import timezone

    now = timezone.now()

    def run(age_days, name, *, institution=world.a, kind=ReportKind.NATIONAL, language="en"):
        relative = f"reports/{name}.pdf"
        path = settings.MEDIA_ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 " + name.encode())
        return ReportRun.objects.create(
            institution=institution,
            kind=kind,
            cycle_id=11 if kind == ReportKind.NATIONAL else None,
            language=language,
            status=RunStatus.DONE,
            file_path=relative,
            finished_at=now - datetime.timedelta(days=age_days),
        )

    ages = [0, 10, 40, 50, 60]
    runs = [run(age, f"a-{age}") for age in ages]
    shared = ReportRun.objects.create(  # an old run reusing the newest file (same data version)
        institution=world.a, kind=ReportKind.NATIONAL, cycle_id=11, language="en", status=RunStatus.DONE,
        file_path=runs[0].file_path, finished_at=now - datetime.timedelta(days=90),
    )  # fmt: skip
    thai = run(70, "a-th-70", language="th")  # another report (language): the newest of its own
    regional = [run(age, f"r-{age}", institution=None, kind=ReportKind.REGIONAL) for age in (1, 2, 3, 45)]
    orphan_old = settings.MEDIA_ROOT / "reports" / "gone-old.pdf"
    orphan_new = settings.MEDIA_ROOT / "reports" / "being-written.pdf"
    for orphan in (orphan_old, orphan_new):
        orphan.write_bytes(b"%PDF")
    two_days_ago = (now - datetime.timedelta(days=2)).timestamp()
    os.utime(orphan_old, (two_days_ago, two_days_ago))

    assert pruning.report_files_prune() == 4  # a-50, a-60, r-45 and the old orphan

    def exists(r):
        return (settings.MEDIA_ROOT / r.file_path).is_file()

    assert [exists(r) for r in runs] == [True, True, True, False, False]
    assert exists(shared) and exists(thai) and [exists(r) for r in regional] == [True, True, True, False]
    assert not orphan_old.exists() and orphan_new.exists()
    pruned = ReportRun.objects.for_institution(world.a).get(pk=runs[3].pk)
    assert pruned.status == RunStatus.FAILED and pruned.failure_reason == pruning.PRUNED_REASON
    assert ReportRun.objects.for_institution(world.a).get(pk=shared.pk).status == RunStatus.DONE
    client.force_login(head)
    page = client.get(f"/{world.a.slug}/reports/{pruned.pk}/").content.decode()
    assert "This file was removed after newer versions" in page
    assert pruning.report_files_prune() == 0  # idempotent
    assert tasks.prune_report_files.apply().get() == 0
    from r2dr.celery import app

    tasks.register_schedule(app)
    assert app.conf.beat_schedule[tasks.PRUNE_SCHEDULE_NAME]["task"] == "reports.tasks.prune_report_files"
