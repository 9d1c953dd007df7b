"""Case statistics: counts from fields stored in clear, never identities.

Two families of reads live here.

Verified-case counts (`verified_case_count`, `verified_case_counts`, `sdg_16_10_1`) feed the institution's own
outcome indicators. They are unsuppressed and only ever shown to the institution's staff.

Published statistics (`case_statistics_release`, `case_statistics`) feed dashboards, CSV downloads, PDFs and the
API, for the region (shared periods only) and for the institution itself. Every number of one audience is a cell
of one *release*: all dimensions, every geographic filter and every year, suppressed jointly, so that no
combination of tables, totals or filters can be subtracted to recover a withheld cell (see `suppress_jointly`).

The published tables, for each incident year y and each geographic node g:

- T(g, y): cases in g (the "year" table, and the country/sub-region tables, which are totals of finer nodes);
- N(d, x, g, y): cases in g with category x of dimension d.

Geographic nodes are what the filters can select: the region, a sub-region s, a country c, and s and c together
(the same country may appear under several sub-regions: a case reported to an institution of another sub-region).
The linear relations an outsider can use, per year and per (d, x) or the total:

- region = sum of its sub-regions = sum of its countries; s = sum over c of (s, c); c = sum over s of (s, c);
- for an additive (single-valued) dimension (gender, perpetrator kind): T(g, y) = sum over x of N(d, x, g, y).

Multi-valued dimensions (violation types, defender groups, perpetrator types, rights: a case may have several)
are additive across geography but not to the total. Years are never related to each other (a multi-year total is
only shown when all its cells are), so each year is suppressed on its own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext

from cases.models import (
    VERIFIED_STATUSES,
    Case,
    CaseLink,
    CaseSettings,
    DefenderGroup,
    Gender,
    PerpetratorKind,
    PerpetratorType,
    Right,
    StatisticsShare,
    Status,
    ViolationType,
)
from r2dr.models import Institution, SubRegion

# --- dimensions ---------------------------------------------------------------------------------------------

# Multi-valued dimensions: name -> (Case M2M field, taxonomy model).
MULTI_VALUED = {
    "violation_type": ("violation_types", ViolationType),
    "defender_group": ("defender_groups", DefenderGroup),
    "perpetrator_type": ("perpetrator_types", PerpetratorType),
    "right": ("rights", Right),
}
# Single-valued dimensions stored on the case: name -> (Case field, choices). Their cells add up to the total.
ADDITIVE = {
    "gender": ("gender", Gender),
    "perpetrator_kind": ("perpetrator_kind", PerpetratorKind),
}
GEOGRAPHY = ("country", "subregion")
GROUP_BY = (*MULTI_VALUED, *ADDITIVE, *GEOGRAPHY, "year")
TOTAL = "_total"

# --- SDG 16.10.1 --------------------------------------------------------------------------------------------

# The five acts of SDG indicator 16.10.1, most serious first. A victim of several counts once, under the first
# one that applies; the order is the one in which the indicator's working definition lists the acts.
SDG_16_10_1_CATEGORIES = ("killing", "enforced_disappearance", "torture", "arbitrary_detention", "kidnapping")
# Violation-type codes of the regional taxonomy (cases/demo.py) that belong to each act. "other-harm" is flagged
# sdg_16101 in the taxonomy for the indicator's wider working definition ("other harmful acts") but is not one of
# the five acts counted here. A regional admin who adds a code must add it here too.
SDG_16_10_1_VIOLATION_CODES = {
    "killing": ("killing",),
    "enforced_disappearance": ("enforced-disappearance",),
    "torture": ("torture",),
    "arbitrary_detention": ("arbitrary-detention",),
    "kidnapping": ("abduction", "kidnapping"),
}
# Victim groups of the indicator, each victim once: a case naming several groups counts under the first that
# applies (the order of the indicator's title); a defender of any other group is a human rights defender.
SDG_16_10_1_VICTIM_GROUPS = ("journalist", "trade_unionist", "human_rights_defender")
SDG_16_10_1_GROUP_CODES = {
    "journalist": ("journalists",),
    "trade_unionist": ("trade-unionists",),
}


def _codes(values):
    if not values:
        return []
    return [getattr(v, "code", v) for v in values]


def _not_duplicate(prefix: str = "") -> Q:
    """Cases an officer marked as a duplicate (duplicate_of, or a duplicate link from them) never count."""
    link = CaseLink.objects.regional().filter(
        case_id=OuterRef("case_id" if prefix == "case__" else "pk"), kind=CaseLink.Kind.DUPLICATE
    )
    return Q(**{f"{prefix}duplicate_of__isnull": True}) & ~Q(Exists(link))


def _verified(institution, date_from, date_to):
    qs = Case.objects.for_institution(institution).filter(
        _not_duplicate(),
        status__in=VERIFIED_STATUSES,
        verified_at__isnull=False,
        incident_date__isnull=False,
    )
    if date_from:
        qs = qs.filter(incident_date__gte=date_from)
    if date_to:
        qs = qs.filter(incident_date__lte=date_to)
    return qs


def verified_case_count(*, institution, date_from, date_to, violation_types=None, defender_groups=None) -> int:
    """Cases that passed verification (status action/closed with verified_at set), incident date in range,
    duplicates left out. With violation types or defender groups, cases having any of them."""
    qs = _verified(institution, date_from, date_to)
    if violation_types:
        qs = qs.filter(violation_types__code__in=_codes(violation_types))
    if defender_groups:
        qs = qs.filter(defender_groups__code__in=_codes(defender_groups))
    return qs.values("pk").distinct().count()


def verified_case_counts(*, institution, date_from=None, date_to=None, group_by="violation_type") -> dict:
    """{category code: verified cases} for one dimension (each case once per category; one query).

    `group_by` is one of the multi-valued dimensions, "gender", "perpetrator_kind" or "sdg_16_10_1" (cases under
    their most serious SDG 16.10.1 act; cases with none of the five are left out)."""
    qs = _verified(institution, date_from, date_to)
    if group_by in MULTI_VALUED:
        name, _model = MULTI_VALUED[group_by]
        rows = (
            qs.filter(**{f"{name}__isnull": False})
            .values_list(f"{name}__code")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
    elif group_by in ADDITIVE:
        rows = qs.values_list(ADDITIVE[group_by][0]).annotate(n=Count("pk")).order_by()
    elif group_by == "sdg_16_10_1":
        rank = _sdg_rank_subquery()
        rows = [
            (SDG_16_10_1_CATEGORIES[r], n)
            for r, n in qs.annotate(rank=rank)
            .filter(rank__isnull=False)
            .values_list("rank")
            .annotate(n=Count("pk"))
            .order_by()
        ]
    else:
        raise ValueError(f"group_by must be one of {sorted([*MULTI_VALUED, *ADDITIVE, 'sdg_16_10_1'])}")
    return {code: n for code, n in rows if code is not None}


def _rank_case(codes_by_category: dict, categories: tuple, field_name: str):
    whens = [
        When(**{f"{field_name}__in": codes_by_category[c]}, then=Value(i))
        for i, c in enumerate(categories)
        if c in codes_by_category
    ]
    return When_(*whens, default=Value(None), output_field=IntegerField())


def _sdg_rank_subquery():
    """The index in SDG_16_10_1_CATEGORIES of a case's most serious 16.10.1 act (NULL if it has none)."""
    through = Case.violation_types.through
    return Subquery(
        through.objects.filter(case_id=OuterRef("pk"))
        .annotate(rank=_rank_case(SDG_16_10_1_VIOLATION_CODES, SDG_16_10_1_CATEGORIES, "violationtype__code"))
        .filter(rank__isnull=False)
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )


