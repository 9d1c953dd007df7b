"""Report files are tenant-scoped: only entitled users download them; nothing is public by URL."""

from pathlib import Path

import pytest

from r2dr.roles import Role
from r2dr.tenancy import scopes_disabled
from reports import services
from reports.models import ReportKind, ReportRun, ResultsPage, RunStatus

pytestmark = pytest.mark.django_db


def _state(settings):
    """Every report run, results page and report file: a refused request changes none of them."""
    with scopes_disabled():
        runs = list(ReportRun.objects.order_by("pk").values())
        pages = list(ResultsPage.objects.order_by("pk").values())
    files = sorted(str(p) for p in Path(settings.MEDIA_ROOT).rglob("*"))
    return runs, pages, files


def _refused(response, *codes):
    """Refused with one of `codes`, and no byte of a report in the answer."""
    assert response.status_code in codes
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"%PDF" not in body


@pytest.fixture
def built(fake_sources, world, make_member, django_capture_on_commit_callbacks):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    admin = make_member(None, Role.REGIONAL_ADMIN, email="apf@test.example")
    with django_capture_on_commit_callbacks(execute=True):
        national, _ = services.report_request(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, by=head)
        regional, _ = services.report_request(kind=ReportKind.REGIONAL, by=admin)
    national.refresh_from_db()
    regional.refresh_from_db()
    assert national.status == regional.status == RunStatus.DONE
    return national, regional


def test_staff_of_the_institution_download(built, world, member_client):
    national, _ = built
    response = member_client(world.a, Role.CASE_OFFICER).get(f"/{world.a.slug}/reports/{national.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.INSTITUTION_HEAD, Role.TRAINEE])
def test_other_institutions_cannot_download(built, world, member_client, role, settings):
    national, _ = built
    client = member_client(world.b, role)
    before = _state(settings)
    # Through B's own URL (the run is A's, so it is not found) and through A's URL (not a member).
    _refused(client.get(f"/{world.b.slug}/reports/{national.pk}/download/"), 403, 404)
    _refused(client.get(f"/{world.a.slug}/reports/{national.pk}/download/"), 403, 404)
    assert _state(settings) == before


def test_trainee_of_the_institution_cannot_download(built, world, member_client, settings):
    national, _ = built
    client = member_client(world.a, Role.TRAINEE)
    before = _state(settings)
    _refused(client.get(f"/{world.a.slug}/reports/{national.pk}/download/"), 403)
    assert _state(settings) == before


def test_anonymous_is_sent_to_sign_in(built, world, client, settings):
    national, regional = built
    before = _state(settings)
    response = client.get(f"/{world.a.slug}/reports/{national.pk}/download/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(f"/regional/reports/{regional.pk}/download/")
    _refused(response, 302)
    assert "/accounts/login/" in response["Location"]
    assert _state(settings) == before


def test_regional_file_only_for_regional_roles(built, world, member_client, client, make_member, settings):
    _, regional = built
    before = _state(settings)
    _refused(member_client(world.a, Role.DATA_OFFICER).get(f"/regional/reports/{regional.pk}/download/"), 403)
    assert _state(settings) == before
    facilitator = make_member(None, Role.FACILITATOR, email="fac@test.example")
    client.force_login(facilitator)
    assert client.get(f"/regional/reports/{regional.pk}/download/").status_code == 200


def test_a_national_run_is_not_reachable_as_a_regional_one(built, client, regional_admin, settings):
    national, _ = built
    client.force_login(regional_admin)
    before = _state(settings)
    _refused(client.get(f"/regional/reports/{national.pk}/download/"), 404)
    _refused(client.get(f"/regional/reports/{national.pk}/"), 404)
    assert _state(settings) == before


def test_files_have_no_media_url(built, settings):
    national, _ = built
    assert not getattr(settings, "MEDIA_URL", "") or settings.MEDIA_URL in ("", "/")
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/media/" + national.file_path)


def test_unfinished_download_redirects_to_status(fake_sources, world, member_client):
    run = ReportRun.objects.create(kind=ReportKind.NATIONAL, institution=world.a, cycle_id=11, title="x")
    response = member_client(world.a, Role.DATA_OFFICER).get(f"/{world.a.slug}/reports/{run.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reports/{run.pk}/")


def test_public_report_only_when_published(built, world, client, make_member):
    url = f"/{world.a.slug}/results/report.pdf"
    assert client.get(url).status_code == 404
    assert client.get(f"/{world.a.slug}/results/").status_code == 404
    services.results_page_update(institution=world.a, is_public=True, introduction="Our results.", by=None)
    page = client.get(f"/{world.a.slug}/results/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Repeal the registration requirement" in body and "Our results." in body
    assert client.get(url).status_code == 200
    services.results_page_update(institution=world.a, is_public=False, by=None)
    assert client.get(url).status_code == 404


def test_results_settings_for_heads_only(fake_sources, world, member_client, settings):
    officer = member_client(world.a, Role.DATA_OFFICER)
    assert officer.get(f"/{world.a.slug}/results/settings/").status_code == 403
    before = _state(settings)
    response = officer.post(
        f"/{world.a.slug}/results/settings/", {"is_public": "on", "cycle": "11", "introduction": "x"}
    )
    assert response.status_code == 403
    assert _state(settings) == before
    assert not ResultsPage.objects.for_institution(world.a).exists()
    client = member_client(world.a, Role.INSTITUTION_ADMIN, email="admin2@test.example")
    response = client.post(
        f"/{world.a.slug}/results/settings/", {"is_public": "on", "cycle": "11", "introduction": "Hi"}
    )
    assert response.status_code == 302
    assert client.get(f"/{world.a.slug}/results/").status_code == 200


def test_only_indicator_staff_request_national_reports(
    fake_sources, world, member_client, settings, django_capture_on_commit_callbacks
):
    client = member_client(world.a, Role.CASE_OFFICER)
    before = _state(settings)
    with django_capture_on_commit_callbacks() as queued:
        assert client.post(f"/{world.a.slug}/reports/", {"cycle": "11"}).status_code == 403
    assert ReportRun.objects.for_institution(world.a).count() == 0
    assert not queued and _state(settings) == before


def test_facilitators_cannot_request_regional_reports(
    fake_sources, client, make_member, settings, django_capture_on_commit_callbacks
):
    facilitator = make_member(None, Role.FACILITATOR, email="fac2@test.example")
    client.force_login(facilitator)
    before = _state(settings)
    with django_capture_on_commit_callbacks() as queued:
        assert client.post("/regional/reports/", {}).status_code == 403
    assert not queued  # nothing built or queued
    assert _state(settings) == before
    assert not ReportRun.objects.regional_runs().exists()


def test_public_page_reads_no_case_figures(built, world, client, fake_sources):
    services.results_page_update(institution=world.a, is_public=True, by=None)
    fake_sources.calls.clear()
    assert client.get(f"/{world.a.slug}/results/").status_code == 200
    assert not [c for c in fake_sources.calls if c[0] == "case_statistics"]
