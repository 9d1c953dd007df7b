"""Hand-written SVG charts that render the same in browsers and in WeasyPrint.

No script, no inline style: colours are SVG `fill`/`stroke` attributes (allowed
by the Content-Security-Policy). Every chart is drawn from a `DataTable`, the
same object that the page shows as the chart's table alternative and offers
as CSV, so the three can never disagree.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# Colour-blind-safe palette (Okabe-Ito, darkened for contrast on white).
PALETTE = ["#0b5563", "#d55e00", "#0072b2", "#cc79a7", "#009e73", "#8a6d00", "#56b4e9", "#5a6472", "#b3261e"]
STATUS_COLOURS = {"enabling": "#1f7a3a", "partly": "#946200", "restrictive": "#b3261e", "nodata": "#8a8f98"}
FONT = "Noto Sans, system-ui, sans-serif"


@dataclass
class DataTable:
    """A chart's data: what the SVG draws, the table alternative and the CSV."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if cell is None else _csv_safe(cell) for cell in row])
        return out.getvalue()


def _csv_safe(cell):
    # Spreadsheet formula injection: a text cell may not start with = + - @.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0%}" if value <= 1 else f"{value:,.0f}"
    return f"{value:,}"


def _svg(width: int, height: int, title: str, body: list[str], desc: str = "") -> str:
    title_e = escape(title)
    desc_e = escape(desc or _("The same figures are in the table that follows the chart."))
    return mark_safe(  # noqa: S308 - every text node below is escaped
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{FONT}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{title_e}</title><desc>{desc_e}</desc>' + "".join(body) + "</svg>"
    )


def hbar_chart(
    title: str, labels: list[str], values: list, *, width: int = 400, colour: str = PALETTE[0], unit: str = ""
) -> str:
    """Horizontal bars, label above each bar (readable on a phone), wrapped to the chart's width so a long
    label is never cut off. None = suppressed. `unit` follows each value ("%" for percentages: "100 %")."""
    label_size, line_h, row_h = 13, 17, 38
    wrapped = [wrap_text(label, label_size, width) for label in labels]
    height = 6 + sum(row_h + line_h * (len(lines) - 1) for lines in wrapped) + (0 if labels else row_h) + 4
    numeric = [v for v in values if isinstance(v, int | float)]
    peak = max(numeric, default=0) or 1
    bar_w = width - 70
    body = []
    y = 6
    for lines, value in zip(wrapped, values, strict=True):
        for n, line in enumerate(lines):
            body.append(
                f'<text x="0" y="{y + 12 + n * line_h}" font-size="{label_size}" fill="#1b2430">{escape(line)}</text>'
            )
        bar_y = y + line_h * (len(lines) - 1) + 17
        y = bar_y + row_h - 17
        if value is None:
            body.append(
                f'<rect x="0" y="{bar_y}" width="{bar_w}" height="14" fill="none" stroke="#c5cbd3" '
                f'stroke-dasharray="4 3"/><text x="6" y="{bar_y + 11}" font-size="11" fill="#5a6472">'
                f"{escape(_('suppressed (small number)'))}</text>"
            )
            continue
        w = max(round(bar_w * value / peak, 1), 1 if value else 0)
        shown = _fmt(value) + (f" {unit}" if unit else "")
        body.append(f'<rect x="0" y="{bar_y}" width="{w}" height="14" rx="2" fill="{colour}"/>')
        body.append(f'<text x="{w + 6}" y="{bar_y + 12}" font-size="12" fill="#1b2430">{escape(shown)}</text>')
    return _svg(width, height, title, body)


# Beyond the palette, a series is told apart by its dash pattern as well as its colour.
DASHES = ["", "7 4", "2 3"]


