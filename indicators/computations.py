"""Outcome indicators computed from the institution's verified cases.

An indicator names a computation (`Indicator.computation`); the figure is read through the cases app's
public selector only (`cases.selectors.verified_case_count`), imported when needed so that indicators works
before and without the cases app. When the selector is missing the figure is None ("not available").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Codes of the cases app's violation-type and defender-group taxonomies (cases/demo.py).
SDG_16_10_1 = ["killing", "enforced-disappearance", "torture", "arbitrary-detention", "abduction"]


@dataclass(frozen=True)
class Computation:
    label: str
    violation_types: tuple | None = None
    defender_groups: tuple | None = None


REGISTRY: dict[str, Computation] = {
    "hrd_attacks_all": Computation("All verified cases of attacks on defenders"),
    "sdg_16_10_1": Computation("Verified SDG 16.10.1 cases", tuple(SDG_16_10_1)),
    "journalists_16_10_1": Computation(
        "Verified SDG 16.10.1 cases of journalists", tuple(SDG_16_10_1), ("journalists",)
    ),
    "killings": Computation("Verified killings", ("killing",)),
    "threats": Computation("Verified threats and intimidation", ("threats", "online-harassment", "family-threats")),
    "reprisals": Computation("Verified reprisals for cooperation with UN mechanisms", ("reprisal-un",)),
    "arbitrary_detention": Computation("Verified arbitrary arrests and detentions", ("arbitrary-detention",)),
}


def _case_counter():
    try:
        from cases import selectors as case_selectors
    except ImportError:
        return None
    return getattr(case_selectors, "verified_case_count", None)


def compute(key: str, *, institution, date_from, date_to):
    """The figure for one computation, or None when it cannot be computed (yet)."""
    computation = REGISTRY.get(key)
    counter = _case_counter()
    if computation is None or counter is None:
        return None
    try:
        return counter(
            institution=institution,
            date_from=date_from,
            date_to=date_to,
            violation_types=list(computation.violation_types) if computation.violation_types else None,
            defender_groups=list(computation.defender_groups) if computation.defender_groups else None,
        )
    except Exception:  # noqa: BLE001 - a failing colleague selector must not break data entry
        logger.exception("computation %s failed", key)
        return None
