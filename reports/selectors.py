"""Reads of the reports app: dashboards, report contents, runs.

Dashboards and PDFs are built from the same functions here, which read other
apps only through `reports.sources` (their selectors). Each function calls a
fixed set of selectors, so a page's query count does not grow with the data.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from r2dr.models import Institution
from reports import charts, sources
from reports.charts import DataTable
from reports.models import ReportKind, ReportRun, ResultsPage, RunStatus

# Bumped whenever a PDF layout changes, so cached files are rebuilt.
LAYOUT_VERSION = "2026-11-23.5"
STATUSES = ["enabling", "partly", "restrictive", "nodata"]
CASE_DIMENSIONS_NATIONAL = [
    ("violation_type", gettext_lazy("Violations by type")),
    ("defender_group", gettext_lazy("Defenders by category")),
    ("perpetrator_type", gettext_lazy("Alleged perpetrators by type")),
    ("gender", gettext_lazy("Cases by gender of the people affected")),
]


def status_labels() -> dict[str, str]:
    return {
        "enabling": _("Enabling"),
        "partly": _("Partly enabling"),
        "restrictive": _("Restrictive"),
        "nodata": _("No data"),
    }


def cycle_label(cycle) -> str:
    if cycle is None:
        return ""
    for attr in ("label", "name", "title"):
        value = getattr(cycle, attr, None)
        if value:
            return str(value)
    year = getattr(cycle, "year", None)
    return str(year) if year else str(cycle)


def cycle_year(cycle):
    for attr in ("year", "period_end", "end_date", "period_start"):
        value = getattr(cycle, attr, None)
        if isinstance(value, int):
            return value
        if isinstance(value, date):
            return value.year
    return None


# --- data version -------------------------------------------------------------


def _plain(value):
    """A JSON-able, stable form of selector output (model rows become their key and text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, DataTable):
        return [value.key, value.columns, _plain(value.rows)]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return f"{value._meta.label}:{value.pk}:{value}"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dict__") and not callable(value):
        return _plain({k: v for k, v in vars(value).items() if not k.startswith("_")})
    return str(value)


