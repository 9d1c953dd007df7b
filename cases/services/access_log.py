"""Every case read, change and key operation goes to the platform's hash-chained, append-only audit log
(r2dr.audit) with opaque references only (case reference, officer user id), never content."""

from __future__ import annotations

from typing import Any

from cases.models import AUDIT_PREFIX, Case
from r2dr.audit import audit_append
from r2dr.models import Institution

__all__ = ["AUDIT_PREFIX", "access_log_append"]


def access_log_append(
    *,
    institution: Institution,
    user: Any,
    action: str,
    case: Case | None = None,
    detail: str = "",
    object_type: str = "",
    data: dict | None = None,
) -> Any:
    """Append one cases entry. `detail` is a short note; `data` replaces it with structured, non-identifying facts
    (counts, flags)."""
    return audit_append(
        institution=institution,
        action=f"{AUDIT_PREFIX}{action}",
        actor=user,
        object_type=object_type or ("case" if case is not None else "case_keys"),
        object_ref=case.reference if case is not None else "",
        detail=data if data is not None else ({"note": detail[:200]} if detail else {}),
    )
