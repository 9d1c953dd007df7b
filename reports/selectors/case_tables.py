"""Case statistics as tables and charts: rows of `cases.selectors.case_statistics`, one table per dimension."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from django.utils.translation import gettext as _

from reports import charts
from reports.charts import DataTable


def _case_series(rows: list[dict]) -> tuple[list, OrderedDict, dict]:
    """[{key,label,year,count,suppressed}] -> (years, OrderedDict label -> {year: count|None}), total."""
    years = sorted({r["year"] for r in rows if r.get("year") is not None})
    series: OrderedDict[str, dict] = OrderedDict()
    totals: defaultdict[str, int] = defaultdict(int)
    for r in rows:
        label = str(r.get("label") or r.get("key"))
        series.setdefault(label, {})
        count = None if r.get("suppressed") else r.get("count")
        series[label][r.get("year")] = count
        if count:
            totals[label] += count
    ordered = OrderedDict(sorted(series.items(), key=lambda kv: (-totals[kv[0]], kv[0])))
    return years, ordered, totals


def case_table(
    key: str, title: str, rows: list[dict], *, by_year: bool = True, first_column: str | None = None
) -> DataTable:
    first_column = first_column or _("Category")
    years, series, totals = _case_series(rows)
    if by_year and years:
        table = DataTable(key=key, title=title, columns=[first_column, *[str(y) for y in years], _("Total")])
        for label, per_year in series.items():
            cells = [per_year.get(y, 0) for y in years]
            # A row total next to a withheld cell would misstate the total: it is withheld too.
            table.rows.append([label, *cells, None if any(c is None for c in cells) else totals[label]])
        # Drawn from the table's own rows: the legend names every category the table shows, and a withheld
        # cell ("–") is a break in the line.
        table.chart = charts.line_chart(title, years, [(row[0], row[1:-1]) for row in table.rows])
    else:
        table = DataTable(key=key, title=title, columns=[first_column, _("Cases")])
        for label, per_year in series.items():
            values = list(per_year.values())
            total = None if any(v is None for v in values) else sum(values)
            table.rows.append([label, total])
        table.chart = charts.hbar_chart(title, [r[0] for r in table.rows], [r[1] for r in table.rows])
    if any(r.get("suppressed") for r in rows):
        table.note = _("“–” marks counts withheld because they are small enough to identify people.")
    return table
