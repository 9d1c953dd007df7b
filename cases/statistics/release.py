"""Published statistics: one release per audience (the region, shared periods only; or one institution), built
in a constant number of queries, suppressed jointly, and read as tables."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext

from cases.models import (
    Case,
    CaseSettings,
    StatisticsShare,
)
from cases.statistics.dimensions import (
    ADDITIVE,
    GROUP_BY,
    MULTI_VALUED,
    TOTAL,
    not_duplicate_q,
)
from cases.statistics.suppression import Release, geo_nodes, release_relations, suppress_jointly
from r2dr.models import Institution, SubRegion


def min_cell_for(institution: Institution | None, min_cell: int | None = None) -> int:
    if min_cell is not None:
        return int(min_cell)
    if institution is not None:
        value = (
            CaseSettings.objects.for_institution(institution)
            .exclude(min_cell__isnull=True)
            .values_list("min_cell", flat=True)
            .first()
        )
        if value:
            return int(value)
    return int(getattr(settings, "R2DR_MIN_CELL", 5))


def shared_periods() -> tuple[set[int], set[tuple[int, int]]]:
    """(institutions sharing every year, {(institution, year)} shared explicitly): what the region may count."""

    every_year = set(
        CaseSettings.objects.regional().filter(share_regional_statistics=True).values_list("institution_id", flat=True)
    )
    years = {
        (i, y)
        for i, y in StatisticsShare.objects.regional().values_list("institution_id", "year")
        if i not in every_year
    }
    return every_year, years


def _regional_share_q(prefix: str) -> Q:
    every_year, years = shared_periods()
    q = Q(**{f"{prefix}institution_id__in": sorted(every_year)}) if every_year else Q(pk__in=[])
    for institution_id, year in sorted(years):
        q |= Q(
            **{
                f"{prefix}institution_id": institution_id,
                f"{prefix}incident_date__gte": datetime.date(year, 1, 1),
                f"{prefix}incident_date__lte": datetime.date(year, 12, 31),
            }
        )
    return q


def _year_range(date_from: datetime.date | None, date_to: datetime.date | None) -> range | None:
    """Published cells are whole incident years: a date filter selects the years it covers entirely, because
    a table of part of a year would be a new table outside the joint suppression."""
    if date_from is None and date_to is None:
        return None
    first = date_from.year + (0 if (date_from.month, date_from.day) == (1, 1) else 1) if date_from else 1
    last = date_to.year - (0 if (date_to.month, date_to.day) == (12, 31) else 1) if date_to else 9999
    return range(first, last + 1)


def case_statistics_release(
    *, institution: Institution | None = None, regional: bool = False, min_cell: int | None = None
) -> Release:
    """All published case statistics of one audience, jointly suppressed, in a constant number of queries.

    regional=False: the institution's own cases whose submitters consented to statistics. regional=True: every
    institution's cases of the periods it shares (and, with `institution`, that institution's shared cases only:
    a check for the institution, not a published table). Duplicates and cases without an incident date never
    count. The regional threshold is R2DR_MIN_CELL; an institution's own statistics use its CaseSettings.min_cell.
    """
    if not regional and institution is None:
        raise ValueError("institution is required unless regional=True")
    institution_id = getattr(institution, "pk", institution)
    cases = Case.objects.regional() if regional else Case.objects.for_institution(institution)
    scope = Q(consent_statistics=True, incident_date__isnull=False) & not_duplicate_q()
    if regional:
        scope &= _regional_share_q("")
    if institution_id is not None:
        scope &= Q(institution_id=institution_id)
    release = Release(
        scope="regional" if regional else f"institution:{institution_id}",
        min_cell=min_cell_for(None if regional else institution, min_cell),
    )  # filled by build_release below
    # Atom rows: (dimension, code, subregion, country, year, n). One query for the totals and the additive
    # dimensions, one per multi-valued dimension (a (case, term) pair is unique in the M2M table, so COUNT(*)
    # counts each case once per cell).
    atom_rows = []
    base = (
        cases.filter(scope)
        .annotate(year=ExtractYear("incident_date"))
        .values_list("subregion", "country_code", "year", *[f for f, _c in ADDITIVE.values()])
        .annotate(n=Count("pk"))
        .order_by()
    )
    for subregion, country, year, *fields_, n in base:
        atom_rows.append((TOTAL, None, subregion, country, year, n))
        for dimension, value in zip(ADDITIVE, fields_, strict=True):
            atom_rows.append((dimension, value, subregion, country, year, n))
    codes = {dimension: [str(v) for v in choices.values] for dimension, (_f, choices) in ADDITIVE.items()}
    # The M2M rows are filtered through a join to the case (not `case_id IN (...)`): three times faster on
    # PostgreSQL at 50,000 cases.
    through_scope = Q(case__consent_statistics=True, case__incident_date__isnull=False) & not_duplicate_q("case__")
    if regional:
        through_scope &= _regional_share_q("case__")
    if institution_id is not None:
        through_scope &= Q(case__institution_id=institution_id)
    for dimension, (name, model) in MULTI_VALUED.items():
        through = getattr(Case, name).through
        term = getattr(Case, name).rel.field.m2m_reverse_name()
        terms = dict(model.objects.values_list("pk", "code"))
        codes[dimension] = sorted(terms.values())
        data = (
            through.objects.filter(through_scope)
            .annotate(year=ExtractYear("case__incident_date"))
            .values_list(term, "case__subregion", "case__country_code", "year")
            .annotate(n=Count("pk"))
            .order_by()
        )
        atom_rows += [(dimension, terms[t], s, c, y, n) for t, s, c, y, n in data]
    return build_release(atom_rows, codes, scope=release.scope, min_cell=release.min_cell)


def build_release(atom_rows: Iterable, codes: dict, *, scope: str, min_cell: int) -> Release:
    """A jointly suppressed release from counts per (dimension, code, sub-region, country, year).

    `atom_rows` are (dimension, code, subregion, country, year, n) with dimension TOTAL (code None) for the cases
    of each atom; `codes` lists every code of each dimension (an absent one is a known zero)."""
    release = Release(scope=scope, min_cell=min_cell)
    release.atoms = frozenset((r[2], r[3]) for r in atom_rows)
    atom_node = defaultdict(list)
    for node in set(geo_nodes(release.atoms).values()):
        for atom in node:
            atom_node[atom].append(node)
    values = defaultdict(int)
    for dimension, code, subregion, country, year, n in atom_rows:
        if n:
            for node in atom_node[(subregion, country)]:
                values[(dimension, code, node, year)] += n
    release.values = dict(values)
    suppress_jointly(release, release_relations(release, {TOTAL: [None], **codes}))
    return release


def labels_for(group_by: str) -> dict:
    """{code: label} of one dimension, in the active language."""

    if group_by in MULTI_VALUED:
        return {obj.code: obj.tr("label") for obj in MULTI_VALUED[group_by][1].objects.all()}
    if group_by in ADDITIVE:
        return {value: str(label) for value, label in ADDITIVE[group_by][1].choices}
    if group_by == "subregion":
        return {value: str(label) for value, label in SubRegion.choices}
    if group_by == "country":
        return {**dict(Institution.objects.values_list("country_code", "country")), "ZZ": gettext("Another country")}
    return {}


def case_statistics(
    *,
    institution: Institution | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str = "violation_type",
    regional: bool = False,
    subregion: str | None = None,
    country: str | None = None,
    min_cell: int | None = None,
    release: Release | None = None,
) -> list[dict]:
    """One published table: counts of cases (each case once per cell) by `group_by` and incident year.

    Rows {key, label, year, count, suppressed}; withheld cells have count None. The table is a slice of the
    audience's jointly suppressed release (`case_statistics_release`), so every filter, total and download shows
    the same number for the same cell, and no combination of them recovers a withheld one. Pass `release` to
    slice an already computed release (a dashboard slices one release into many tables)."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {sorted(GROUP_BY)}")
    if release is None:
        release = case_statistics_release(institution=institution, regional=regional, min_cell=min_cell)
    return release.rows(
        group_by,
        subregion=subregion,
        country=country,
        years=_year_range(date_from, date_to),
        labels=labels_for(group_by),
    )