def data_version(data, *, language: str) -> str:
    """Hash of everything a report shows, in the language it is written in."""
    payload = json.dumps([LAYOUT_VERSION, language, _plain(data)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


# --- national -----------------------------------------------------------------


@dataclass
class NationalData:
    institution: Institution
    cycles: list | None
    cycle: object | None
    previous: object | None
    areas: list | None
    completeness: dict | None
    case_tables: list[DataTable] = field(default_factory=list)
    case_total: int | None = None
    case_total_partial: bool = False  # some years are withheld: the total is a lower bound
    urgent_count: int | None = None
    progress: list = field(default_factory=list)
    status_table: DataTable | None = None
    comparison: DataTable | None = None
    sources_available: dict = field(default_factory=dict)

    @property
    def has_results(self) -> bool:
        return bool(self.areas)

    def version_payload(self):
        return {
            "institution": self.institution,
            "cycle": self.cycle,
            "previous": self.previous,
            "areas": self.areas,
            "completeness": self.completeness,
            "cases": self.case_tables,
        }


def _find_cycle(cycles, cycle_id):
    if not cycles:
        return None
    if cycle_id is not None:
        for c in cycles:
            if str(c.pk) == str(cycle_id):
                return c
        return None
    return cycles[0]


def national_dashboard(
    *, institution, cycle_id=None, include_urgent=False, for_pdf=False, public=False
) -> NationalData:
    """Everything the national dashboard and the national PDF show for one institution."""
    cycles = sources.published_cycles(institution=institution)
    cycles = list(cycles) if cycles is not None else None
    cycle = _find_cycle(cycles, cycle_id)
    previous = sources.previous_cycle(cycle=cycle) if cycle is not None else None
    areas = sources.national_results(institution=institution, cycle=cycle) if cycle is not None else None
    areas = list(areas) if areas is not None else None
    data = NationalData(
        institution=institution,
        cycles=cycles,
        cycle=cycle,
        previous=previous,
        areas=areas,
        completeness=None,
        sources_available=sources.available(),
    )
    if areas:
        data.status_table = _national_status_table(areas)
        data.comparison = _national_comparison_table(areas, cycle, previous)
    if public:
        return data  # the public page shows published results only: no progress, no case figures
    if cycle is not None:
        data.completeness = _national_completeness(institution, cycle)
    if not for_pdf:
        data.progress = _cycle_progress(institution)
    data.case_tables, data.case_total, data.case_total_partial = _national_case_tables(institution)
    if include_urgent:
        data.urgent_count = sources.open_urgent_case_count(institution=institution)
    return data


def _national_completeness(institution, cycle):
    overview = sources.cycle_overview(institution=institution, cycle=cycle)
    if overview is None:
        return None
    published, due = getattr(cycle, "published_at", None), getattr(cycle, "due_date", None)
    on_time = None
    if published and due:
        from django.utils import timezone

        on_time = timezone.localtime(published).date() <= due
    return {
        "completeness": overview.get("completeness"),
        "complete": overview.get("complete"),
        "total": overview.get("total"),
        "submitted_at": published,
        "due_date": due,
        "on_time": on_time,
    }


def _cycle_progress(institution) -> list[dict]:
    """Every cycle of the institution with its areas approved so far (open ones included: staff only)."""
    cycles = sources.institution_cycles(institution=institution)
    out = []
    for c in cycles or []:
        n_areas, n_approved = getattr(c, "n_areas", 0) or 0, getattr(c, "n_approved", 0) or 0
        out.append(
            {
                "cycle": c,
                "status": c.get_status_display() if hasattr(c, "get_status_display") else "",
                "published": getattr(c, "status", "") == "published",
                "areas": n_areas,
                "approved": n_approved,
                "share": (n_approved / n_areas) if n_areas else 0.0,
                "due_date": getattr(c, "due_date", None),
            }
        )
    return out


def _national_status_table(areas) -> DataTable:
    labels = status_labels()
    table = DataTable(
        key="results_by_area",
        title=_("Indicator status by thematic area"),
        columns=[_("Area"), *labels.values()],
    )
    counts_list = []
    for area in areas:
        counts = {k: 0 for k in STATUSES}
        for ind in area.get("indicators", []):
            counts[ind.get("status") if ind.get("status") in counts else "nodata"] += 1
        counts_list.append(counts)
        table.rows.append([f"{area['code']} {area['title']}", *[counts[k] for k in STATUSES]])
    table.chart = charts.stacked_status_chart(table.title, [r[0] for r in table.rows], counts_list)
    return table


def status_rank(status):
    return {"restrictive": 0, "partly": 1, "enabling": 2}.get(status)


def change_of(status, previous_status) -> str:
    """'better' / 'worse' / 'same' / 'new' between two statuses."""
    now, before = status_rank(status), status_rank(previous_status)
    if now is None:
        return "nodata"
    if before is None:
        return "new"
    return "better" if now > before else "worse" if now < before else "same"


def change_labels():
    return {
        "better": _("Improved"),
        "worse": _("Worsened"),
        "same": _("Unchanged"),
        "new": _("No earlier data"),
        "nodata": _("No data"),
    }


def _national_comparison_table(areas, cycle, previous) -> DataTable:
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


def _case_series(rows):
    """[{key,label,year,count,suppressed}] -> (years, OrderedDict label -> {year: count|None}), total."""
    years = sorted({r.get("year") for r in rows if r.get("year") is not None})
    series: OrderedDict[str, dict] = OrderedDict()
    totals = defaultdict(int)
    for r in rows:
        label = str(r.get("label") or r.get("key"))
        series.setdefault(label, {})
        count = None if r.get("suppressed") else r.get("count")
        series[label][r.get("year")] = count
        if count:
            totals[label] += count
    ordered = OrderedDict(sorted(series.items(), key=lambda kv: (-totals[kv[0]], kv[0])))
    return years, ordered, totals


def case_table(key, title, rows, *, by_year=True, first_column=None) -> DataTable:
    first_column = first_column or _("Category")
    years, series, totals = _case_series(rows)
    if by_year and years:
        table = DataTable(key=key, title=title, columns=[first_column, *[str(y) for y in years], _("Total")])
        for label, per_year in series.items():
            cells = [per_year.get(y, 0) for y in years]
            # A row total next to a withheld cell would misstate the total: it is withheld too.
            table.rows.append([label, *cells, None if any(c is None for c in cells) else totals[label]])
        top = list(series.items())[:6]
        table.chart = charts.line_chart(title, years, [(label, [vals.get(y, 0) for y in years]) for label, vals in top])
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


def _national_case_tables(institution):
    # One release, sliced: every table, the total and the CSVs show the same jointly suppressed numbers.
    release = sources.case_statistics_release(institution=institution)
    if release is None:
        return [], None, False
    tables = []
    for group_by, title in CASE_DIMENSIONS_NATIONAL:
        rows = sources.case_statistics(institution=institution, group_by=group_by, release=release)
        tables.append(case_table(f"cases_by_{group_by}", str(title), list(rows)))
    # A case may have several violation types: the total counts each case once, per year (withheld years left out).
    per_year = sources.case_statistics(institution=institution, group_by="year", release=release) or []
    total = sum(r.get("count") or 0 for r in per_year if not r.get("suppressed"))
    return tables, total, any(r.get("suppressed") for r in per_year)


# --- regional -------------------------------------------------------------------


@dataclass
class RegionalData:
    rounds: list | None
    round_id: object
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
    completeness_round: object = None
    country_details: dict = field(default_factory=dict)
    sources_available: dict = field(default_factory=dict)
    institution_count: int = 0

    def tables(self) -> list[DataTable]:
        out = [self.matrix_table, self.area_table, self.completeness_table, self.comparison_table, *self.case_tables]
        return [t for t in out if t is not None]

    def version_payload(self):
        return {
            "round": self.round_id,
            "filters": self.filters,
            "tables": self.tables(),
            "details": self.country_details,
        }


def _round_pk(r):
    return getattr(r, "pk", None) if not isinstance(r, dict) else r.get("id")


def regional_dashboard(*, round_id=None, subregion=None, country=None, area=None, for_pdf=False) -> RegionalData:
    """The regional dashboard and regional PDF: a constant number of selector calls."""
    rounds = sources.monitoring_rounds()
    rounds = list(rounds) if rounds is not None else None
    round_id = round_id or None  # None: each institution's latest published cycle
    # Completeness and timeliness are about a round: the chosen one, or the newest.
    completeness_round = round_id or (_round_pk(rounds[0]) if rounds else None)
    filters = {"subregion": subregion or "", "country": country or "", "area": area or ""}
    matrix = sources.regional_status_matrix(round_id=round_id, subregion=subregion or None, country=country or None)
    # Countries for the filter come from the unfiltered region (one more call only when filtered).
    data = RegionalData(
        rounds=rounds,
        round_id=round_id,
        filters=filters,
        areas=[],
        rows=[],
        all_areas=[],
        sources_available=sources.available(),
    )
    if matrix is not None:
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
    data.countries = _countries(subregion)
    data.completeness_round = completeness_round
    completeness = sources.regional_completeness(round_id=completeness_round) if completeness_round else None
    if completeness is not None:
        rows = [
            r
            for r in completeness
            if (not subregion or r["institution"].subregion == subregion)
            and (not country or r["institution"].country_code.lower() == country.lower())
        ]
        data.completeness_table = _completeness_table(rows)
    data.case_tables, data.state_share = _regional_case_tables(subregion=subregion, country=country, cached=not for_pdf)
    if for_pdf:
        data.country_details = regional_country_details(data)
    return data


def _countries(subregion=None) -> list[tuple[str, str]]:
    """(ISO code, name) of member institutions' countries, for the country filter."""
    qs = Institution.objects.filter(is_active=True)
    if subregion:
        qs = qs.filter(subregion=subregion)
    return sorted(set(qs.values_list("country_code", "country")), key=lambda c: c[1])


def _matrix_table(areas, rows) -> DataTable:
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
                *[labels.get((row["cells"].get(a["code"]) or {}).get("status", "nodata")) for a in areas],
            ]
        )
    return table


