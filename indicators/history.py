"""How a value's fields are written in its history (`ValueHistory.old`/`new`), so that a history record and the
current value compare as text. Services write with `field_text`; selectors read the history back with it."""

from __future__ import annotations

CONFIDENTIAL_PREFIX = "[confidential] "


def field_text(value: object) -> str:
    """One field as the history records it: a breakdown as `sex: women=4, men=3; group: lawyer=2`."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(f'{t}={n}' for t, n in v.items())}" for k, v in value.items() if v)
    return "" if value is None else str(value)


def source_text(citation: str, *, confidential: bool) -> str:
    """A source as the history records its addition."""
    return (CONFIDENTIAL_PREFIX if confidential else "") + citation


def source_citation(text: str) -> str:
    """The citation in a history record of a source (added or removed)."""
    return text.removeprefix(CONFIDENTIAL_PREFIX)
