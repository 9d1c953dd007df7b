"""Data entry: a value's answer (with its history) and its sources."""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import validation
from indicators.history import field_text, source_text
from indicators.models import Source, Value, ValueHistory
from indicators.services._common import require_editable, require_respondent

VALUE_FIELDS = ("answer", "narrative", "confidence", "disaggregation", "justification")


def _clean_disaggregation(data: dict[str, dict[str, object]] | None) -> dict[str, dict[str, str]]:
    """Empty cells dropped, numbers in plain digits (`1,200` -> `1200`); the cells were validated before."""
    out = {}
    for dimension, cells in (data or {}).items():
        kept = {
            term: validation.number_text(str(v))
            for term, v in (cells or {}).items()
            if str(v if v is not None else "").strip() != ""
        }
        if kept:
            out[dimension] = kept
    return out


@transaction.atomic
def value_save(
    *, value: Value, by: User | None, data: dict[str, Any], reason: str = "", check_permission: bool = True
) -> Value:
    """Store the fields given in `data` and record every change in the history.

    Refuses (ValidationError by field, nothing stored) any field that cannot be stored as it is: an answer of the
    wrong type or out of range, a breakdown cell that is not a number, an unknown confidence
    (`validation.entry_errors`). Callers that save what a person typed leave such fields out and show the error
    beside them (`ValueForm.value_data`), so the rest is not lost."""
    value = (
        Value.objects.for_institution(value.institution_id)
        .select_for_update()
        .select_related("cycle_area__cycle", "indicator")
        .get(pk=value.pk)
    )
    cycle_area = value.cycle_area
    if check_permission:
        require_respondent(cycle_area, by)
    require_editable(cycle_area)
    given = {field: data[field] for field in VALUE_FIELDS if field in data}
    errors = validation.entry_errors(value.indicator, given)
    if errors:
        raise ValidationError(errors)
    changes = []
    for field, new in given.items():
        if field == "answer":
            new, number = validation.normalise(value.indicator, new)
            value.number = number
        elif field == "disaggregation":
            new = _clean_disaggregation(new)
        elif isinstance(new, str):
            new = new.strip()
        elif new is None:
            new = ""
        old = getattr(value, field)
        if old != new:
            changes.append((field, field_text(old), field_text(new)))
            setattr(value, field, new)
    if changes:
        value.updated_at = timezone.now()
        value.updated_by = by
        value.save()
        ValueHistory.objects.bulk_create(
            [
                ValueHistory(
                    institution_id=value.institution_id, value=value, field=f, old=o, new=n, reason=reason, by=by
                )
                for f, o, n in changes
            ]
        )
    return value


ALLOWED_UPLOADS = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".txt": None,
    ".csv": None,
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def validate_upload(upload: UploadedFile) -> str:
    """Allowed types, checked by content (magic bytes), and a size limit."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError({"file": _("Allowed files: PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, TXT, CSV.")})
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("Files may be at most 10 MB.")})
    head = upload.read(8)
    upload.seek(0)
    magic = ALLOWED_UPLOADS[ext]
    if magic is None:
        if b"\x00" in upload.read(4096):
            upload.seek(0)
            raise ValidationError({"file": _("This file does not look like text.")})
        upload.seek(0)
    elif not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return name


@transaction.atomic
def source_add(
    *,
    value: Value,
    by: User | None,
    kind: str,
    citation: str,
    url: str = "",
    date: datetime.date | None = None,
    upload: UploadedFile | None = None,
    confidential: bool = False,
    check_permission: bool = True,
) -> Source:
    cycle_area = value.cycle_area
    if check_permission:
        require_respondent(cycle_area, by)
    require_editable(cycle_area)
    if kind not in Source.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of source.")})
    file_name = validate_upload(upload) if upload else ""
    citation = (citation or "").strip() or file_name or (url or "").strip()
    if not citation:
        raise ValidationError({"citation": _("Describe the source (title, law, interview...).")})
    source = Source(
        institution_id=value.institution_id,
        value=value,
        kind=kind,
        citation=citation[:500],
        url=url or "",
        date=date,
        confidential=confidential,
        added_by=by,
        file_name=file_name[:200],
    )
    if upload:
        # The stored name never contains the user's file name (it may identify someone).
        source.file.save(
            f"{value.institution_id}-{timezone.now():%Y%m%d%H%M%S%f}{os.path.splitext(file_name)[1].lower()}",
            upload,
            save=False,
        )
    source.full_clean(exclude=["value", "file"])
    source.save()
    ValueHistory.objects.create(
        institution_id=value.institution_id,
        value=value,
        field="source",
        new=source_text(source.citation, confidential=confidential),
        by=by,
    )
    return source


@transaction.atomic
def source_remove(*, source: Source, by: User) -> None:
    value = source.value
    require_respondent(value.cycle_area, by)
    require_editable(value.cycle_area)
    ValueHistory.objects.create(
        institution_id=value.institution_id,
        value=value,
        field="source",
        old=source.citation,
        by=by,
        reason=_("source removed"),
    )
    if source.file:
        source.file.delete(save=False)
    source.delete()