def _victim_group_subquery():
    """The index in SDG_16_10_1_VICTIM_GROUPS of a case's first listed victim group (NULL: a defender)."""
    through = Case.defender_groups.through
    return Subquery(
        through.objects.filter(case_id=OuterRef("pk"))
        .annotate(rank=_rank_case(SDG_16_10_1_GROUP_CODES, SDG_16_10_1_VICTIM_GROUPS, "defendergroup__code"))
        .filter(rank__isnull=False)
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )


@dataclass
class Sdg16101:
    """Victims of SDG 16.10.1 acts in verified cases, each victim once."""

    total: int = 0
    cases: int = 0
    by_category: dict = field(default_factory=dict)
    by_victim_group: dict = field(default_factory=dict)
    by_sex: dict = field(default_factory=dict)
    # (category, victim group, gender) -> victims: the full cross-tabulation the marginals come from.
    cells: dict = field(default_factory=dict)


def sdg_16_10_1(*, institution, date_from=None, date_to=None) -> Sdg16101:
    """SDG 16.10.1 for one institution and period, from verified cases, in one query.

    Victims, not cases: a case counts `affected_count` people. Each victim once: a case with several of the five
    acts counts under the most serious (SDG_16_10_1_CATEGORIES order), a case naming several victim groups under
    the first of journalists, trade unionists, defenders, and duplicates never count. Sex is the case's clear
    `gender` field as given (a case about several people of different genders is "mixed"): nothing is decrypted.
    """
    qs = (
        _verified(institution, date_from, date_to)
        .annotate(category=_sdg_rank_subquery(), group=_victim_group_subquery())
        .filter(category__isnull=False)
        .values_list("category", "group", "gender")
        .annotate(victims=Sum("affected_count"), n=Count("pk"))
        .order_by()
    )
    result = Sdg16101(
        by_category=dict.fromkeys(SDG_16_10_1_CATEGORIES, 0),
        by_victim_group=dict.fromkeys(SDG_16_10_1_VICTIM_GROUPS, 0),
        by_sex=dict.fromkeys(Gender.values, 0),
    )
    for category, group, gender, victims, n in qs:
        category = SDG_16_10_1_CATEGORIES[category]
        group = SDG_16_10_1_VICTIM_GROUPS[group if group is not None else len(SDG_16_10_1_VICTIM_GROUPS) - 1]
        victims = int(victims or 0)
        result.total += victims
        result.cases += n
        result.by_category[category] += victims
        result.by_victim_group[group] += victims
        result.by_sex[gender] = result.by_sex.get(gender, 0) + victims
        key = (category, group, gender)
        result.cells[key] = result.cells.get(key, 0) + victims
    return result


