"""The national dashboard and the national PDF of one institution: one set of selector calls for both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from r2dr.models import Institution
from reports import charts, sources
from reports.charts import DataTable
from reports.selectors.case_tables import case_table
from reports.selectors.labels import STATUSES, change_labels, change_of, cycle_label, status_counts, status_labels

if TYPE_CHECKING:
    from cases.selectors import Release
    from indicators.selectors import Cycle

CASE_DIMENSIONS_NATIONAL = [
    ("violation_type", gettext_lazy("Violations by type")),
    ("defender_group", gettext_lazy("Defenders by category")),
    ("perpetrator_type", gettext_lazy("Alleged perpetrators by type")),
    ("gender", gettext_lazy("Cases by gender of the people affected")),
]


@dataclass
class NationalData:
    institution: Institution
    cycles: list[Cycle]
    cycle: Cycle | None
    previous: Cycle | None
    areas: list | None
    completeness: dict | None
    case_tables: list[DataTable] = field(default_factory=list)
    case_total: int | None = None
    case_total_partial: bool = False  # some years are withheld: the total is a lower bound
    urgent_count: int | None = None
    progress: list = field(default_factory=list)
    status_table: DataTable | None = None
    comparison: DataTable | None = None

    @property
    def has_results(self) -> bool:
        return bool(self.areas)

    def version_payload(self) -> dict:
        return {
            "institution": self.institution,
            "cycle": self.cycle,
            "previous": self.previous,
            "areas": self.areas,
            "completeness": self.completeness,
            "cases": self.case_tables,
        }


def _find_cycle(cycles: list[Cycle], cycle_id: int | None) -> Cycle | None:
    if not cycles:
        return None
    if cycle_id is not None:
        for c in cycles:
            if str(c.pk) == str(cycle_id):
                return c
        return None
    return cycles[0]


def national_dashboard(
    *,
    institution: Institution,
    cycle_id: int | None = None,
    include_urgent: bool = False,
    for_pdf: bool = False,
    public: bool = False,
    case_release: Release | None = None,
) -> NationalData:
    """Everything the national dashboard and the national PDF show for one institution. The dashboard passes the
    precomputed `case_release` (reports/case_release.py); the PDF builds its own from the data as it is."""
    cycles = list(sources.published_cycles(institution=institution))
    cycle = _find_cycle(cycles, cycle_id)
    previous = sources.previous_cycle(cycle=cycle) if cycle is not None else None
    areas = list(sources.national_results(institution=institution, cycle=cycle)) if cycle is not None else None
    data = NationalData(
        institution=institution, cycles=cycles, cycle=cycle, previous=previous, areas=areas, completeness=None
    )
    if areas and cycle is not None:
        data.status_table = _national_status_table(areas)
        data.comparison = _national_comparison_table(areas, cycle, previous)
    if public:
        return data  # the public page shows published results only: no progress, no case figures
    if cycle is not None:
        data.completeness = _national_completeness(institution, cycle)
    if not for_pdf:
        data.progress = _cycle_progress(institution)
    # A report on a cycle shows case statistics up to the end of the cycle's period: incident years up to and
    # including the year of `period_end` (a 2025 cycle has no 2026 column, however late it is built).
    until = datetime.date(cycle.period_end.year, 12, 31) if for_pdf and cycle is not None else None
    data.case_tables, data.case_total, data.case_total_partial = _national_case_tables(
        institution, case_release, until=until
    )
    if include_urgent:
        data.urgent_count = sources.open_urgent_case_count(institution=institution)
    return data


def _national_completeness(institution: Institution, cycle: Cycle) -> dict:
    overview = sources.cycle_overview(institution=institution, cycle=cycle)
    published, due = cycle.published_at, cycle.due_date
    on_time = timezone.localtime(published).date() <= due if published and due else None
    return {
        "completeness": overview.get("completeness"),
        "complete": overview.get("complete"),
        "total": overview.get("total"),
        "submitted_at": published,
        "due_date": due,
        "on_time": on_time,
    }


def _cycle_progress(institution: Institution) -> list[dict]:
    """Every cycle of the institution with its areas approved so far (open ones included: staff only)."""
    out = []
    for c in sources.cycles_for(institution=institution):
        n_areas, n_approved = c.n_areas or 0, c.n_approved or 0
        out.append(
            {
                "cycle": c,
                "status": c.get_status_display(),
                "published": c.status == "published",
                "areas": n_areas,
                "approved": n_approved,
                "share": (n_approved / n_areas) if n_areas else 0.0,
                "due_date": c.due_date,
            }
        )
    return out


def _national_status_table(areas: list[dict]) -> DataTable:
    labels = status_labels()
    table = DataTable(
        key="results_by_area",
        title=_("Indicator status by thematic area"),
        columns=[_("Area"), *labels.values()],
    )
    counts_list = []
    for area in areas:
        counts = status_counts(ind.get("status") for ind in area.get("indicators", []))
        counts_list.append(counts)
        table.rows.append([f"{area['code']} {area['title']}", *[counts[k] for k in STATUSES]])
    table.chart = charts.stacked_status_chart(table.title, [r[0] for r in table.rows], counts_list)
    return table


def _national_comparison_table(areas: list[dict], cycle: Cycle, previous: Cycle | None) -> DataTable:
    labels = status_labels()
    changes = change_labels()
    table = DataTable(
        key="change_since_previous",
        title=_("Change since the previous cycle"),
        columns=[
            _("Indicator"),
            _("Previous value") + (f" ({cycle_label(previous)})" if previous else ""),
            _("Previous status"),
            _("Value") + f" ({cycle_label(cycle)})",
            _("Status"),
            _("Change"),
        ],
    )
    for area in areas:
        for ind in area.get("indicators", []):
            table.rows.append(
                [
                    f"{ind['code']} {ind['title']}",
                    ind.get("previous_value_display") or "",
                    labels.get(ind.get("previous_status"), "") if ind.get("previous_status") else "",
                    ind.get("value_display") or "",
                    labels.get(ind.get("status"), labels["nodata"]),
                    changes[change_of(ind.get("status"), ind.get("previous_status"))],
                ]
            )
    return table


def _national_case_tables(
    institution: Institution, release: Release | None, *, until: datetime.date | None = None
) -> tuple[list[DataTable], int, bool]:
    # One release, sliced: every table, the total and the CSVs show the same jointly suppressed numbers.
    if release is None:
        release = sources.case_statistics_release(institution=institution)
    tables = []
    for group_by, title in CASE_DIMENSIONS_NATIONAL:
        rows = sources.case_statistics(institution=institution, group_by=group_by, release=release, date_to=until)
        tables.append(case_table(f"cases_by_{group_by}", str(title), list(rows)))
    # A case may have several violation types: the total counts each case once, per year (withheld years left out).
    per_year = sources.case_statistics(institution=institution, group_by="year", release=release, date_to=until)
    total = sum(r.get("count") or 0 for r in per_year if not r.get("suppressed"))
    return tables, total, any(r.get("suppressed") for r in per_year)


def national_summary(data: NationalData) -> dict:
    indicators = [ind for area in data.areas or [] for ind in area.get("indicators", [])]
    changes = [change_of(i.get("status"), i.get("previous_status")) for i in indicators]
    return {
        "indicators": len(indicators),
        "enabling": sum(1 for i in indicators if i.get("status") == "enabling"),
        "restrictive": sum(1 for i in indicators if i.get("status") == "restrictive"),
        "better": changes.count("better"),
        "worse": changes.count("worse"),
    }
