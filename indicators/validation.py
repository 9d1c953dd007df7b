"""Validation rules of indicator values (pure functions, no queries).

Two kinds of rule:
- what can be stored at all (`entry_errors`): an answer of the wrong type or out of range, a breakdown cell that is
  not a number, text the database cannot hold. Saving refuses these field by field, so an invalid answer is never
  stored, shown as complete or counted; the form keeps what was typed, with the error beside it.
- what a stored value still lacks (`check`): a source, consistency with other indicators, a justification of a
  strong change. Errors block submission of an area; warnings are shown, and an outlier warning needs a written
  justification before submission (once given, it is a resolved note that shows the explanation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from indicators.rating import NOT_AVAILABLE

YPN_CHOICES = ("yes", "partly", "no", NOT_AVAILABLE)
ERROR, WARNING, RESOLVED = "error", "warning", "resolved"
# Value.number is DECIMAL(14, 2): at most 12 digits before the point and 2 after.
MAX_NUMBER = Decimal("999999999999.99")
NOT_AVAILABLE_SPELLINGS = ("n/a", "na", "data not available", "not available")
# Digits (of any script), optionally grouped by commas in threes, and an optional decimal point. "1,5" is refused
# rather than read as fifteen: in much of the region the comma is the decimal separator.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?")


@dataclass(frozen=True)
class Issue:
    level: str
    field: str
    message: str
    code: str = ""


def _fmt(number) -> str:
    return format(number.normalize(), "f")


def parse_number(raw, *, percent: bool = False) -> Decimal | None:
    """The number written in `raw` (a plain decimal, commas grouping thousands), or None if it is not one."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if percent:
        text = text.removesuffix("%").rstrip()
    if not _NUMBER.fullmatch(text) or not any(ch.isdigit() for ch in text):
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def normalise(indicator, raw) -> tuple[str, Decimal | None]:
    """The answer as stored and its number when it parses as one.

    Text is trimmed; "n/a" and its spellings become "na"; yes/partly/no is lower-cased; a number is written in
    plain digits (`1,000` -> `1000`, `35 %` -> `35`) so the stored answer, its number and its rating agree."""
    answer = (raw or "").strip()
    if answer.lower() in NOT_AVAILABLE_SPELLINGS:
        return NOT_AVAILABLE, None
    if indicator.value_type == "ypn":
        answer = answer.lower()
    number = None
    if indicator.value_type in ("count", "percent"):
        number = parse_number(answer, percent=indicator.value_type == "percent")
        # Only a number that can be stored exactly is rewritten: anything else stays as typed, for its error.
        if number is not None and abs(number) <= MAX_NUMBER and number == number.quantize(Decimal("0.01")):
            number = number or Decimal(0)  # never "-0"
            answer = _fmt(number)
    return answer, number


def number_text(raw: str) -> str:
    """A number in plain digits when it can be stored exactly, else the text trimmed (left for its error)."""
    number = parse_number(raw)
    if number is not None and abs(number) <= MAX_NUMBER and number == number.quantize(Decimal("0.01")):
        return _fmt(number or Decimal(0))
    return raw.strip()


def _range(indicator) -> tuple[Decimal, Decimal | None]:
    low = indicator.min_value if indicator.min_value is not None else Decimal(0)
    high = indicator.max_value
    if high is None and indicator.value_type == "percent":
        high = Decimal(100)
    return low, high


def answer_issues(indicator, answer: str) -> tuple[list[Issue], Decimal | None]:
    """Type and range errors of a (normalised) answer, and its number when it is a valid one."""
    vt = indicator.value_type
    if answer in ("", NOT_AVAILABLE):
        return [], None
    if vt == "ypn" and answer not in YPN_CHOICES:
        return [Issue(ERROR, "answer", _("Choose yes, partly, no or data not available."), "type")], None
    if vt == "categorical" and answer not in {c["code"] for c in indicator.categories}:
        return [Issue(ERROR, "answer", _("Choose one of the listed categories."), "type")], None
    if vt == "narrative" and answer:
        # A narrative indicator has no separate answer: its narrative is the answer.
        return [Issue(ERROR, "answer", _("Write the answer in the narrative."), "type")], None
    if vt not in ("count", "percent"):
        return [], None
    number = parse_number(answer, percent=vt == "percent")
    if number is None:
        message = _("Enter a percentage from 0 to 100, e.g. 35 or 35.5.") if vt == "percent" else _("Enter a number.")
        return [Issue(ERROR, "answer", message, "type")], None
    if vt == "count" and number != number.to_integral_value():
        return [Issue(ERROR, "answer", _("A count must be a whole number."), "type")], None
    low, high = _range(indicator)
    if number < low or (high is not None and number > high):
        message = _("The value must be between %(low)s and %(high)s.") % {
            "low": _fmt(low),
            "high": _fmt(high) if high is not None else "∞",
        }
        return [Issue(ERROR, "answer", message, "range")], None
    if abs(number) > MAX_NUMBER:
        return [Issue(ERROR, "answer", _("This number is too large."), "range")], None
    if number != number.quantize(Decimal("0.01")):
        return [Issue(ERROR, "answer", _("Use at most two decimal places."), "type")], None
    return [], number


