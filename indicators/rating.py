"""Rating rules: map an indicator's answer to a dashboard status.

A rule is JSON on the indicator, editable by regional admins in a draft framework version:
- {"kind": "map", "map": {"yes": "enabling", "partly": "partly", "no": "restrictive"}} for yes/partly/no and
  categorical answers;
- {"kind": "threshold", "higher_is_better": bool, "enabling": n, "partly": n} for numbers: with
  higher_is_better, value >= enabling is enabling, >= partly is partly enabling, else restrictive; otherwise
  value <= enabling is enabling, <= partly is partly enabling, else restrictive;
- {"kind": "none"}: not rated (narratives).
"Data not available", an empty or invalid answer, and unrated indicators give "nodata".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from indicators.models import Value

ENABLING, PARTLY, RESTRICTIVE, NODATA = "enabling", "partly", "restrictive", "nodata"
STATUSES = (ENABLING, PARTLY, RESTRICTIVE, NODATA)
STATUS_LABELS = {
    ENABLING: _("Enabling"),
    PARTLY: _("Partly enabling"),
    RESTRICTIVE: _("Restrictive"),
    NODATA: _("No data"),
}
NOT_AVAILABLE = "na"
# Labelled answers of a yes/partly/no indicator (forms offer them, selectors display them).
YPN_CHOICES = [("yes", _("Yes")), ("partly", _("Partly")), ("no", _("No")), (NOT_AVAILABLE, _("Data not available"))]


def _number(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def validate_rule(rule) -> list[str]:
    """Problems with a rule (empty list if it is usable)."""
    if not isinstance(rule, dict):
        return ["The rule must be a JSON object."]
    kind = rule.get("kind")
    if kind == "none":
        return []
    if kind == "map":
        mapping = rule.get("map")
        if not isinstance(mapping, dict) or not mapping:
            return ["A map rule needs a non-empty 'map'."]
        bad = [v for v in mapping.values() if v not in STATUSES]
        return [f"Unknown status(es): {', '.join(map(str, bad))}"] if bad else []
    if kind == "threshold":
        problems = []
        for key in ("enabling", "partly"):
            if _number(rule.get(key)) is None:
                problems.append(f"'{key}' must be a number.")
        if not isinstance(rule.get("higher_is_better"), bool):
            problems.append("'higher_is_better' must be true or false.")
        return problems
    return ["'kind' must be map, threshold or none."]


def rate(rule, answer) -> str:
    """The status of one answer under one rule."""
    if not rule or answer in (None, "", NOT_AVAILABLE):
        return NODATA
    kind = rule.get("kind")
    if kind == "map":
        return rule.get("map", {}).get(str(answer), NODATA)
    if kind == "threshold":
        value = _number(answer)
        enabling, partly = _number(rule.get("enabling")), _number(rule.get("partly"))
        if value is None or enabling is None or partly is None:
            return NODATA
        if rule.get("higher_is_better"):
            return ENABLING if value >= enabling else PARTLY if value >= partly else RESTRICTIVE
        return ENABLING if value <= enabling else PARTLY if value <= partly else RESTRICTIVE
    return NODATA


def summarise(statuses) -> dict:
    """Counts per status and the area's overall status.

    The overall status is the most frequent rated status; ties go to the less favourable one, so a dashboard
    never looks better than the evidence. An area with no rated answer has "nodata".
    """
    counts = {s: 0 for s in STATUSES}
    for status in statuses:
        counts[status] += 1
    rated = [(counts[s], -i, s) for i, s in enumerate((RESTRICTIVE, PARTLY, ENABLING)) if counts[s]]
    overall = NODATA
    if rated:
        # max count; among equal counts the first in (restrictive, partly, enabling) order wins.
        best = max(c for c, _i, _s in rated)
        overall = next(s for c, _i, s in rated if c == best)
    return {"status": overall, **counts}


def not_available_label() -> str:
    return gettext("Data not available")


def answer_display(value: Value | None) -> str:
    """An answer as people read it: labels for choices, "%" for percentages, the narrative for narratives."""
    if value is None:
        return ""
    if value.indicator.value_type == "narrative" and value.answer != NOT_AVAILABLE:
        return value.narrative
    return answer_text(value.indicator, value.answer)


def answer_text(indicator, answer: str) -> str:
    """One answer code as people read it (a choice's label, "35 %"), whether stored now or recorded in history."""
    if answer == NOT_AVAILABLE:
        return not_available_label()
    if indicator.value_type == "ypn":
        return str(dict(YPN_CHOICES).get(answer, answer))
    if indicator.value_type == "categorical":
        return next((c["label"] for c in indicator.categories if c["code"] == answer), answer)
    if indicator.value_type == "percent" and answer:
        return f"{answer} %"
    return answer
