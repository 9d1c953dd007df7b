"""Import of an exported cycle sheet filled offline: all rows or none."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
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


@transaction.atomic
def cycle_import(*, cycle: Cycle, by: AbstractUser, rows: list[dict[str, Any]]) -> int:
    """Apply an exported sheet filled offline. All rows or none: any row error rejects the whole file."""
    values = {
        v.indicator.code: v
        for v in Value.objects.for_institution(cycle.institution_id)
        .filter(cycle=cycle)
        .select_related("indicator", "cycle_area__area")
        .prefetch_related("cycle_area__respondents", "sources")
    }
    errors, planned = [], []
    for number, row in enumerate(rows, start=2):
        code = (row.get("indicator_code") or "").strip()
        if not code and not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        value = values.get(code)
        if value is None:
            errors.append((number, _("unknown indicator code “%(code)s” for this cycle") % {"code": code}))
            continue
        cycle_area = value.cycle_area
        if by.pk not in {u.pk for u in cycle_area.respondents.all()}:
            errors.append((number, _("you are not a respondent of area %(area)s") % {"area": cycle_area.area.code}))
            continue
        if not cycle_area.is_editable or cycle.is_published:
            errors.append(
                (
                    number,
                    _("area %(area)s is locked (%(status)s)")
                    % {"area": cycle_area.area.code, "status": cycle_area.get_status_display()},
                )
            )
            continue
        answer = (row.get("answer") or "").strip()
        normalised, _number = validation.normalise(value.indicator, answer)
        type_errors = [
            i
            for i in validation.check(
                value.indicator, answer=normalised, narrative=row.get("narrative") or "", source_count=1
            )
            if i.level == validation.ERROR and i.code in ("type", "range")
        ]
        for issue in type_errors:
            errors.append((number, f"{code}: {issue.message}"))
        confidence = (row.get("confidence") or "").strip().lower()
        if confidence not in ("", "high", "medium", "low"):
            errors.append((number, _("confidence must be high, medium or low")))
        source = None
        citation = (row.get("new_source") or "").strip()
        if citation:
            kind = (row.get("new_source_kind") or "document").strip()
            if kind not in Source.Kind.values:
                errors.append((number, _("unknown source kind “%(kind)s”") % {"kind": kind}))
            source_date = None
            if (row.get("new_source_date") or "").strip():
                try:
                    source_date = datetime.date.fromisoformat(row["new_source_date"].strip()[:10])
                except ValueError:
                    errors.append((number, _("source date must be YYYY-MM-DD")))
            source_url = (row.get("new_source_url") or "").strip()
            if source_url:
                try:
                    URLValidator(schemes=["http", "https"])(source_url)
                except ValidationError:
                    errors.append((number, _("the source's web address is not valid")))
            source = {
                "kind": kind,
                "citation": citation,
                "url": (row.get("new_source_url") or "").strip(),
                "date": source_date,
            }
        data = {"answer": answer, "narrative": row.get("narrative") or "", "confidence": confidence}
        if "justification" in row:
            data["justification"] = row.get("justification") or ""
        planned.append((value, data, source))
    if errors:
        raise ImportRejected(errors)
    for value, data, source in planned:
        value_save(value=value, by=by, data=data, reason=_("imported from file"))
        if source and source["citation"] not in {s.citation for s in value.sources.all()}:
            source_add(value=value, by=by, **source)
    cycle_event_create(cycle=cycle, action="import", by=by, note=_("%(n)s rows imported") % {"n": len(planned)})
    return len(planned)