def sdg_16_10_1_victims(*, institution, date_from=None, date_to=None, victim_groups=None) -> int:
    """The SDG 16.10.1 figure (victims), optionally of some victim groups only (e.g. ["journalist"])."""
    result = sdg_16_10_1(institution=institution, date_from=date_from, date_to=date_to)
    if not victim_groups:
        return result.total
    return sum(result.by_victim_group.get(g, 0) for g in victim_groups)


def open_urgent_case_count(*, institution) -> int:

    return Case.objects.for_institution(institution).filter(urgent=True).exclude(status=Status.CLOSED).count()


# --- published statistics: the release --------------------------------------------------------------------


def min_cell_for(institution, min_cell=None) -> int:
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


# A geographic node is the frozenset of (sub-region, country) atoms it covers; a filter (s or "", c or "")
# selects one. Cells are keyed (dimension, code, node, year); the dimension TOTAL has code None.


@dataclass
class Release:
    """Every published number of one audience, jointly suppressed. Plain data, so it can be cached."""

    scope: str  # "regional" or "institution:<id>"
    min_cell: int
    atoms: frozenset = frozenset()
    values: dict = field(default_factory=dict)  # cell -> count (non-zero cells only)
    hidden: set = field(default_factory=set)  # cells withheld
    primary: set = field(default_factory=set)  # cells withheld because they are small

    def node(self, subregion=None, country=None) -> frozenset:
        return frozenset(
            a for a in self.atoms if (not subregion or a[0] == subregion) and (not country or a[1] == country)
        )

    def cell(self, dimension, code, *, year, subregion=None, country=None):
        """(count or None when withheld, withheld?) of one published cell; (0, False) for an empty one."""
        key = (dimension, code, self.node(subregion, country), year)
        if key in self.hidden:
            return None, True
        return self.values.get(key, 0), False

    def rows(self, group_by, *, subregion=None, country=None, years=None, labels=None) -> list[dict]:
        """The published table `group_by` x year under a filter, as case_statistics rows."""
        labels = labels or {}
        node = self.node(subregion, country)
        out = []
        if group_by in GEOGRAPHY:
            index = 0 if group_by == "subregion" else 1
            keys = sorted({a[index] for a in node})
            cells = []
            for key in keys:
                finer = frozenset(a for a in node if a[index] == key)
                cells += [(key, c[3], c) for c in self._cells_of(TOTAL, finer)]
        elif group_by == "year":
            cells = [(str(c[3]), c[3], c) for c in self._cells_of(TOTAL, node)]
        else:
            cells = [(c[1], c[3], c) for c in self._cells_of(group_by, node)]
        for key, year, cell in sorted(cells, key=lambda t: (t[1], str(t[0]))):
            if years is not None and year not in years:
                continue
            withheld = cell in self.hidden
            out.append(
                {
                    "key": key,
                    "label": labels.get(key, str(year) if group_by == "year" else key),
                    "year": year,
                    "count": None if withheld else self.values[cell],
                    "suppressed": withheld,
                }
            )
        return out

    def _cells_of(self, dimension, node):
        return [c for c in self._by_node.get((dimension, node), ())]

    @property
    def _by_node(self):
        index = self.__dict__.get("_index")
        if index is None:
            index = defaultdict(list)
            for cell in self.values:
                index[(cell[0], cell[2])].append(cell)
            self.__dict__["_index"] = index
        return index

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_index", None)
        return state


