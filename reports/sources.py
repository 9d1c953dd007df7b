"""The only door from reports to the other apps: the selectors it reads, imported by name.

A renamed or removed selector breaks this import at start-up, never a dashboard that quietly says "no data".
Reports calls them as `sources.<name>(...)`, so the reports tests can stand in for all of them at once (their
fakes are checked against these signatures in tests/reports/test_contracts.py).
"""

from cases.selectors import (
    case_statistics,
    case_statistics_release,
    case_statistics_version,
    open_urgent_case_count,
    perpetrator_kinds,
)
from indicators.selectors import (
    cycle_overview,
    cycles_for,
    framework_areas,
    national_results,
    previous_cycle,
    published_cycles,
    published_data_version,
    regional_completeness,
    regional_status_matrix,
    rounds,
)

__all__ = [
    "case_statistics",
    "case_statistics_release",
    "case_statistics_version",
    "cycle_overview",
    "cycles_for",
    "framework_areas",
    "national_results",
    "open_urgent_case_count",
    "perpetrator_kinds",
    "previous_cycle",
    "published_cycles",
    "published_data_version",
    "regional_completeness",
    "regional_status_matrix",
    "rounds",
]