def _area_distribution_table(areas, rows) -> DataTable:
    labels = status_labels()
    table = DataTable(
        key="institutions_by_status",
        title=_("Institutions by status in each thematic area"),
        columns=[_("Area"), *labels.values()],
    )
    counts_list = []
    for a in areas:
        counts = {k: 0 for k in STATUSES}
        for row in rows:
            status = (row["cells"].get(a["code"]) or {}).get("status", "nodata")
            counts[status if status in counts else "nodata"] += 1
        counts_list.append(counts)
        table.rows.append([f"{a['code']} {a['title']}", *[counts[k] for k in STATUSES]])
    table.chart = charts.stacked_status_chart(table.title, [r[0] for r in table.rows], counts_list)
    return table


def _round_comparison_table(data, rounds, round_id, subregion, country):
    """Enabling areas per institution: this round against the previous round."""
    if not rounds or len(rounds) < 2:
        return None
    ids = [_round_pk(r) for r in rounds]
    if round_id is None:
        return None
    try:
        index = [str(i) for i in ids].index(str(round_id))
    except ValueError:
        return None
    if index + 1 >= len(ids):
        return None
    previous_id = ids[index + 1]
    previous = sources.regional_status_matrix(
        round_id=previous_id, subregion=subregion or None, country=country or None
    )
    if previous is None:
        return None
    before = {r["institution"].pk: r for r in previous.get("rows", [])}
    area_codes = [a["code"] for a in data.areas]

    def enabling(row):
        if row is None:
            return None
        return sum(1 for c in area_codes if (row["cells"].get(c) or {}).get("status") == "enabling")

    round_names = {str(_round_pk(r)): cycle_label(r) for r in rounds}
    table = DataTable(
        key="round_comparison",
        title=_("Areas rated enabling: this round and the previous one"),
        columns=[
            _("Institution"),
            round_names.get(str(previous_id), _("Previous round")),
            round_names.get(str(round_id), _("This round")),
            _("Change"),
        ],
    )
    for row in data.rows:
        now, then = enabling(row), enabling(before.get(row["institution"].pk))
        delta = None if then is None or now is None else now - then
        table.rows.append([str(row["institution"]), then, now, "" if delta is None else f"{delta:+d}"])
    return table


