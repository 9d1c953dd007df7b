"""A national report is built in any language the institution uses: its data texts in that language where they
exist, the labels as far as the catalogue goes, the language recorded on the run and each language cached apart.

The PDFs are read with pdftotext (poppler-utils, installed by `make system-deps`), as a reader's copy-paste would."""

import os
import random
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from r2dr.roles import Role
from reports.models import ReportRun, RunStatus
from tests.conftest import skip_or_fail
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

THAI = re.compile("[\u0e00-\u0e7f]")
THAI_NAME = "คณะกรรมการสิทธิมนุษยชนแห่งชาติ"
# Marks above and below a Thai consonant: text extraction returns them in drawing order, which may differ from the
# typed order ("วา่" for "ว่า"), sara am comes out as sara aa ("จากัด" for "จำกัด"), and spacing differs with
# letter-spacing; compare the rest.
THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")


def skeleton(text: str) -> str:
    return THAI_MARKS.sub("", text.replace("\u0e33", "\u0e32"))


@pytest.fixture
def nhrct(db):
    """A Thai institution (Thai first, then English) with one published cycle of the real framework."""
    from indicators.demo import bulk_cycle
    from indicators.framework_seed import ensure_framework
    from indicators.models import Area, Indicator

    version = ensure_framework()
    institution = InstitutionFactory(
        slug="nhrc-thai",
        name="National Human Rights Commission of Thailand",
        short_name="NHRCT",
        country="Thailand",
        country_code="TH",
        languages=["th", "en"],
        translations={"th": {"name": THAI_NAME, "short_name": "กสม.", "country": "ประเทศไทย"}},
    )
    cycle = bulk_cycle(
        institution,
        version=version,
        indicators=list(Indicator.objects.filter(version=version, is_retired=False).select_related("attribute")),
        areas=list(Area.objects.filter(version=version)),
        title="Cycle 2025",
        year=2025,
        rng=random.Random("nhrct-2025"),
    )
    return institution, cycle


def pdftotext(path) -> str:
    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext (poppler-utils) is not installed: make system-deps")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def build(client, institution, cycle, language, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{institution.slug}/reports/", {"cycle": cycle.pk, "language": language})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ReportRun.objects.for_institution(institution).get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert run.status == RunStatus.DONE, run.failure_reason
    return run


