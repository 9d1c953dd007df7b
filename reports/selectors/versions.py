"""The data version of a report: a hash of everything it shows, so an unchanged report reuses its file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime

from django.db import models

from reports.charts import DataTable

# Bumped whenever a PDF layout changes, so cached files are rebuilt.
LAYOUT_VERSION = "2026-11-23.5"


def _plain(value: object) -> object:
    """A JSON-able, stable form of selector output (model rows become their key and text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, DataTable):
        return [value.key, value.columns, _plain(value.rows)]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}:{value}"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    return str(value)


def data_version(data: object, *, language: str) -> str:
    """Hash of everything a report shows, in the language it is written in."""
    payload = json.dumps([LAYOUT_VERSION, language, _plain(data)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
