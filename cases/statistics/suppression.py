"""Joint suppression of a release: every small cell is withheld, and then every cell that the published
linear relations (geographic sums, additive dimensions) would let an outsider recover."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from cases.statistics.dimensions import (
    ADDITIVE,
    GEOGRAPHY,
    TOTAL,
)


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


def geo_nodes(atoms: frozenset) -> dict:
    """{filter (subregion, country): node} for every filter that selects something, plus the region."""
    subregions = {s for s, _c in atoms}
    countries = {c for _s, c in atoms}
    filters = [("", "")] + [(s, "") for s in subregions] + [("", c) for c in countries] + list(atoms)
    return {
        f: frozenset(a for a in atoms if (not f[0] or a[0] == f[0]) and (not f[1] or a[1] == f[1])) for f in filters
    }


def _geo_relations(atoms: frozenset) -> list[tuple[frozenset, list[frozenset]]]:
    """(node, its parts) for the geographic hierarchy; a node equal to its only part adds nothing."""
    nodes = geo_nodes(atoms)
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


def release_relations(release: Release, codes: dict) -> list[tuple]:
    """Every linear relation between published cells: (whole, [parts]) meaning whole = sum(parts)."""
    years = sorted({c[3] for c in release.values})
    nodes = sorted(set(geo_nodes(release.atoms).values()), key=sorted)
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


def cell_order(cell: tuple) -> tuple:
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