def _cell_error(indicator, raw) -> str | None:
    number = parse_number(raw)
    if number is None or number < 0:
        return _("Disaggregated values must be numbers of 0 or more.")
    if number > MAX_NUMBER:
        return _("This number is too large.")
    if indicator.value_type == "count" and number != number.to_integral_value():
        return _("A count must be a whole number.")
    if number != number.quantize(Decimal("0.01")):
        return _("Use at most two decimal places.")
    return None


def _text_error(text: object) -> str | None:
    if isinstance(text, str) and "\x00" in text:
        return _("This text contains a character that cannot be stored (a null character); remove it.")
    return None


def entry_errors(indicator, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Why fields of `data` (as `value_save` receives them, the answer not yet normalised) cannot be stored.

    Keys are the field names, and `disaggregation:<dimension>:<term>` for one breakdown cell. Empty when everything
    can be stored."""
    errors: dict[str, list[str]] = {}
    if "answer" in data:
        raw = data["answer"]
        problem = _text_error(raw)
        if problem:
            errors["answer"] = [problem]
        else:
            answer, _number = normalise(indicator, raw)
            found, _number = answer_issues(indicator, answer)
            if len(answer) > 200:
                found = [Issue(ERROR, "answer", _("An answer may be at most 200 characters."), "type")]
            if found:
                errors["answer"] = [i.message for i in found]
    for field in ("narrative", "justification"):
        problem = _text_error(data.get(field))
        if problem:
            errors[field] = [problem]
    if "confidence" in data and data["confidence"] not in ("", None, "high", "medium", "low"):
        errors["confidence"] = [_("Choose high, medium or low confidence.")]
    for dimension, cells in (data.get("disaggregation") or {}).items():
        for term, raw in (cells or {}).items():
            if str(raw if raw is not None else "").strip() == "":
                continue
            problem = _cell_error(indicator, raw)
            if problem:
                errors[f"disaggregation:{dimension}:{term}"] = [problem]
    return errors


def is_answered(indicator, answer: str, narrative: str) -> bool:
    """Whether the value holds an answer that counts: present and valid for the indicator's type (an invalid one,
    stored before saving refused them, is not an answer)."""
    if answer_issues(indicator, answer)[0]:
        return False
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
    """All issues of one stored value.

    totals: {indicator code: number} of the same cycle, for consistency rules; previous: the number of the same
    indicator (by code) in the institution's previous cycle, for outlier warnings. A strong change against the
    previous cycle is a warning (an error at submission) until it is justified, then a RESOLVED note quoting the
    justification.
    """
    issues, number = answer_issues(indicator, answer)
    if not issues and not is_answered(indicator, answer, narrative):
        if for_submit:
            issues.append(
                Issue(ERROR, "answer", _("An answer is required (or choose “data not available”)."), "required")
            )
        return issues
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
    for dimension, cells in (disaggregation or {}).items():
        raws = [v for v in (cells or {}).values() if str(v if v is not None else "").strip() != ""]
        if any(_cell_error(indicator, v) for v in raws):
            issues.append(
                Issue(ERROR, f"dis:{dimension}", _("Disaggregated values must be numbers of 0 or more."), "type")
            )
        elif number is not None and raws and sum(parse_number(v) or 0 for v in raws) > number:
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
            explanation = (justification or "").strip()
            if explanation:
                issues.append(
                    Issue(
                        RESOLVED,
                        "justification",
                        _("Differs strongly from the previous cycle (%(prev)s), explained: %(why)s")
                        % {"prev": _fmt(previous), "why": explanation},
                        "outlier",
                    )
                )
            else:
                issues.append(
                    Issue(
                        ERROR if for_submit else WARNING,
                        "justification",
                        _("This differs strongly from the previous cycle (%(prev)s): explain why.")
                        % {"prev": _fmt(previous)},
                        "outlier",
                    )
                )
    return issues
