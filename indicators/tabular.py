"""CSV and XLSX reading and writing of cycle sheets (no database access)."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

# The columns of a cycle's sheet: `selectors.export_rows` fills them, `services.cycle_import` reads them back.
EXPORT_COLUMNS = [
    "indicator_code",
    "area",
    "indicator",
    "allowed_answers",
    "answer",
    "narrative",
    "confidence",
    "justification",
    "sources",
    "new_source",
    "new_source_kind",
    "new_source_url",
    "new_source_date",
]

MAX_ROWS = 2000


def write_csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
    # BOM so spreadsheet programs open UTF-8 correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(rows: list[dict], columns: list[str], title: str = "values") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(columns)
    for row in rows:
        ws.append([_safe(row.get(c, "")) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe(value):
    """Neutralise spreadsheet formulas (CSV injection) in exported text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _looks_numeric(value):
        return "'" + value
    return value


def _looks_numeric(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@") else value


def read_table(upload) -> list[dict]:
    """Rows of an uploaded CSV or XLSX file as dicts keyed by the header row (values as text)."""
    name = (upload.name or "").lower()
    raw = upload.read()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(raw)
    elif name.endswith(".csv"):
        rows = _read_csv(raw)
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if not rows:
        raise ValidationError(_("The file has no header row."))
    header = [str(h or "").strip().lower() for h in rows[0]]
    if "indicator_code" not in header:
        raise ValidationError(_("The header row must contain indicator_code (use an exported sheet)."))
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(_("Too many rows."))
    out = []
    for cells in rows[1:]:
        record = {}
        for i, key in enumerate(header):
            if not key:
                continue
            cell = cells[i] if i < len(cells) else ""
            record[key] = _unsafe(_cell_text(cell))
        out.append(record)
    return out


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return cell.isoformat()[:10]
    return str(cell)


def _read_csv(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The CSV file must be UTF-8 encoded."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValidationError(_("The CSV file could not be read: %(err)s") % {"err": exc})


def _read_xlsx(raw: bytes):
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure is the user's file, not a server error
        raise ValidationError(_("The XLSX file could not be read."))
    ws = wb.worksheets[0]
    rows = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i > MAX_ROWS + 1:
            raise ValidationError(_("Too many rows."))
        rows.append(list(row))
    return rows
