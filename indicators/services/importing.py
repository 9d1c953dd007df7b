"""Import of an exported cycle sheet filled offline: all rows or none."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from indicators import validation
from indicators.models import Cycle, Source, Value
from indicators.services._common import cycle_event_create
from indicators.services.values import source_add, value_save


class ImportRejected(ValidationError):
    """The file had errors; nothing was saved. `row_errors` is [(row number, message)]."""

    def __init__(self, row_errors: list[tuple[int, str]]) -> None:
        self.row_errors = row_errors
        super().__init__([f"Row {n}: {m}" for n, m in row_errors])


def _access_error(cycle: Cycle, value: Value, by: User) -> str | None:
    cycle_area = value.cycle_area
    if by.pk not in {u.pk for u in cycle_area.respondents.all()}:
        return _("you are not a respondent of area %(area)s") % {"area": cycle_area.area.code}
    if not cycle_area.is_editable or cycle.is_published:
        return _("area %(area)s is locked (%(status)s)") % {
            "area": cycle_area.area.code,
            "status": cycle_area.get_status_display(),
        }
    return None


def _answer_errors(value: Value, data: dict[str, Any]) -> list[str]:
    """What in a row's answer fields could not be stored (the same rules as saving an answer on the page)."""
    found = []
    for field, messages in validation.entry_errors(value.indicator, data).items():
        if field == "confidence":
            found.append(_("confidence must be high, medium or low"))
        else:
            found.extend(f"{value.indicator.code}: {message}" for message in messages)
    return found


def _new_source(row: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The row's new source (kind, citation, url, date), if it names one, and what is wrong with it."""
    citation = (row.get("new_source") or "").strip()
    if not citation:
        return None, []
    found = []
    kind = (row.get("new_source_kind") or "document").strip()
    if kind not in Source.Kind.values:
        found.append(_("unknown source kind “%(kind)s”") % {"kind": kind})
    source_date = None
    if (row.get("new_source_date") or "").strip():
        try:
            source_date = datetime.date.fromisoformat(row["new_source_date"].strip()[:10])
        except ValueError:
            found.append(_("source date must be YYYY-MM-DD"))
    source_url = (row.get("new_source_url") or "").strip()
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            found.append(_("the source's web address is not valid"))
    return {"kind": kind, "citation": citation, "url": source_url, "date": source_date}, found


def _is_blank(row: dict[str, Any]) -> bool:
    return not any((v or "").strip() for v in row.values() if isinstance(v, str))


@transaction.atomic
def cycle_import(*, cycle: Cycle, by: User, rows: list[dict[str, Any]]) -> int:
    """Apply an exported sheet filled offline. All rows or none: any row error rejects the whole file."""
    values = {
        v.indicator.code: v
        for v in Value.objects.for_institution(cycle.institution_id)
        .filter(cycle=cycle)
        .select_related("indicator", "cycle_area__area")
        .prefetch_related("cycle_area__respondents", "sources")
    }
    errors: list[tuple[int, str]] = []
    planned: list[tuple[Value, dict[str, Any], dict[str, Any] | None]] = []
    for number, row in enumerate(rows, start=2):
        code = (row.get("indicator_code") or "").strip()
        if not code and _is_blank(row):
            continue
        value = values.get(code)
        if value is None:
            errors.append((number, _("unknown indicator code “%(code)s” for this cycle") % {"code": code}))
            continue
        refusal = _access_error(cycle, value, by)
        if refusal is not None:
            errors.append((number, refusal))
            continue
        answer = (row.get("answer") or "").strip()
        confidence = (row.get("confidence") or "").strip().lower()
        source, source_errors = _new_source(row)
        data = {"answer": answer, "narrative": row.get("narrative") or "", "confidence": confidence}
        if "justification" in row:
            data["justification"] = row.get("justification") or ""
        errors.extend((number, m) for m in _answer_errors(value, data) + source_errors)
        planned.append((value, data, source))
    if errors:
        raise ImportRejected(errors)
    for value, data, source in planned:
        value_save(value=value, by=by, data=data, reason=_("imported from file"))
        if source and source["citation"] not in {s.citation for s in value.sources.all()}:
            source_add(value=value, by=by, **source)
    cycle_event_create(cycle=cycle, action="import", by=by, note=_("%(n)s rows imported") % {"n": len(planned)})
    return len(planned)
