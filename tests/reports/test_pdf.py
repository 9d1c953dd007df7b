"""PDF contents (pypdf), fonts for Asia Pacific scripts, and the offline URL fetcher."""

import io
import os
import shutil

import pytest
from pypdf import PdfReader

from r2dr.roles import Role
from reports import pdf, services
from reports.models import ReportKind, RunStatus

pytestmark = pytest.mark.django_db


def _build(kind, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind=kind, **kwargs)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure_reason
    return run


def _reader(run, settings):
    return PdfReader(io.BytesIO((settings.MEDIA_ROOT / run.file_path).read_bytes()))


def _text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader):
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont", "")).split("+")[-1].replace("-", ""))
            for descendant in font.get("/DescendantFonts", []) or []:
                names.add(str(descendant.get_object().get("/BaseFont", "")).split("+")[-1].replace("-", ""))
    return names


def test_national_pdf_contents(fake_sources, world, make_member, settings, django_capture_on_commit_callbacks):
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    # A confidential source is never returned by the selector; make sure nothing else leaks it either.
    run = _build(ReportKind.NATIONAL, django_capture_on_commit_callbacks, institution=world.a, cycle_id=11, by=head)
    reader = _reader(run, settings)
    text = _text(reader)
    for heading in (
        "Contents",
        "Summary",
        "Methodology",
        "Results by thematic area",
        "Case statistics",
        "Comparison with the previous cycle",
        "Findings and recommendations",
    ):
        assert heading in text, heading
    assert "Aland Human Rights Commission" in text
    assert "Registration burden (days)" in text and "120" in text
    assert "Repeal the registration requirement for informal groups." in text
    assert "Public source for A1.1" in text
    assert "Arbitrary detention" in text and "27" in text  # 12 + 15
    # page numbers in the footer ("3 / N") and the table of contents' page references
    assert f"3 / {len(reader.pages)}" in text
    assert run.page_count == len(reader.pages) >= 6


def test_regional_pdf_contents(fake_sources, world, regional_admin, settings, django_capture_on_commit_callbacks):
    run = _build(ReportKind.REGIONAL, django_capture_on_commit_callbacks, by=regional_admin, round_id=2)
    text = _text(_reader(run, settings))
    for heading in (
        "Regional summary",
        "Institutions × thematic areas",
        "Country pages",
        "Case statistics for the region",
        "Methodology notes",
    ):
        assert heading in text, heading
    for country in ("Aland", "Beland", "Celand"):
        assert country in text
    assert "80 %" in text  # share of state perpetrators
    assert "Round 2025" in run.title


NAMES = {
    "NotoSansThai": "คณะกรรมการสิทธิมนุษยชนแห่งชาติ",
    "NotoSansDevanagari": "राष्ट्रिय मानव अधिकार आयोग",
    "NotoSans": "Хүний эрхийн үндэсний комисс",  # Mongolian in Cyrillic script
    "NotoSansKhmer": "គណៈកម្មាធិការសិទ្ធិមនុស្ស",
    "NotoSansMyanmar": "မြန်မာနိုင်ငံ အမျိုးသား လူ့အခွင့်အရေး ကော်မရှင်",
    "NotoNaskhArabic": "المفوضية العليا لحقوق الإنسان",
}


def test_asia_pacific_scripts_use_noto_fonts(
    fake_sources, world, make_member, settings, django_capture_on_commit_callbacks
):
    world.a.name = " · ".join(NAMES.values())
    world.a.save()
    fake_sources.results[0]["findings"] = "\n".join(NAMES.values())
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    run = _build(ReportKind.NATIONAL, django_capture_on_commit_callbacks, institution=world.a, cycle_id=11, by=head)
    reader = _reader(run, settings)
    if os.environ.get("R2DR_KEEP_PDF"):  # to look at the pages: pdftoppm -png -r 60
        shutil.copy(settings.MEDIA_ROOT / run.file_path, os.environ["R2DR_KEEP_PDF"])
    fonts = _fonts(reader)
    for family in NAMES:
        assert any(f == family or f.startswith(family + "Bold") or f.startswith(family + "Regular") for f in fonts), (
            family,
            fonts,
        )
    text = _text(reader)
    assert NAMES["NotoSans"] in text  # Cyrillic extracts cleanly
    assert "العليا" in text or "ﺍﻟﻌﻠﻴﺎ" in text or "لحقوق" in text


def test_fetcher_refuses_the_network_and_foreign_files(settings):
    fetcher = pdf._make_fetcher()
    for url in (
        "http://example.com/x.png",
        "https://example.com/font.woff2",
        "ftp://example.com/a",
        "file:///etc/passwd",
    ):
        with pytest.raises(pdf.OfflineURLFetchError):
            fetcher(url)
    assert fetcher("data:text/plain,hello").read() == b"hello"


def test_remote_image_in_data_does_not_reach_the_network(
    fake_sources, world, make_member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    fake_sources.results[0]["findings"] = (
        '<img src="http://tracker.example/pixel.png"> <link rel=stylesheet href="https://cdn.example/x.css">'
    )
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    run = _build(ReportKind.NATIONAL, django_capture_on_commit_callbacks, institution=world.a, cycle_id=11, by=head)
    # escaped as text, and nothing was fetched
    assert "tracker.example" in _text(_reader(run, settings))
