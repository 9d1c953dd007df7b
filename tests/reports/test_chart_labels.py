"""PDF charts carry their labels as HTML text over the drawing: WeasyPrint draws SVG text unshaped
(Kozea/WeasyPrint#2249), which put Thai marks on dotted circles and printed Arabic unjoined and backwards."""

import re
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string

from reports import charts
from reports.templatetags.reports_tags import pdf_chart
from tests.conftest import skip_or_fail

ARABIC = "مضايقة قانونية للمدافعين"
THAI = "การคุกคามทางกฎหมาย"


def _pdf_text(body: str, tmp_path) -> str:
    from weasyprint import HTML

    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext (poppler-utils) is not installed: make system-deps")
    css = render_to_string("reports/pdf/print.css", {"css_title": "Chart"})
    path = tmp_path / "chart.pdf"
    HTML(string=f"<html><head><style>{css}</style></head><body><figure>{body}</figure></body></html>").write_pdf(path)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    "svg",
    [
        charts.hbar_chart(
            "Violations", [ARABIC, THAI, "A label long enough to wrap onto a second line here"], [3, None, 7]
        ),
        charts.line_chart("By year", [2023, 2024, 2025], [(ARABIC, [1, None, 4]), (THAI, [2, 3, 5])]),
        charts.stacked_status_chart("Status", [THAI, ARABIC], [{"enabling": 3, "partly": 2, "restrictive": 1}] * 2),
    ],
    ids=["hbar", "line", "stacked"],
)
def test_every_label_leaves_the_svg_for_html_in_the_same_place(svg):
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    pdf = pdf_chart(svg)
    assert "<text" not in pdf, "a label the PDF would draw unshaped"
    spans = re.findall(r'<span class="chart-label" style="[^"]*">([^<]*)</span>', pdf)
    assert spans == drawn and len(drawn) >= 4
    assert "<rect" in pdf or "<path" in pdf or "<polyline" in pdf  # the drawing itself stays


def test_arabic_and_thai_labels_read_in_order_in_the_pdf(tmp_path):
    text = _pdf_text(pdf_chart(charts.hbar_chart("Violations", [ARABIC, THAI], [3, 5])), tmp_path)
    assert ARABIC in text  # drawn as SVG text it came out backwards: "نيعفادملل ةينوناق ةقياضم"
    assert THAI in text


def test_the_status_legend_wraps_instead_of_running_into_the_next_entry():
    svg = charts.stacked_status_chart("Status", [THAI], [{"enabling": 1}], width=200)
    swatches = [float(x) for x in re.findall(r'<rect x="([\d.]+)" y="\d+" width="12" height="12"', svg)]
    rows = re.findall(r'<rect x="[\d.]+" y="(\d+)" width="12" height="12"', svg)
    assert len(swatches) == 4 and len(set(rows)) >= 2, "four entries do not fit on one 200-unit row"
    for x, label in zip(swatches, ["Enabling", "Partly enabling", "Restrictive", "No data"], strict=True):
        assert x + 16 + charts.text_width(label, 11) <= 200
