"""The only door from reports to the other apps: their selectors.

Each function calls one selector of `indicators.selectors` or
`cases.selectors` and returns `None` when that selector does not exist (yet),
so a dashboard says "no data yet" instead of failing or inventing figures.
Reports never imports another app's models.
"""

from __future__ import annotations

import importlib
import logging

logger = logging.getLogger(__name__)

MISSING = None


def _selector(module: str, name: str):
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        if exc.name == module:
            return None
        raise
    return getattr(mod, name, None)


def _call(module: str, name: str, **kwargs):
    fn = _selector(module, name)
    if fn is None:
        return MISSING
    return fn(**kwargs)


# --- indicators --------------------------------------------------------------


def framework_areas():
    return _call("indicators.selectors", "framework_areas")


def regional_status_matrix(*, round_id=None, subregion=None, country=None):
    return _call(
        "indicators.selectors", "regional_status_matrix", round_id=round_id, subregion=subregion, country=country
    )


def regional_completeness(*, round_id=None):
    return _call("indicators.selectors", "regional_completeness", round_id=round_id)


def national_results(*, institution, cycle):
    return _call("indicators.selectors", "national_results", institution=institution, cycle=cycle)


def published_cycles(*, institution):
    return _call("indicators.selectors", "published_cycles", institution=institution)


def previous_cycle(*, cycle):
    return _call("indicators.selectors", "previous_cycle", cycle=cycle)


def monitoring_rounds():
    """Rounds that a regional view can choose between, newest first (or None)."""
    rounds = _call("indicators.selectors", "rounds")
    return list(rounds) if rounds is not None else None


def institution_cycles(*, institution):
    """All of an institution's cycles (open and published), for the progress panel."""
    return _call("indicators.selectors", "cycles_for", institution=institution)


def cycle_overview(*, institution, cycle):
    return _call("indicators.selectors", "cycle_overview", institution=institution, cycle=cycle)


# --- cases ------------------------------------------------------------------


def case_statistics(**kwargs):
    return _call("cases.selectors", "case_statistics", **kwargs)


def case_statistics_release(**kwargs):
    """Every published case number of one audience, jointly suppressed: slice it with
    `case_statistics(release=..., group_by=...)` so all tables, CSVs, PDFs and the API agree."""
    return _call("cases.selectors", "case_statistics_release", **kwargs)


def open_urgent_case_count(*, institution):
    return _call("cases.selectors", "open_urgent_case_count", institution=institution)


def verified_case_count(**kwargs):
    return _call("cases.selectors", "verified_case_count", **kwargs)


def perpetrator_kinds():
    """{perpetrator type code: "state" | "non_state" | "unknown"} if the cases app offers it."""
    return _call("cases.selectors", "perpetrator_kinds")


def available() -> dict[str, bool]:
    """Which data sources exist, for "no data yet" notices."""
    return {
        "indicators": _selector("indicators.selectors", "regional_status_matrix") is not None,
        "cases": _selector("cases.selectors", "case_statistics") is not None,
    }