def _completeness_table(rows) -> DataTable:
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
    )
    return table


REGIONAL_CASE_DIMENSIONS = [
    ("violation_type", True, "Violations by type and year"),
    ("subregion", True, "Cases by sub-region and year"),
    ("country", False, "Cases by country"),
    ("defender_group", False, "Defenders by category"),
    ("gender", False, "Cases by gender of the people affected"),
    ("right", False, "Rights affected"),
    ("perpetrator_type", False, "Alleged perpetrators by type"),
]


# The regional case statistics are one release (every dimension, filter and year, suppressed jointly) built from
# a few aggregations over every shared case: about half a second at 50,000 cases, more than the dashboard's whole
# budget. So, as DHIS2 does with its analytics tables, the release is precomputed: Celery beat rebuilds it every
# 4 minutes, and a dashboard request serves the last release built; one older than CASE_STATISTICS_CACHE_SECONDS is
# still served while a refresh is queued (stale-while-revalidate). Only the very first request after the cache is
# emptied builds it inline. A change to what institutions share drops it at once (reports/signals.py), so withdrawn
# periods never stay on show. PDFs and their data version never use the cache. The release holds codes only, so one
# copy serves every language and every filter.
CASE_STATISTICS_CACHE_SECONDS = 300
CASE_RELEASE_KEEP_SECONDS = 24 * 3600
CASE_RELEASE_CACHE_KEY = "reports:case-release:regional:v2"
CASE_RELEASE_REFRESH_LOCK = CASE_RELEASE_CACHE_KEY + ":refreshing"


def forget_regional_case_release() -> None:
    from django.core.cache import cache

    cache.delete_many([CASE_RELEASE_CACHE_KEY, CASE_RELEASE_REFRESH_LOCK])


def regional_case_release(*, cached=True, refresh=False):
    """The regional release of case statistics (or None without the cases app)."""
    if not cached or not CASE_STATISTICS_CACHE_SECONDS:
        return sources.case_statistics_release(regional=True)
    import time

    from django.core.cache import cache

    if not refresh:
        entry = cache.get(CASE_RELEASE_CACHE_KEY)
        if entry is not None:
            built_at, release = entry
            if time.time() - built_at > CASE_STATISTICS_CACHE_SECONDS and cache.add(CASE_RELEASE_REFRESH_LOCK, 1, 120):
                from django.db import transaction

                from reports.tasks import warm_regional_case_statistics

                transaction.on_commit(warm_regional_case_statistics.delay)
            return release
    release = sources.case_statistics_release(regional=True)
    if release is not None:
        cache.set(CASE_RELEASE_CACHE_KEY, (time.time(), release), CASE_RELEASE_KEEP_SECONDS)
    cache.delete(CASE_RELEASE_REFRESH_LOCK)
    return release


