"""What the PDF charts draw: every category of the table in the legend, years up to the cycle, breaks at
withheld years, labels that fit and percentages with their unit."""

import os
import re
import shutil
import subprocess

import pytest

from r2dr.roles import Role
from reports import charts, services
from reports.models import ReportKind, RunStatus
from reports.selectors.case_tables import case_table

pytestmark = pytest.mark.django_db

SCREENS = "/work/notes/screens"


def _rows(data):
    return [{"key": k, "label": k, "year": y, "count": n, "suppressed": n is None} for k, y, n in data]


def _legend(svg):
    """The texts of the legend entries of a line chart (below the plot)."""
    return re.findall(r'<text x="22" y="\d+" font-size="12" fill="#1b2430">([^<]*)</text>', svg)


def test_line_chart_legend_lists_every_category_of_the_table():
    data = [(f"Category {i}", year, 20 - i) for i in range(8) for year in (2024, 2025)]
    table = case_table("t", "Violations", _rows(data))
    assert [r[0] for r in table.rows] == [f"Category {i}" for i in range(8)]
    assert _legend(table.chart) == [r[0] for r in table.rows]
    # each category has its own look: colour and dash pattern together
    looks = re.findall(
        r'<polyline points="[^"]*" fill="none" stroke="([^"]+)" stroke-width="2.5"( stroke-dasharray="[^"]+")?',
        table.chart,
    )
    assert len(set(looks)) == 8


def _polylines(svg):
    return [p.split() for p in re.findall(r'<polyline points="([^"]*)"', svg)]


def test_line_chart_breaks_at_a_withheld_year():
    svg = charts.line_chart("T", [2022, 2023, 2024, 2025], [("A", [10, 12, None, 14])])
    lines = _polylines(svg)
    # 2022-2023 is a line; 2025 stands alone as a marker; nothing joins 2023 to 2025
    assert [len(points) for points in lines] == [2]
    assert svg.count('r="3.5"') == 3
    assert "withheld" in svg  # the gap is explained below the chart


def test_line_chart_without_gaps_is_one_line_and_no_gap_note():
    svg = charts.line_chart("T", [2024, 2025], [("A", [10, 12])])
    assert [len(points) for points in _polylines(svg)] == [2]
    assert "withheld" not in svg


def test_case_table_chart_breaks_where_the_table_shows_a_dash():
    table = case_table("t", "V", _rows([("A", 2023, 10), ("A", 2024, None), ("A", 2025, 12)]))
    assert table.rows == [["A", 10, None, 12, None]]
    assert _polylines(table.chart) == []  # two isolated points: markers only
    assert table.chart.count('r="3.5"') == 2


def test_hbar_percentages_carry_the_unit_and_long_labels_fit():
    long = "Completeness and timeliness of the National Human Rights Commission of a long-named country"
    svg = charts.hbar_chart("T", [long, "B"], [100, 50], unit="%")
    texts = re.findall(r">([^<]*)</text>", svg)
    assert "100 %" in texts and "50 %" in texts
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    for text in texts:
        assert charts.text_width(text, 13) <= width, text
    # the long label is wrapped, not dropped: every word is still there
    assert " ".join(texts).split() >= long.split() or all(w in " ".join(texts) for w in long.split())


def test_completeness_chart_shows_percentages(fake_sources):
    from reports.selectors import regional_dashboard

    data = regional_dashboard(round_id=2, for_pdf=True)
    chart = data.completeness_table.chart
    assert "75 %" in chart and "50 %" in chart
    assert ">75<" not in chart


def _build(kind, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind=kind, **kwargs)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure_reason
    return run


def _pdftotext(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _screens(path, name, pages):
    name = os.environ.get("PDF_SCREEN_PREFIX", "") + name
    if shutil.which("pdftoppm"):
        for first in pages:
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "60",
                    "-png",
                    "-f",
                    str(first),
                    "-l",
                    str(first),
                    str(path),
                    f"{SCREENS}/pdf-{name}-p{first}",
                ],
                check=False,
            )


def test_national_pdf_shows_years_up_to_the_cycle_and_every_category(
    fake_sources, world, make_member, settings, django_capture_on_commit_callbacks
):
    # a case recorded in 2026, after the 2025 cycle's period
    fake_sources.cases["violation_type"].append(("detention", "Arbitrary detention", 2026, 40))
    fake_sources.cases["year"].append(("2026", "2026", 2026, 40))
    for i in range(5):
        fake_sources.cases["violation_type"].append((f"v{i}", f"Violation kind {i}", 2025, 5 + i))
    head = make_member(world.a, Role.INSTITUTION_HEAD)
    run = _build(ReportKind.NATIONAL, django_capture_on_commit_callbacks, institution=world.a, cycle_id=11, by=head)
    path = settings.MEDIA_ROOT / run.file_path
    _screens(path, "national", range(5, 9))
    text = _pdftotext(path)
    cases = text[text.index("Verified cases recorded") : text.index("Values and statuses of")]
    assert "2026" not in cases
    # the summary counts the cases of 2024 and 2025 (20 + 25), not those of 2026
    assert re.search(r"STATISTICS\s+3\s+4\s+1\s+1\s+(\d+)", text).group(1) == "45"
    for i in range(5):
        # in the table and in the legend of the chart
        assert cases.count(f"Violation kind {i}") >= 2, i


def test_regional_pdf_completeness_and_gaps(
    fake_sources, world, regional_admin, settings, django_capture_on_commit_callbacks
):
    run = _build(ReportKind.REGIONAL, django_capture_on_commit_callbacks, by=regional_admin, round_id=2)
    path = settings.MEDIA_ROOT / run.file_path
    _screens(path, "regional", range(1, 14))
    text = _pdftotext(path)
    assert "75 %" in text
    assert "A break in a line marks a year withheld" in text
