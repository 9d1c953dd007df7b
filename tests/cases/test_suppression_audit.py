"""Audit of the published case statistics: no withheld cell can be recovered from what is published.

The audit plays the outsider. It reads every table a reader can get (every `group_by` of case_statistics under
every sub-region / country filter, which is what the dashboards, their CSV downloads and the PDFs slice), writes
down the linear relations between those numbers on its own (not with the code under test), and asks a linear
program for the smallest and largest value each withheld cell can take given all published numbers, the known
zeros (a missing row) and non-negativity. A cell is protected when that interval is not a single value and
does not prove the cell is a small non-zero count.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict

import pytest

from tests.conftest import skip_or_fail

try:
    from scipy.optimize import linprog
except ImportError:
    skip_or_fail("scipy (a dev dependency: make install) is needed for the suppression audit", module_level=True)

from cases.statistics import build_release  # noqa: E402

MIN_CELL = 5
SUBREGIONS = {"pacific": ["FJ", "WS", "ZZ"], "south_asia": ["IN", "NP", "ZZ"], "west_asia": ["JO"]}
YEARS = [2024, 2025]
CODES = {
    "violation_type": ["killing", "torture", "threats", "arbitrary-detention"],
    "defender_group": ["journalists", "whrd", "land-environment"],
    "perpetrator_type": ["police", "military"],
    "right": ["expression", "assembly"],
    "gender": ["woman", "man", "non_binary", "mixed", "undisclosed"],
    "perpetrator_kind": ["state", "non_state", "unknown"],
}
MULTI = ["violation_type", "defender_group", "perpetrator_type", "right"]
ADDITIVE = ["gender", "perpetrator_kind"]
GROUP_BYS = [*CODES, "country", "subregion", "year"]


def synthetic_cases(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        subregion = rng.choices(list(SUBREGIONS), weights=[5, 4, 1])[0]
        cases.append(
            {
                "subregion": subregion,
                "country": rng.choices(SUBREGIONS[subregion], weights=[6, 3, 1][: len(SUBREGIONS[subregion])])[0],
                "year": rng.choice(YEARS),
                "gender": rng.choices(CODES["gender"], weights=[10, 10, 1, 2, 3])[0],
                "perpetrator_kind": rng.choices(CODES["perpetrator_kind"], weights=[8, 2, 1])[0],
                **{d: rng.sample(CODES[d], rng.choice([0, 1, 1, 2])) for d in MULTI},
            }
        )
    return cases


def release_of(cases, min_cell=MIN_CELL):
    counts = Counter()
    for c in cases:
        atom = (c["subregion"], c["country"], c["year"])
        counts[("_total", None, *atom)] += 1
        for d in ADDITIVE:
            counts[(d, c[d], *atom)] += 1
        for d in MULTI:
            for code in c[d]:
                counts[(d, code, *atom)] += 1
    rows = [(*key, n) for key, n in counts.items()]
    return build_release(rows, {d: list(v) for d, v in CODES.items()}, scope="test", min_cell=min_cell)


def published(release) -> dict:
    """{(dimension, code, subregion filter, country filter, year): count or None}: everything readable."""
    subregions = ["", *SUBREGIONS, "central_north_east_asia"]
    countries = ["", *sorted({c for cs in SUBREGIONS.values() for c in cs}), "XX"]
    out = {}

    def put(key, value):
        assert out.get(key, value) == value, f"{key} published as {out[key]} and as {value}"
        out[key] = value

    for s, c in itertools.product(subregions, countries):
        for group_by in GROUP_BYS:
            for row in release.rows(group_by, subregion=s or None, country=c or None):
                assert row["suppressed"] == (row["count"] is None)
                if group_by == "year":
                    put(("_total", None, s, c, row["year"]), row["count"])
                elif group_by == "country":
                    put(("_total", None, s, row["key"], row["year"]), row["count"])
                elif group_by == "subregion":
                    put(("_total", None, row["key"], c, row["year"]), row["count"])
                else:
                    put((group_by, row["key"], s, c, row["year"]), row["count"])
    for s, c in itertools.product(subregions, countries):
        # Everything not in a table is a known zero.
        for d, codes in CODES.items():
            for code, y in itertools.product(codes, YEARS):
                out.setdefault((d, code, s, c, y), 0)
        for y in YEARS:
            out.setdefault(("_total", None, s, c, y), 0)
    return out


def relations(cells: dict):
    """(equalities [(+1 terms, -1 terms)], inequalities [(smaller, larger)]) an outsider knows, per year."""
    subregions = [s for s in {k[2] for k in cells} if s]
    countries = [c for c in {k[3] for k in cells} if c]
    keys = [("_total", None)] + [(d, code) for d, codes in CODES.items() for code in codes]
    equal, less = [], []
    for (d, code), y in itertools.product(keys, YEARS):

        def cell(s, c, d=d, code=code, y=y):
            return (d, code, s, c, y)

        equal.append(([cell("", "")], [cell(s, "") for s in subregions]))
        equal.append(([cell("", "")], [cell("", c) for c in countries]))
        for s in subregions:
            equal.append(([cell(s, "")], [cell(s, c) for c in countries]))
        for c in countries:
            equal.append(([cell("", c)], [cell(s, c) for s in subregions]))
    for s, c, y in itertools.product(["", *subregions], ["", *countries], YEARS):
        total = ("_total", None, s, c, y)
        for d in ADDITIVE:
            equal.append(([total], [(d, code, s, c, y) for code in CODES[d]]))
        for d in MULTI:
            less += [((d, code, s, c, y), total) for code in CODES[d]]
    return equal, less


def feasible_ranges(cells: dict, min_cell=MIN_CELL) -> dict:
    """{withheld cell: (low, high)}: the exact min and max over non-negative solutions of every published
    relation, or for a cell other solutions already show protected, the range those solutions span."""
    hidden = sorted((k for k, v in cells.items() if v is None), key=repr)
    if not hidden:
        return {}
    index = {k: i for i, k in enumerate(hidden)}
    equal, less = relations(cells)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for plus, minus in equal:
        row, constant = [0.0] * len(hidden), 0.0
        for sign, terms in ((1, plus), (-1, minus)):
            for k in terms:
                if k in index:
                    row[index[k]] += sign
                else:
                    constant -= sign * cells[k]
        if any(row):
            a_eq.append(row)
            b_eq.append(constant)
        else:
            assert abs(constant) < 1e-9, "published numbers contradict each other"
    for small, large in less:
        row, constant = [0.0] * len(hidden), 0.0
        for sign, k in ((1, small), (-1, large)):
            if k in index:
                row[index[k]] += sign
            else:
                constant -= sign * cells[k]
        if any(row):
            a_ub.append(row)
            b_ub.append(constant)
    # Every LP solution is a feasible point for all cells at once: it widens each cell's known range, so most
    # cells are shown protected by the solutions of others and only the rest need their own two LPs.
    seen = {k: [float("inf"), float("-inf")] for k in hidden}

    def witness(x):
        for k, i in index.items():
            seen[k][0] = min(seen[k][0], x[i])
            seen[k][1] = max(seen[k][1], x[i])

    ranges = {}
    for k, i in index.items():
        low, high = seen[k]
        if high - low >= 0.5 and (low <= 0.5 or high >= min_cell - 0.5):
            ranges[k] = (low, high)  # witnesses already show it is protected
            continue
        bounds = []
        for sign in (1, -1):
            objective = [0.0] * len(hidden)
            objective[i] = sign
            result = linprog(
                objective,
                A_ub=a_ub or None,
                b_ub=b_ub or None,
                A_eq=a_eq or None,
                b_eq=b_eq or None,
                bounds=(0, None),
                method="highs",
            )
            if result.status == 3:  # unbounded: only possible upwards
                bounds.append(float("inf"))
                continue
            assert result.status == 0, result.message
            bounds.append(sign * result.fun)
            witness(result.x)
        ranges[k] = (bounds[0], bounds[1])
    return ranges


def disclosures(release, min_cell=MIN_CELL) -> list[str]:
    cells = published(release)
    problems = []
    for key, (low, high) in feasible_ranges(cells, min_cell).items():
        if high - low < 0.5:
            problems.append(f"{key} pinned to {low:g}")
        elif low > 0.5 and high < min_cell - 0.5:
            problems.append(f"{key} proven to be a small count in [{low:g}, {high:g}]")
    return problems


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_no_withheld_cell_can_be_recovered(seed):
    release = release_of(synthetic_cases(seed, n=260))
    assert release.primary, "the data must have small cells, or the audit proves nothing"
    assert release.hidden > release.primary, "complementary cells were needed"
    assert disclosures(release) == []


def test_audit_detects_primary_suppression_alone():
    """The audit can fail: withholding only the small cells lets an outsider subtract them back."""
    release = release_of(synthetic_cases(1, n=260))
    release.hidden = set(release.primary)
    assert disclosures(release)


def test_tiny_and_lopsided_data_stay_protected():
    # Few cases: most cells are small, and whole sub-regions must be withheld together.
    for seed in range(10, 14):
        assert disclosures(release_of(synthetic_cases(seed, n=25))) == []


def test_same_cell_reads_the_same_under_every_filter():
    release = release_of(synthetic_cases(7, n=200))
    # `published` asserts that no two readings of one cell differ; West Asia has one country, so the sub-region
    # filter, the country filter and both together all read the same cells.
    cells = published(release)
    for y in YEARS:
        assert cells[("_total", None, "west_asia", "", y)] == cells[("_total", None, "", "JO", y)]


def test_multi_valued_dimension_is_not_treated_as_additive():
    cases = [
        {
            "subregion": "pacific",
            "country": "FJ",
            "year": 2025,
            "gender": "man",
            "perpetrator_kind": "state",
            "violation_type": ["threats"],
            "defender_group": [],
            "perpetrator_type": [],
            "right": [],
        }
        for _ in range(12)
    ]
    cases[0] = {**cases[0], "violation_type": ["threats", "killing"]}
    release = release_of(cases)
    rows = {r["key"]: r["count"] for r in release.rows("violation_type")}
    # One killing is withheld; threats (12) stays: the total (12) is no sum of violation cells.
    assert rows == {"threats": 12, "killing": None}
    assert disclosures(release) == []


def test_release_survives_a_cache_round_trip():
    import pickle

    release = release_of(synthetic_cases(3, n=120))
    again = pickle.loads(pickle.dumps(release))
    for group_by in GROUP_BYS:
        assert again.rows(group_by, subregion="pacific") == release.rows(group_by, subregion="pacific")


def _grouped(cases, key):
    out = defaultdict(int)
    for c in cases:
        out[(c[key], c["year"])] += 1
    return out


def test_release_counts_match_the_cases():
    cases = synthetic_cases(8, n=300)
    release = release_of(cases, min_cell=1)
    assert {(r["key"], r["year"]): r["count"] for r in release.rows("gender")} == _grouped(cases, "gender")
    in_fiji = [c for c in cases if c["country"] == "FJ"]
    got = {(r["key"], r["year"]): r["count"] for r in release.rows("perpetrator_kind", country="FJ")}
    assert got == _grouped(in_fiji, "perpetrator_kind")
