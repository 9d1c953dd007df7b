"""Outcome indicators computed from the institution's verified cases.

An indicator names a computation (`Indicator.computation`); the figure is read through the cases app's
public selectors only (`cases.selectors.verified_case_count` for cases, `cases.selectors.sdg_16_10_1_victims`
for SDG 16.10.1, which counts victims, each once, under their most serious act), imported directly so that a
renamed selector breaks the import instead of silently giving "not available". `cases` never imports
`indicators`, so the import makes no cycle.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cases import selectors as case_selectors
from r2dr.models import Institution

logger = logging.getLogger(__name__)

# Codes of the cases app's violation-type and defender-group taxonomies (cases/demo.py). The SDG 16.10.1
# computations below do not use this list: the cases app maps codes to the indicator's five acts itself.
SDG_16_10_1 = ["killing", "enforced-disappearance", "torture", "arbitrary-detention", "abduction"]


@dataclass(frozen=True)
class Computation:
    label: str
    violation_types: tuple | None = None
    defender_groups: tuple | None = None
    # SDG 16.10.1: victims (a case counts the people it affects), each once, optionally of some victim groups
    # ("journalist", "trade_unionist", "human_rights_defender").
    sdg_16_10_1: bool = False
    victim_groups: tuple | None = None


REGISTRY: dict[str, Computation] = {
    "hrd_attacks_all": Computation("All verified cases of attacks on defenders"),
    "sdg_16_10_1": Computation("Victims of SDG 16.10.1 acts in verified cases, each counted once", sdg_16_10_1=True),
    "journalists_16_10_1": Computation(
        "Journalists and media workers among the SDG 16.10.1 victims", sdg_16_10_1=True, victim_groups=("journalist",)
    ),
    "trade_unionists_16_10_1": Computation(
        "Trade unionists among the SDG 16.10.1 victims", sdg_16_10_1=True, victim_groups=("trade_unionist",)
    ),
    "killings": Computation("Verified killings", ("killing",)),
    "threats": Computation("Verified threats and intimidation", ("threats", "online-harassment", "family-threats")),
    "reprisals": Computation("Verified reprisals for cooperation with UN mechanisms", ("reprisal-un",)),
    "arbitrary_detention": Computation("Verified arbitrary arrests and detentions", ("arbitrary-detention",)),
}


def _case_counter() -> Callable[..., int | None] | None:
    return case_selectors.verified_case_count


def _victim_counter() -> Callable[..., int | None] | None:
    return case_selectors.sdg_16_10_1_victims


def compute(
    key: str, *, institution: Institution | int, date_from: datetime.date, date_to: datetime.date
) -> int | None:
    """The figure for one computation, or None when it cannot be computed (yet)."""
    computation = REGISTRY.get(key)
    counter = _case_counter()
    if computation is None or counter is None:
        return None
    try:
        if computation.sdg_16_10_1:
            victims = _victim_counter()
            if victims is None:
                return None
            return victims(
                institution=institution,
                date_from=date_from,
                date_to=date_to,
                victim_groups=list(computation.victim_groups) if computation.victim_groups else None,
            )
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
