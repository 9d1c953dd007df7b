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

from cases.statistics.counting import open_urgent_case_count, verified_case_count, verified_case_counts
from cases.statistics.dimensions import ADDITIVE, GEOGRAPHY, GROUP_BY, MULTI_VALUED, TOTAL
from cases.statistics.release import (
    build_release,
    case_statistics,
    case_statistics_release,
    labels_for,
    min_cell_for,
    shared_periods,
)
from cases.statistics.sdg import (
    SDG_16_10_1_CATEGORIES,
    SDG_16_10_1_GROUP_CODES,
    SDG_16_10_1_VICTIM_GROUPS,
    Sdg16101,
    sdg_16_10_1,
    sdg_16_10_1_victims,
)
from cases.statistics.suppression import Release, cell_order, suppress_jointly

__all__ = [
    "ADDITIVE",
    "GEOGRAPHY",
    "GROUP_BY",
    "MULTI_VALUED",
    "Release",
    "SDG_16_10_1_CATEGORIES",
    "SDG_16_10_1_GROUP_CODES",
    "SDG_16_10_1_VICTIM_GROUPS",
    "Sdg16101",
    "TOTAL",
    "build_release",
    "case_statistics",
    "case_statistics_release",
    "cell_order",
    "labels_for",
    "min_cell_for",
    "open_urgent_case_count",
    "sdg_16_10_1",
    "sdg_16_10_1_victims",
    "shared_periods",
    "suppress_jointly",
    "verified_case_count",
    "verified_case_counts",
]
