"""Append-only, tamper-evident audit log, one hash chain per institution.

Each entry stores the SHA-256 of its own canonical content and of the previous
entry's hash, so changing, removing or reordering any row breaks every later
link. Appends take a row lock on the institution's chain head
(`AuditHead`, SELECT ... FOR UPDATE), so concurrent writers queue up instead of
forking the chain. On PostgreSQL a trigger also refuses UPDATE and DELETE on
the entries (migration 0003). Entries name objects only by opaque references
(e.g. a case's public id), never by content, so the log survives deletion of
what it describes without keeping any of it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from r2dr.models import GENESIS, AuditEntry, AuditHead, Institution

__all__ = ["GENESIS", "AuditEntry", "audit_append", "audit_entries_for", "audit_verify"]


def audit_append(
    *,
    institution: Institution,
    action: str,
    actor: User | AnonymousUser | None = None,
    object_type: str = "",
    object_ref: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the institution's chain (joins the caller's transaction)."""
    with transaction.atomic():
        user = actor if isinstance(actor, User) and actor.is_authenticated else None
        head, _created = AuditHead.objects.get_or_create(institution=institution)
        head = AuditHead.objects.select_for_update().get(pk=head.pk)
        entry = AuditEntry(
            institution=institution,
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_label=user.get_username() if user is not None else "system",
            action=action,
            object_type=object_type,
            object_ref=str(object_ref),
            detail=detail or {},
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def audit_verify(*, institution: Institution | int) -> tuple[bool, str]:
    """Recompute the chain; returns (ok, message naming the first broken entry)."""
    previous = GENESIS
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.for_institution(institution).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return False, f"entry #{expected_seq} is missing (found #{entry.seq})"
        if entry.prev_hash != previous:
            return False, f"entry #{entry.seq} does not follow the previous entry"
        if entry.compute_hash() != entry.hash:
            return False, f"entry #{entry.seq} was altered"
        previous = entry.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(institution=institution).first()
    if head is not None and (head.seq != count or head.hash != previous):
        return False, f"the chain ends at #{count} but the head records #{head.seq}: entries were removed"
    return True, f"{count} entries verified"


def audit_entries_for(
    *, institution: Institution | int, object_type: str | None = None, object_ref: str | None = None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.for_institution(institution).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_ref:
        qs = qs.filter(object_ref=object_ref)
    return qs.order_by("-seq")