def _geo_nodes(atoms: frozenset) -> dict:
    """{filter (subregion, country): node} for every filter that selects something, plus the region."""
    subregions = {s for s, _c in atoms}
    countries = {c for _s, c in atoms}
    filters = [("", "")] + [(s, "") for s in subregions] + [("", c) for c in countries] + list(atoms)
    return {
        f: frozenset(a for a in atoms if (not f[0] or a[0] == f[0]) and (not f[1] or a[1] == f[1])) for f in filters
    }


def _geo_relations(atoms: frozenset) -> list[tuple[frozenset, list[frozenset]]]:
    """(node, its parts) for the geographic hierarchy; a node equal to its only part adds nothing."""
    nodes = _geo_nodes(atoms)
    region = nodes[("", "")]
    subregions = sorted({s for s, _c in atoms})
    countries = sorted({c for _s, c in atoms})
    relations = [
        (region, [nodes[(s, "")] for s in subregions]),
        (region, [nodes[("", c)] for c in countries]),
    ]
    relations += [(nodes[(s, "")], [frozenset([a]) for a in sorted(atoms) if a[0] == s]) for s in subregions]
    relations += [(nodes[("", c)], [frozenset([a]) for a in sorted(atoms) if a[1] == c]) for c in countries]
    seen, out = set(), []
    for whole, parts in relations:
        parts = sorted(set(parts), key=sorted)
        key = (whole, frozenset(parts))
        if parts == [whole] or key in seen:
            continue
        seen.add(key)
        out.append((whole, parts))
    return out


def _relations(release: Release, codes: dict) -> list[tuple]:
    """Every linear relation between published cells: (whole, [parts]) meaning whole = sum(parts)."""
    years = sorted({c[3] for c in release.values})
    nodes = sorted(set(_geo_nodes(release.atoms).values()), key=sorted)
    geo = _geo_relations(release.atoms)
    out = []
    for year in years:
        for dimension, dim_codes in codes.items():
            for code in dim_codes:
                for whole, parts in geo:
                    out.append(((dimension, code, whole, year), [(dimension, code, p, year) for p in parts]))
        for dimension in ADDITIVE:
            for node in nodes:
                out.append(((TOTAL, None, node, year), [(dimension, code, node, year) for code in codes[dimension]]))
    return out