def _line_style(s: int) -> tuple[str, str]:
    colour = PALETTE[s % len(PALETTE)]
    dash = DASHES[(s // len(PALETTE)) % len(DASHES)]
    return colour, (f' stroke-dasharray="{dash}"' if dash else "")


def _segments(vals: list, x, y) -> list[list[tuple[float, float]]]:
    """Runs of consecutive drawn points: a withheld (None) value ends a run, so no line crosses it."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(vals):
        if isinstance(v, int | float):
            runs[-1].append((x(i), y(v)))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def line_chart(title: str, categories: list, series: list[tuple[str, list]], *, width: int = 400) -> str:
    """One line per series over ordered categories (years), every series in the legend. A None point (a
    withheld count) breaks the line: the points either side are drawn, never joined, and a note says why."""
    height, left, right, top, bottom = 220, 40, 12, 12, 28
    legend_size, legend_line = 12, 16
    legend = [wrap_text(str(name), legend_size, width - 26) for name, _v in series]
    gaps = any(v is None for _n, vals in series for v in vals)
    gap_note = wrap_text(_("A break in a line marks a year withheld (–) in the table."), 11, width - 4) if gaps else []
    total_h = height + sum(legend_line * len(lines) + 4 for lines in legend) + 14 * len(gap_note) + 6
    numeric = [v for _n, vals in series for v in vals if isinstance(v, int | float)]
    peak = max(numeric, default=0) or 1
    peak = _nice_ceiling(peak)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(categories), 1)

    def x(i):
        return left + (plot_w * (i + 0.5) / n)

    def y(v):
        return top + plot_h - plot_h * v / peak

    body = []
    for step in range(5):
        v = peak * step / 4
        yy = y(v)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e7ec"/>')
        body.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" font-size="11" text-anchor="end" fill="#5a6472">{_fmt(int(v))}</text>'
        )
    for i, cat in enumerate(categories):
        body.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#5a6472">'
            f"{escape(str(cat))}</text>"
        )
    ly = height + 6
    for s, ((_name, vals), lines) in enumerate(zip(series, legend, strict=True)):
        colour, dash = _line_style(s)
        segments = _segments(vals, x, y)
        for run in segments:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for px, py in (p for run in segments for p in run):
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
        body.append(
            f'<line x1="2" x2="16" y1="{ly + 6}" y2="{ly + 6}" stroke="{colour}" stroke-width="2.5"{dash}/>'
            f'<circle cx="9" cy="{ly + 6}" r="3" fill="{colour}"/>'
        )
        for k, line in enumerate(lines):
            body.append(
                f'<text x="22" y="{ly + 11 + k * legend_line}" font-size="{legend_size}" fill="#1b2430">'
                f"{escape(line)}</text>"
            )
        ly += legend_line * len(lines) + 4
    for k, line in enumerate(gap_note):
        body.append(f'<text x="2" y="{ly + 11 + k * 14}" font-size="11" fill="#5a6472">{escape(line)}</text>')
    return _svg(width, total_h, title, body)


def stacked_status_chart(title: str, labels: list[str], counts: list[dict], *, width: int = 400) -> str:
    """100 % bars of indicator statuses per label (enabling / partly / restrictive / no data)."""
    order = [
        ("enabling", _("Enabling")),
        ("partly", _("Partly enabling")),
        ("restrictive", _("Restrictive")),
        ("nodata", _("No data")),
    ]
    row_h, top = 38, 6
    body = []
    for i, (label, c) in enumerate(zip(labels, counts, strict=True)):
        yy = top + i * row_h
        body.append(f'<text x="0" y="{yy + 12}" font-size="13" fill="#1b2430">{escape(_short(label, 70))}</text>')
        total = sum(c.get(k, 0) or 0 for k, _l in order) or 1
        xx = 0.0
        for key, _label in order:
            w = width * (c.get(key, 0) or 0) / total
            if w <= 0:
                continue
            body.append(f'<rect x="{xx:.1f}" y="{yy + 17}" width="{w:.1f}" height="14" fill="{STATUS_COLOURS[key]}"/>')
            if w > 22:
                body.append(
                    f'<text x="{xx + w / 2:.1f}" y="{yy + 28}" font-size="11" text-anchor="middle" fill="#fff">'
                    f"{c.get(key)}</text>"
                )
            xx += w
    # The legend: one entry after another, onto a new row when the next would run past the edge.
    ly, lx = top + row_h * len(labels) + 6, 0.0
    for key, label in order:
        entry = 16 + text_width(label, 11)
        if lx and lx + entry > width:
            lx, ly = 0.0, ly + 18
        body.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" rx="2" fill="{STATUS_COLOURS[key]}"/>')
        body.append(f'<text x="{lx + 16:.1f}" y="{ly + 11}" font-size="11" fill="#1b2430">{escape(label)}</text>')
        lx += entry + 14
    height = ly + 20
    return _svg(width, height, title, body)


# Advance widths of Noto Sans in em, by kind of character: enough to wrap labels before they run off the chart.
_NARROW = set("iIjlft.,:;'|!()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """An upper estimate of the drawn width of `text` at font size `size` (px) in Noto Sans."""
    em = 0.0
    for ch in str(text):
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":  # Thai vowels and tone marks, harakat
            continue
        if ch in _NARROW:
            em += 0.32
        elif ch in _WIDE:
            em += 0.92
        elif ord(ch) >= 0x2E80:  # CJK and other full-width scripts
            em += 1.0
        elif ch.isupper() or ch.isdigit():
            em += 0.68
        else:
            em += 0.58
    return em * size


def wrap_text(text: str, size: float, max_width: float) -> list[str]:
    """`text` in lines no wider than `max_width` at `size`, broken at spaces (a single over-long word is cut
    into pieces that fit, so nothing is ever drawn beyond the chart's edge)."""
    lines: list[str] = []
    current = ""
    for word in str(text).split():
        while text_width(word, size) > max_width:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size) > max_width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def _short(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_ceiling(value: float) -> float:
    """The smallest 4 x step at or above `value`, with a whole, round step: four gridlines at round numbers."""
    if value <= 4:
        return 4
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step >= raw_step and float(step).is_integer():
            return 4 * step
    return 40 * magnitude


# What `_svg`'s callers write for every label: x, y, size, an optional anchor, a colour, escaped text.
_LABEL = re.compile(
    r'<text x="(?P<x>-?[\d.]+)" y="(?P<y>-?[\d.]+)" font-size="(?P<size>[\d.]+)"'
    r'(?: text-anchor="(?P<anchor>start|middle|end)")? fill="(?P<fill>#[0-9a-fA-F]{3,6})">(?P<text>[^<]*)</text>'
)
_VIEWBOX = re.compile(r'viewBox="0 0 (?P<w>[\d.]+) (?P<h>[\d.]+)"')
# Where the baseline falls in a line box one em high, for Noto Sans ((1 - (ascent + descent)) / 2 + ascent).
_BASELINE = 0.888
PX_PER_MM = 96 / 25.4


def with_html_labels(svg: str, *, width_mm: float) -> str:
    """The chart for a PDF `width_mm` wide, its labels taken out of the SVG and laid over the drawing as HTML.

    WeasyPrint draws SVG text glyph by glyph, unshaped (Kozea/WeasyPrint#2249): Thai vowels and tone marks land
    on dotted circles and Arabic comes out unjoined and backwards. HTML text it shapes like any other, so each
    label becomes a span at the same place, size and colour, scaled with the drawing."""
    box = _VIEWBOX.search(svg)
    if not box:
        return svg
    view_w, view_h = float(box["w"]), float(box["h"])
    scale = width_mm * PX_PER_MM / view_w
    labels = []
    for m in _LABEL.finditer(svg):
        x, y, size = float(m["x"]) * scale, float(m["y"]) * scale, float(m["size"]) * scale
        top = y - size * _BASELINE
        anchor = m["anchor"] or "start"
        if anchor == "start":
            place = f"left:{x:.1f}px"
        elif anchor == "end":
            place = f"right:{view_w * scale - x:.1f}px;text-align:right"
        else:  # centred on x in a box wider than any label
            place = f"left:{x - 100:.1f}px;width:200px;text-align:center"
        labels.append(
            f'<span class="chart-label" style="{place};top:{top:.1f}px;font-size:{size:.1f}px;color:{m["fill"]}">'
            f"{m['text']}</span>"
        )
    drawing = _LABEL.sub("", svg)
    return mark_safe(  # noqa: S308 - the labels' text was escaped when the SVG was drawn
        f'<div class="chart-drawing" style="width:{width_mm}mm;height:{view_h * scale:.1f}px">'
        f"{drawing}{''.join(labels)}</div>"
    )
