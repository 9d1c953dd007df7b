"""The regional dashboard and the regional PDF: a constant number of selector calls, whatever the region's size.

Regional reads only what institutions published (indicators) or shared (case statistics, as one jointly
suppressed release that the caller passes in: the dashboard a precomputed one, a PDF a fresh one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from r2dr.selectors import institutions_in_service
from reports import charts, sources
from reports.charts import DataTable
from reports.selectors.case_tables import case_table
from reports.selectors.labels import STATUSES, cycle_label, status_counts, status_labels

if TYPE_CHECKING:
    from cases.selectors import Release
    from indicators.selectors import MonitoringRound

REGIONAL_CASE_DIMENSIONS = [
    ("violation_type", True, "Violations by type and year"),
    ("subregion", True, "Cases by sub-region and year"),
    ("country", False, "Cases by country"),
    ("defender_group", False, "Defenders by category"),
    ("gender", False, "Cases by gender of the people affected"),
    ("right", False, "Rights affected"),
    ("perpetrator_type", False, "Alleged perpetrators by type"),
]


@dataclass
class RegionalData:
    rounds: list[MonitoringRound]
    round_id: int | None
    filters: dict
    areas: list
    rows: list
    all_areas: list
    matrix_table: DataTable | None = None
    area_table: DataTable | None = None
    completeness_table: DataTable | None = None
    comparison_table: DataTable | None = None
    case_tables: list[DataTable] = field(default_factory=list)
    state_share: float | None = None
    countries: list = field(default_factory=list)
    unpublished: list = field(default_factory=list)
    completeness_round: int | None = None
    country_details: dict = field(default_factory=dict)
    institution_count: int = 0

    def tables(self) -> list[DataTable]:
        out = [self.matrix_table, self.area_table, self.completeness_table, self.comparison_table, *self.case_tables]
        return [t for t in out if t is not None]

    def version_payload(self) -> dict:
        return {
            "round": self.round_id,
            "filters": self.filters,
            "tables": self.tables(),
            "details": self.country_details,
        }


def regional_dashboard(
    *,
    round_id: int | None = None,
    subregion: str | None = None,
    country: str | None = None,
    area: str | None = None,
    case_release: Release | None = None,
    for_pdf: bool = False,
) -> RegionalData:
    """The regional dashboard and regional PDF. `case_release`: the regional case statistics release to slice
    (the dashboard's precomputed one); without it a fresh one is built, as a PDF needs."""
    rounds = list(sources.rounds())
    round_id = round_id or None  # None: each institution's latest published cycle
    # Completeness and timeliness are about a round: the chosen one, or the newest.
    completeness_round = round_id or (rounds[0].pk if rounds else None)
    data = RegionalData(
        rounds=rounds,
        round_id=round_id,
        filters={"subregion": subregion or "", "country": country or "", "area": area or ""},
        areas=[],
        rows=[],
        all_areas=[],
        completeness_round=completeness_round,
    )
    matrix = sources.regional_status_matrix(round_id=round_id, subregion=subregion or None, country=country or None)
    data.all_areas = list(matrix.get("areas", []))
    data.areas = [a for a in data.all_areas if not area or a["code"] == area]
    rows = sorted(
        matrix.get("rows", []),
        key=lambda r: (r["institution"].subregion, r["institution"].country, r["institution"].name),
    )
    data.rows = [r for r in rows if r.get("cycle") is not None]
    data.unpublished = [r["institution"] for r in rows if r.get("cycle") is None]
    data.institution_count = len(data.rows)
    data.matrix_table = _matrix_table(data.areas, data.rows)
    data.area_table = _area_distribution_table(data.areas, data.rows)
    data.comparison_table = _round_comparison_table(data, rounds, round_id, subregion, country)
    data.countries = countries(subregion)
    if completeness_round:
        data.completeness_table = _completeness_table(
            [
                r
                for r in sources.regional_completeness(round_id=completeness_round)
                if (not subregion or r["institution"].subregion == subregion)
                and (not country or r["institution"].country_code.lower() == country.lower())
            ]
        )
    if case_release is None:
        case_release = sources.case_statistics_release(regional=True)
    data.case_tables, data.state_share = _regional_case_tables(case_release, subregion=subregion, country=country)
    if for_pdf:
        data.country_details = regional_country_details(data)
    return data


def countries(subregion: str | None = None) -> list[tuple[str, str]]:
    """(ISO code, name) of member institutions' countries, for the country filter."""
    qs = institutions_in_service()
    if subregion:
        qs = qs.filter(subregion=subregion)
    return sorted(set(qs.values_list("country_code", "country")), key=lambda c: c[1])


def round_name(rounds: list[MonitoringRound], round_id: int | None) -> str:
    """The name of the round `round_id` among `rounds` ("" when it is not one of them)."""
    return next((cycle_label(r) for r in rounds if str(r.pk) == str(round_id)), "")


def _cell_status(row: dict, code: str) -> str:
    return (row["cells"].get(code) or {}).get("status", "nodata")


def _matrix_table(areas: list[dict], rows: list[dict]) -> DataTable:
    labels = status_labels()
    table = DataTable(
        key="status_matrix",
        title=_("Status of each institution by thematic area"),
        columns=[_("Institution"), _("Country"), _("Cycle"), *[f"{a['code']} {a['title']}" for a in areas]],
    )
    for row in rows:
        inst = row["institution"]
        table.rows.append(
            [
                str(inst),
                inst.country,
                cycle_label(row.get("cycle")),
                *[labels.get(_cell_status(row, a["code"])) for a in areas],
            ]
        )
    return table


def _area_distribution_table(areas: list[dict], rows: list[dict]) -> DataTable:
    labels = status_labels()
    table = DataTable(
        key="institutions_by_status",
        title=_("Institutions by status in each thematic area"),
        columns=[_("Area"), *labels.values()],
    )
    counts_list = []
    for a in areas:
        counts = status_counts(_cell_status(row, a["code"]) for row in rows)
        counts_list.append(counts)
        table.rows.append([f"{a['code']} {a['title']}", *[counts[k] for k in STATUSES]])
    table.chart = charts.stacked_status_chart(table.title, [r[0] for r in table.rows], counts_list)
    return table


def _previous_round_id(rounds: list[MonitoringRound], round_id: int | None) -> int | None:
    ids = [str(r.pk) for r in rounds]
    if round_id is None or str(round_id) not in ids:
        return None
    index = ids.index(str(round_id))
    return rounds[index + 1].pk if index + 1 < len(rounds) else None


def _round_comparison_table(
    data: RegionalData,
    rounds: list[MonitoringRound],
    round_id: int | None,
    subregion: str | None,
    country: str | None,
) -> DataTable | None:
    """Enabling areas per institution: this round against the previous round."""
    previous_id = _previous_round_id(rounds, round_id)
    if previous_id is None:
        return None
    previous = sources.regional_status_matrix(
        round_id=previous_id, subregion=subregion or None, country=country or None
    )
    before = {r["institution"].pk: r for r in previous.get("rows", [])}
    area_codes = [a["code"] for a in data.areas]

    def enabling(row: dict | None) -> int | None:
        if row is None:
            return None
        return sum(1 for c in area_codes if _cell_status(row, c) == "enabling")

    table = DataTable(
        key="round_comparison",
        title=_("Areas rated enabling: this round and the previous one"),
        columns=[
            _("Institution"),
            round_name(rounds, previous_id) or _("Previous round"),
            round_name(rounds, round_id) or _("This round"),
            _("Change"),
        ],
    )
    for row in data.rows:
        now, then = enabling(row), enabling(before.get(row["institution"].pk))
        delta = None if then is None or now is None else now - then
        table.rows.append([str(row["institution"]), then, now, "" if delta is None else f"{delta:+d}"])
    return table


def _completeness_table(rows: list[dict]) -> DataTable:
    table = DataTable(
        key="completeness",
        title=_("Completeness and timeliness in this round"),
        columns=[_("Institution"), _("Cycle"), _("Complete"), _("Submitted"), _("Due"), _("On time")],
    )
    yes, no = _("yes"), _("no")
    rows = sorted(rows, key=lambda r: (-(r.get("completeness") or 0), str(r["institution"])))
    for r in rows:
        table.rows.append(
            [
                str(r["institution"]),
                cycle_label(r.get("cycle")),
                f"{round((r.get('completeness') or 0) * 100)} %",
                r["submitted_at"].date().isoformat() if isinstance(r.get("submitted_at"), datetime) else "",
                r["due_date"].isoformat() if isinstance(r.get("due_date"), date) else "",
                "" if r.get("on_time") is None else (yes if r.get("on_time") else no),
            ]
        )
    table.chart = charts.hbar_chart(
        table.title,
        [str(r["institution"]) for r in rows],
        [round((r.get("completeness") or 0) * 100) for r in rows],
        unit="%",
    )
    return table


def regional_case_rows(
    *, group_by: str, release: Release, subregion: str | None = None, country: str | None = None
) -> list:
    """One published regional table (case_statistics rows), sliced from the jointly suppressed release."""
    return sources.case_statistics(
        regional=True, group_by=group_by, subregion=subregion or None, country=country or None, release=release
    )


def _regional_case_tables(
    release: Release, *, subregion: str | None = None, country: str | None = None
) -> tuple[list[DataTable], float | None]:
    titles = {
        "violation_type": _("Violations by type and year"),
        "subregion": _("Cases by sub-region and year"),
        "country": _("Cases by country"),
        "defender_group": _("Defenders by category"),
        "gender": _("Cases by gender of the people affected"),
        "right": _("Rights affected"),
        "perpetrator_type": _("Alleged perpetrators by type"),
    }
    first_columns = {"country": _("Country"), "subregion": _("Sub-region"), "gender": _("Gender")}
    tables, state_share = [], None
    for group_by, by_year, _title in REGIONAL_CASE_DIMENSIONS:
        rows = list(regional_case_rows(group_by=group_by, subregion=subregion, country=country, release=release))
        tables.append(
            case_table(
                f"cases_by_{group_by}",
                titles[group_by],
                rows,
                by_year=by_year,
                first_column=first_columns.get(group_by),
            )
        )
        if group_by == "perpetrator_type":
            state_share = _state_share(rows)
    return tables, state_share


def _state_share(rows: list[dict]) -> float | None:
    """Share of perpetrator attributions that name a state actor, over the cells not withheld; the kind of each
    perpetrator type comes from the cases app's taxonomy, never guessed from codes."""
    counted = [r for r in rows if not r.get("suppressed") and r.get("count") is not None]
    total = sum(r["count"] for r in counted)
    if not total:
        return None
    kinds = sources.perpetrator_kinds()
    return sum(r["count"] for r in counted if kinds.get(str(r.get("key"))) == "state") / total


def regional_summary(data: RegionalData) -> dict:
    rated = [_cell_status(row, a["code"]) for row in data.rows for a in data.areas]
    rated = [s for s in rated if s != "nodata"]
    return {"enabling_share": (rated.count("enabling") / len(rated)) if rated else None}


def regional_country_details(data: RegionalData) -> dict:
    """{institution id: its published cycle's areas (findings, recommendations)} for the country pages.

    One national_results call per institution: the PDF is built by a worker, not on a page load."""
    out = {}
    for row in data.rows:
        areas = sources.national_results(institution=row["institution"], cycle=row["cycle"])
        out[row["institution"].pk] = [a for a in areas if a.get("findings") or a.get("recommendations")]
    return out


def regional_completeness_by_institution(*, round_id: int | None) -> dict:
    return {r["institution"].pk: r for r in sources.regional_completeness(round_id=round_id)}