def suppress_jointly(release: Release, relations: list[tuple]) -> None:
    """Withhold small cells, then enough others that none of them can be recovered.

    Primary: non-zero cells below `min_cell` (an absent cell is a known zero and reveals nothing). Then, to a
    fixed point: (1) a relation with exactly one withheld member gives it away, and one whose withheld members
    add up to less than `min_cell` shows they are all small, so its smallest other non-zero member is withheld
    too; (2) withheld cells that the published relations still determine (solving the
    equations exactly, per year and connected group) get the smallest non-zero published member of one of their
    relations withheld. Every withheld cell is non-zero, so a cell the equations leave undetermined can move both
    up and down within non-negative solutions: its value cannot be pinned down."""
    values, hidden = release.values, release.hidden
    release.primary = {c for c, v in values.items() if 0 < v < release.min_cell}
    hidden |= release.primary
    members = []
    by_cell = defaultdict(list)
    for whole, parts in relations:
        cells = [c for c in [whole, *parts] if values.get(c, 0) > 0]
        if len(cells) < 2:
            continue
        index = len(members)
        members.append(cells)
        for c in cells:
            by_cell[c].append(index)
    while True:
        _singletons(members, by_cell, values, hidden, release.min_cell)
        determined = _determined(members, by_cell, hidden)
        if not determined:
            return
        # One more withheld cell per relation and round: a cell it frees may free its neighbours too.
        touched, before = set(), len(hidden)
        for cell in sorted(determined, key=cell_order):
            relations_of_cell = set(by_cell[cell])
            if relations_of_cell & touched:
                continue
            candidates = [c for i in relations_of_cell for c in members[i] if c not in hidden]
            if not candidates:
                # Every relation of the cell is withheld whole, yet the group pins it: widen the group with a
                # shown member of any relation of a withheld neighbour.
                neighbours = {c for i in relations_of_cell for c in members[i]}
                candidates = [c for n in neighbours for i in by_cell[n] for c in members[i] if c not in hidden]
            if candidates:
                chosen = min(candidates, key=lambda c: (values[c], cell_order(c)))
                hidden.add(chosen)
                touched |= set(by_cell[chosen])
        if len(hidden) == before:
            # Nothing left to withhold around the determined cells: withhold everything they relate to.
            hidden.update(c for cell in determined for i in by_cell[cell] for c in members[i])
            if len(hidden) == before:
                return


def cell_order(cell) -> tuple:
    """A total order of cells that is the same in every process (frozenset and str hashing are not)."""
    dimension, code, node, year = cell
    return (dimension, str(code), tuple(sorted(node)), year)


def _singletons(members, by_cell, values, hidden, min_cell) -> None:
    queue = sorted({i for c in hidden for i in by_cell.get(c, ())}, reverse=True)
    pending = set(queue)
    while queue:
        index = queue.pop()
        pending.discard(index)
        cells = members[index]
        withheld = [c for c in cells if c in hidden]
        # One withheld member is given away by the others; several whose sum (which the published members
        # reveal) is itself below the threshold tell that each of them is a small count.
        if not withheld or (len(withheld) > 1 and sum(values[c] for c in withheld) >= min_cell):
            continue
        shown = [c for c in cells if c not in hidden]
        if not shown:
            continue
        cell = min(shown, key=lambda c: (values[c], cell_order(c)))
        hidden.add(cell)
        for i in by_cell[cell]:
            if i not in pending:
                pending.add(i)
                queue.append(i)