def regional_case_rows(*, group_by, subregion=None, country=None, release=None, cached=True):
    """One published regional table (case_statistics rows), sliced from the jointly suppressed release."""
    release = release if release is not None else regional_case_release(cached=cached)
    if release is None:
        return None
    return sources.case_statistics(
        regional=True, group_by=group_by, subregion=subregion or None, country=country or None, release=release
    )


def warm_regional_case_statistics(*, languages=None) -> int:
    """Refresh the cached regional release (run by Celery beat more often than the cache expires, so regional
    admins rarely wait for the aggregation). Returns the number of tables the release serves unfiltered."""
    regional_case_release(cached=True, refresh=True)
    return len(REGIONAL_CASE_DIMENSIONS)


def _regional_case_tables(*, subregion=None, country=None, cached=False):
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
    release = regional_case_release(cached=cached)
    if release is None:
        return [], None
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


def _state_share(rows):
    """Share of perpetrator attributions that name a state actor, over the cells not withheld.

    The kind of each perpetrator type (state / non-state) comes from the cases
    app (a `kind` in the rows, or its `perpetrator_kinds()` selector); without
    it the share is unknown, never guessed from codes."""
    counted = [r for r in rows if not r.get("suppressed") and r.get("count") is not None]
    total = sum(r["count"] for r in counted)
    if not total:
        return None
    kinds = None if all("kind" in r for r in counted) else sources.perpetrator_kinds()
    if kinds is None and not all("kind" in r for r in counted):
        return None
    state = sum(r["count"] for r in counted if (r.get("kind") or (kinds or {}).get(r.get("key"))) == "state")
    return state / total


# --- runs ---------------------------------------------------------------------


def national_runs(*, institution, limit=20):
    return list(
        ReportRun.objects.for_institution(institution)
        .filter(kind=ReportKind.NATIONAL)
        .select_related("requested_by")[:limit]
    )


def national_run(*, institution, run_id) -> ReportRun:
    return ReportRun.objects.for_institution(institution).filter(kind=ReportKind.NATIONAL).get(pk=run_id)


def regional_runs(*, limit=20):
    return list(ReportRun.objects.regional_runs().select_related("requested_by")[:limit])


def regional_run(*, run_id) -> ReportRun:
    return ReportRun.objects.regional_runs().get(pk=run_id)


def reusable_run(*, kind, institution, cycle_id, round_id, parameters, language, version):
    """A finished run built from exactly this data, or a queued/running one for the same request."""
    qs = (
        ReportRun.objects.for_institution(institution) if institution is not None else ReportRun.objects.regional_runs()
    )
    qs = qs.filter(kind=kind, cycle_id=cycle_id, round_id=round_id, language=language, parameters=parameters)
    done = qs.filter(status=RunStatus.DONE, data_version=version).exclude(file_path="").first()
    if done is not None:
        return done
    return qs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()


def latest_done_run(*, institution, cycle_id, language=None):
    qs = ReportRun.objects.for_institution(institution).filter(
        kind=ReportKind.NATIONAL, cycle_id=cycle_id, status=RunStatus.DONE
    )
    if language:
        qs = qs.filter(language=language)
    return qs.exclude(file_path="").first()


def results_page(*, institution) -> ResultsPage | None:
    return ResultsPage.objects.for_institution(institution).first()


# --- PDF extras ---------------------------------------------------------------


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


def regional_summary(data: RegionalData) -> dict:
    rated = [(row["cells"].get(a["code"]) or {}).get("status", "nodata") for row in data.rows for a in data.areas]
    rated = [s for s in rated if s != "nodata"]
    return {"enabling_share": (rated.count("enabling") / len(rated)) if rated else None}


def regional_country_details(data: RegionalData) -> dict:
    """{institution id: its published cycle's areas (findings, recommendations)} for the country pages.

    One national_results call per institution: the PDF is built by a worker, not on a page load."""
    out = {}
    for row in data.rows:
        areas = sources.national_results(institution=row["institution"], cycle=row["cycle"]) or []
        out[row["institution"].pk] = [a for a in areas if a.get("findings") or a.get("recommendations")]
    return out


def regional_completeness_by_institution(*, round_id) -> dict:
    rows = sources.regional_completeness(round_id=round_id) or []
    return {r["institution"].pk: r for r in rows}