def test_build_form_offers_the_institutions_languages_first_one_first(nhrct, member_client):
    institution, _cycle = nhrct
    page = member_client(institution, Role.DATA_OFFICER).get(f"/{institution.slug}/reports/").content.decode()
    select = re.search(r'<select name="language"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the build form has a language field"
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', select.group(1))
    assert options == [("th", " selected", "ไทย (Thai)"), ("en", "", "English")]
    assert '<label for="id_language">Language of the report' in page


def test_thai_report_is_in_thai_and_the_english_one_is_not(
    nhrct, member_client, settings, django_capture_on_commit_callbacks
):
    institution, cycle = nhrct
    client = member_client(institution, Role.DATA_OFFICER)
    thai = build(client, institution, cycle, "th", django_capture_on_commit_callbacks)
    english = build(client, institution, cycle, "en", django_capture_on_commit_callbacks)
    assert (thai.language, english.language) == ("th", "en")
    assert thai.pk != english.pk and thai.file_path != english.file_path
    assert thai.title.startswith("กสม. · ") and english.title.startswith("NHRCT · ")

    thai_text = pdftotext(settings.MEDIA_ROOT / thai.file_path)
    english_text = pdftotext(settings.MEDIA_ROOT / english.file_path)
    if os.environ.get("R2DR_KEEP_PDF"):  # to look at it: pdftoppm -png -r 60 -f 1 -l 3
        for run in (thai, english):
            shutil.copy(settings.MEDIA_ROOT / run.file_path, os.environ["R2DR_KEEP_PDF"])
    # Data texts in Thai: the institution's name and country, the framework's area titles.
    assert skeleton(THAI_NAME) in skeleton(thai_text) and skeleton("ประเทศไทย") in skeleton(thai_text)
    assert skeleton("เสรีภาพในการแสดงออกและความคิดเห็น") in skeleton(thai_text)  # area 2
    # Labels from the catalogue: the cover, the contents, the chapters, the statuses.
    for label in (
        "National report on the situation of human rights defenders",
        "Contents",
        "Methodology",
        "Results by thematic area",
        "Findings and recommendations",
        "Restrictive",
    ):
        with translation.override("th"):
            thai_label = translation.gettext(label)
        assert THAI.search(thai_label), f"{label!r} has no Thai translation"
        assert skeleton(thai_label) in skeleton(thai_text), label
        assert label not in thai_text
    # The area's heading is in Thai; the findings the institution wrote in English stay as written.
    assert "2 · Freedom of expression and opinion" not in thai_text
    assert "Freedom of expression and opinion: the situation remained mixed" in thai_text

    assert not THAI.search(english_text), THAI.findall(english_text)[:20]
    assert "National Human Rights Commission of Thailand" in english_text
    assert "Freedom of expression and opinion" in english_text and "Contents" in english_text


def test_each_language_is_cached_apart(nhrct, member_client, django_capture_on_commit_callbacks):
    institution, cycle = nhrct
    client = member_client(institution, Role.DATA_OFFICER)
    thai = build(client, institution, cycle, "th", django_capture_on_commit_callbacks)
    english = build(client, institution, cycle, "en", django_capture_on_commit_callbacks)
    again = build(client, institution, cycle, "th", django_capture_on_commit_callbacks)
    assert again.pk == thai.pk and again.pk != english.pk
    page = client.get(f"/{institution.slug}/reports/").content.decode()
    assert '<td lang="th">ไทย</td>' in page and '<td lang="en">English</td>' in page


def test_a_language_the_institution_does_not_use_is_refused(nhrct, member_client):
    institution, cycle = nhrct
    client = member_client(institution, Role.DATA_OFFICER)
    response = client.post(f"/{institution.slug}/reports/", {"cycle": cycle.pk, "language": "km"})
    assert response.status_code == 200 and not ReportRun.objects.for_institution(institution).exists()
    assert "Select a valid choice" in response.content.decode()


def test_public_results_page_serves_the_report_in_the_visitors_language(
    nhrct, member_client, django_capture_on_commit_callbacks
):
    from reports import services

    institution, cycle = nhrct
    client = member_client(institution, Role.DATA_OFFICER)
    thai = build(client, institution, cycle, "th", django_capture_on_commit_callbacks)
    english = build(client, institution, cycle, "en", django_capture_on_commit_callbacks)
    services.results_page_update(institution=institution, is_public=True, by=None)
    client.logout()
    url = reverse("reports_public_report", kwargs={"institution_slug": institution.slug})
    for accept, run in (("th", thai), ("en", english), ("km", thai)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'"{run.download_name}"'), (
            accept,
            response["Content-Disposition"],
        )


SHOWN_ONLY_SOMETIMES = {
    "No report has been requested yet.",
    "No cycle has been published yet: a report can be built once a cycle is approved and published.",
    "Details",  # a run not finished yet
    "nightly schedule",
}


def test_the_reports_page_speaks_thai_to_thai_staff(nhrct, member_client, django_capture_on_commit_callbacks):
    """Staff pages had English labels around translated data: the reports page and its navigation are in Thai."""
    from r2dr import languages

    institution, cycle = nhrct
    client = member_client(institution, Role.DATA_OFFICER)
    build(client, institution, cycle, "th", django_capture_on_commit_callbacks)
    client.cookies["django_language"] = "th"
    page = client.get(f"/{institution.slug}/reports/").content.decode()
    assert '<html lang="th"' in page
    sources = set()
    for template in ("reports/templates/reports/national_reports.html", "reports/templates/reports/_runs_table.html"):
        sources |= languages.template_msgids(template)
    sources |= {"Language of the report", "Cycle", "Dashboard", "Reports", "My work", "Institution home", "Ready"}
    with translation.override("th"):
        for msgid in sorted(s for s in sources if isinstance(s, str)):
            thai = translation.gettext(msgid)
            assert THAI.search(thai), f"no Thai for {msgid!r}"
            if msgid in SHOWN_ONLY_SOMETIMES:
                continue
            assert not re.search(rf">\s*{re.escape(msgid)}\s*<", page), msgid  # as a label, not inside data
            assert thai.replace("“", "&ldquo;") in page or thai in page, msgid