def _components(members, by_cell, hidden):
    """Groups of withheld cells linked by relations, with the relations that involve them."""
    parent = {c: c for c in hidden}

    def find(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    involved = set()
    for c in hidden:
        involved.update(by_cell.get(c, ()))
    for index in involved:
        withheld = [c for c in members[index] if c in hidden]
        for other in withheld[1:]:
            a, b = find(withheld[0]), find(other)
            if a != b:
                parent[a] = b
    groups = defaultdict(lambda: (set(), set()))
    for c in hidden:
        groups[find(c)][0].add(c)
    for index in involved:
        first = next(c for c in members[index] if c in hidden)
        groups[find(first)][1].add(index)
    return list(groups.values())


def _determined(members, by_cell, hidden) -> set:
    out = set()
    for cells, relations in _components(members, by_cell, hidden):
        out |= _solve(cells, [members[i] for i in sorted(relations)], hidden)
    return out


def _solve(cells, relations, hidden) -> set:
    """Withheld cells whose value the relations fix (exact Gauss-Jordan elimination over the rationals).

    A relation whole = sum(parts) restricted to withheld cells is a row with +1 for the whole and -1 for each
    part (the published members only move the constant). A cell is fixed when its unit vector lies in the row
    space: it is a pivot column whose reduced row has no other non-zero entry."""
    columns = sorted(cells, key=cell_order)
    position = {c: i for i, c in enumerate(columns)}
    rows = []
    for cells_of_relation in relations:
        row = {}
        for j, c in enumerate(cells_of_relation):
            if c in hidden:
                row[position[c]] = Fraction(1 if j == 0 else -1)
        if row:
            rows.append(row)
    pivots = {}  # column -> row (dict)
    for row in rows:
        row = dict(row)
        for col, prow in pivots.items():
            factor = row.get(col)
            if factor:
                for k, v in prow.items():
                    row[k] = row.get(k, 0) - factor * v
                    if row[k] == 0:
                        del row[k]
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {k: v / lead for k, v in row.items()}
        for prow in pivots.values():
            factor = prow.get(col)
            if factor:
                for k, v in row.items():
                    prow[k] = prow.get(k, 0) - factor * v
                    if prow[k] == 0:
                        del prow[k]
        pivots[col] = row
    return {columns[col] for col, row in pivots.items() if len(row) == 1}


def _year_range(date_from, date_to):
    """Published cells are whole incident years: a date filter selects the years it covers entirely, because
    a table of part of a year would be a new table outside the joint suppression."""
    if date_from is None and date_to is None:
        return None
    first = date_from.year + (0 if (date_from.month, date_from.day) == (1, 1) else 1) if date_from else 1
    last = date_to.year - (0 if (date_to.month, date_to.day) == (12, 31) else 1) if date_to else 9999
    return range(first, last + 1)


def case_statistics_release(*, institution=None, regional=False, min_cell=None) -> Release:
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
    scope = Q(consent_statistics=True, incident_date__isnull=False) & _not_duplicate()
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
    through_scope = Q(case__consent_statistics=True, case__incident_date__isnull=False) & _not_duplicate("case__")
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


def build_release(atom_rows, codes: dict, *, scope: str, min_cell: int) -> Release:
    """A jointly suppressed release from counts per (dimension, code, sub-region, country, year).

    `atom_rows` are (dimension, code, subregion, country, year, n) with dimension TOTAL (code None) for the cases
    of each atom; `codes` lists every code of each dimension (an absent one is a known zero)."""
    release = Release(scope=scope, min_cell=min_cell)
    release.atoms = frozenset((r[2], r[3]) for r in atom_rows)
    atom_node = defaultdict(list)
    for node in set(_geo_nodes(release.atoms).values()):
        for atom in node:
            atom_node[atom].append(node)
    values = defaultdict(int)
    for dimension, code, subregion, country, year, n in atom_rows:
        if n:
            for node in atom_node[(subregion, country)]:
                values[(dimension, code, node, year)] += n
    release.values = dict(values)
    suppress_jointly(release, _relations(release, {TOTAL: [None], **codes}))
    return release


def labels_for(group_by) -> dict:
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
    institution=None,
    date_from=None,
    date_to=None,
    group_by="violation_type",
    regional=False,
    subregion=None,
    country=None,
    min_cell=None,
    release=None,
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
