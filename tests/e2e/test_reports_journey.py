"""A regional admin reads the regional dashboard, requests the regional report, waits, and downloads a valid PDF."""

import io
import threading

import pytest

from r2dr.roles import Role
from tests.e2e.conftest import TOTP_SECRET, shot, staff_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def regional_world(monkeypatch, settings, tmp_path):
    """The real demo data: institutions, a published framework and cycles, cases shared for statistics."""
    from django.core.cache import cache

    from cases import demo as cases_demo
    from indicators import demo as indicators_demo
    from r2dr import demo as core_demo
    from r2dr.tenancy import scopes_disabled
    from reports import services

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.R2DR_KDF_OPSLIMIT = 1
    settings.R2DR_KDF_MEMLIMIT = 8192 * 8
    cache.clear()
    with scopes_disabled():
        core_demo.seed()
        cases_demo.seed()
        indicators_demo.seed()

    # Stand-in for the `reports` worker: the build starts a moment after the request, in another
    # thread, so the page really has to wait and poll (the real worker is tested in tests/reports).
    def enqueue_later(run):
        timer = threading.Timer(1.5, lambda: services.report_build(run_id=run.pk, institution_id=run.institution_id))
        timer.start()

    monkeypatch.setattr(services, "_enqueue", enqueue_later)


def published_institutions():
    """Computed independently of the reports app: institutions with a published cycle."""
    from indicators.models import Cycle

    rows = Cycle.objects.regional().filter(status=Cycle.Status.PUBLISHED).values_list("institution__name", flat=True)
    return sorted(set(rows))


def test_regional_admin_downloads_regional_report(page, live_server, e2e_login, regional_world):
    user = staff_user("apf-admin@e2e.example", None, Role.REGIONAL_ADMIN)
    e2e_login(page, live_server, user.email, totp_secret=TOTP_SECRET)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Regional dashboard").first.click()
    page.get_by_role("heading", name="Regional dashboard").wait_for()
    published = published_institutions()
    assert published, "the demo publishes cycles"
    areas = page.locator("table.matrix thead th").count() - 1
    assert areas == 5
    assert page.locator("table.matrix td.cell").count() == len(published) * areas
    shot(page, "reports-regional-dashboard-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    shot(page, "reports-regional-dashboard-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A table alternative opens, and the CSV download works.
    page.locator("#chart-institutions_by_status summary").click()
    assert page.locator("#chart-institutions_by_status table").is_visible()
    with page.expect_download() as csv_info:
        page.locator("#chart-institutions_by_status a[download]").click()
    assert csv_info.value.suggested_filename == "regional-institutions_by_status.csv"

    page.get_by_role("button", name="Build the regional report").click()
    status = page.locator("#run-status")
    status.wait_for()
    assert "Queued" in status.inner_text() or "Being built" in status.inner_text()
    shot(page, "reports-regional-run-waiting")
    # htmx polls the status until the file is ready.
    page.get_by_role("link", name="Download the PDF").wait_for(timeout=60_000)
    shot(page, "reports-regional-run-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 6
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Institutions × thematic areas" in text
    assert "Thailand" in text and "Indonesia" in text
