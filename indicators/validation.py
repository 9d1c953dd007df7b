"""Validation rules of indicator values (pure functions, no queries).

Values are stored as typed, so nothing is ever lost; these rules say what is wrong. Errors block submission
of an area; warnings are shown, and an outlier warning needs a written justification before submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from indicators.rating import NOT_AVAILABLE

YPN_CHOICES = ("yes", "partly", "no", NOT_AVAILABLE)
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    level: str
    field: str
    message: str
    code: str = ""


def _fmt(number) -> str:
    return format(number.normalize(), "f")


def parse_number(raw):
    if raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def normalise(indicator, raw) -> tuple[str, Decimal | None]:
    """The answer as stored (trimmed text) and its number when it parses as one."""
    answer = (raw or "").strip()
    if answer.lower() in ("n/a", "na", "data not available", "not available"):
        return NOT_AVAILABLE, None
    if indicator.value_type == "ypn":
        answer = answer.lower()
    number = parse_number(answer) if indicator.value_type in ("count", "percent") else None
    return answer, number


def is_answered(indicator, answer: str, narrative: str) -> bool:
    if indicator.value_type == "narrative":
        return bool((narrative or "").strip()) or answer == NOT_AVAILABLE
    return bool(answer)


def check(
    indicator,
    *,
    answer,
    narrative="",
    disaggregation=None,
    justification="",
    source_count=0,
    totals=None,
    previous=None,
    for_submit=False,
) -> list[Issue]:
    """All issues of one value.

    totals: {indicator code: number} of the same cycle, for consistency rules; previous: the number of the same
    indicator (by code) in the institution's previous cycle, for outlier warnings.
    """
    issues: list[Issue] = []
    vt = indicator.value_type
    answered = is_answered(indicator, answer, narrative)
    if not answered:
        if for_submit:
            issues.append(
                Issue(ERROR, "answer", _("An answer is required (or choose “data not available”)."), "required")
            )
        return issues
    number = None
    if answer != NOT_AVAILABLE:
        if vt == "ypn" and answer not in YPN_CHOICES:
            issues.append(Issue(ERROR, "answer", _("Choose yes, partly, no or data not available."), "type"))
        elif vt == "categorical" and answer not in {c["code"] for c in indicator.categories}:
            issues.append(Issue(ERROR, "answer", _("Choose one of the listed categories."), "type"))
        elif vt in ("count", "percent"):
            number = parse_number(answer)
            if number is None:
                issues.append(Issue(ERROR, "answer", _("Enter a number."), "type"))
            elif vt == "count" and number != number.to_integral_value():
                issues.append(Issue(ERROR, "answer", _("A count must be a whole number."), "type"))
                number = None
            else:
                low = indicator.min_value if indicator.min_value is not None else (Decimal(0))
                high = (
                    indicator.max_value
                    if indicator.max_value is not None
                    else (Decimal(100) if vt == "percent" else None)
                )
                if number < low or (high is not None and number > high):
                    issues.append(
                        Issue(
                            ERROR,
                            "answer",
                            _("The value must be between %(low)s and %(high)s.")
                            % {"low": _fmt(low), "high": _fmt(high) if high is not None else "∞"},
                            "range",
                        )
                    )
                    number = None
    if source_count < 1:
        issues.append(Issue(ERROR, "sources", _("Add at least one source for this answer."), "source"))
    totals = totals or {}
    if number is not None and indicator.total_code:
        total = totals.get(indicator.total_code)
        if total is not None and number > total:
            issues.append(
                Issue(
                    ERROR,
                    "answer",
                    _("This number cannot exceed the value of %(code)s (%(total)s).")
                    % {"code": indicator.total_code, "total": _fmt(total)},
                    "consistency",
                )
            )
    if disaggregation and number is not None:
        for dimension, cells in disaggregation.items():
            parsed = [parse_number(v) for v in (cells or {}).values() if v not in (None, "")]
            if any(p is None or p < 0 for p in parsed):
                issues.append(
                    Issue(ERROR, f"dis:{dimension}", _("Disaggregated values must be numbers of 0 or more."), "type")
                )
            elif parsed and sum(parsed) > number:
                issues.append(
                    Issue(
                        ERROR,
                        f"dis:{dimension}",
                        _("The breakdown by %(dim)s adds up to more than the total.")
                        % {"dim": dimension.replace("_", " ")},
                        "consistency",
                    )
                )
    if number is not None and previous is not None and indicator.outlier_threshold is not None:
        base = max(abs(previous), Decimal(1))
        change = abs(number - previous) / base
        if change > indicator.outlier_threshold and abs(number - previous) >= 2:
            level = ERROR if for_submit and not (justification or "").strip() else WARNING
            issues.append(
                Issue(
                    level,
                    "justification",
                    _("This differs strongly from the previous cycle (%(prev)s): explain why.")
                    % {"prev": _fmt(previous)},
                    "outlier",
                )
            )
    return issues
