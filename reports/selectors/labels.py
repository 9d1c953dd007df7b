"""Labels shared by every report: statuses, changes between cycles, cycle names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from indicators.selectors import Cycle, MonitoringRound

STATUSES = ["enabling", "partly", "restrictive", "nodata"]


def status_labels() -> dict[str, str]:
    return {
        "enabling": _("Enabling"),
        "partly": _("Partly enabling"),
        "restrictive": _("Restrictive"),
        "nodata": _("No data"),
    }


def cycle_label(cycle: Cycle | MonitoringRound | None) -> str:
    """A cycle's or a monitoring round's name ("" for none)."""
    return "" if cycle is None else str(cycle.title)


def status_rank(status: str | None) -> int | None:
    return None if status is None else {"restrictive": 0, "partly": 1, "enabling": 2}.get(status)


def change_of(status: str | None, previous_status: str | None) -> str:
    """'better' / 'worse' / 'same' / 'new' between two statuses."""
    now, before = status_rank(status), status_rank(previous_status)
    if now is None:
        return "nodata"
    if before is None:
        return "new"
    return "better" if now > before else "worse" if now < before else "same"


def change_labels() -> dict[str, str]:
    return {
        "better": _("Improved"),
        "worse": _("Worsened"),
        "same": _("Unchanged"),
        "new": _("No earlier data"),
        "nodata": _("No data"),
    }


def status_counts(statuses: Iterable[str | None]) -> dict[str, int]:
    """{status: how many} over STATUSES, anything unknown counted as no data."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status if status in counts else "nodata"] += 1
    return counts
