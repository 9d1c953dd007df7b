"""Append-only, tamper-evident audit log, one hash chain per institution.

Each entry stores the SHA-256 of its own canonical content and of the previous
entry's hash, so changing, removing or reordering any row breaks every later
link. Appends take a row lock on the institution's chain head
(`AuditHead`, SELECT ... FOR UPDATE), so concurrent writers queue up instead of
forking the chain. On PostgreSQL triggers also refuse UPDATE and DELETE on
the entries (migration 0003), moving the head anywhere but forward to an
existing entry, deleting it, and TRUNCATE of either table (migration 0004).

A database superuser can still bypass triggers, cut the chain's end and move
the head back, so the chain is also anchored outside the database: a
periodic checkpoint (entry count and head hash, HMAC-signed with a key from
settings) is e-mailed to the institution's heads and appended to a file under
R2DR_AUDIT_CHECKPOINT_DIR; `audit_verify` given the last checkpoint fails when
the chain no longer reaches it. Entries name objects only by opaque references
(e.g. a case's public id), never by content, so the log survives deletion of
what it describes without keeping any of it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from r2dr.models import GENESIS, AuditEntry, AuditHead, Institution, Membership
from r2dr.roles import Role

__all__ = [
    "GENESIS",
    "AuditCheckpoint",
    "AuditEntry",
    "audit_append",
    "audit_checkpoint_issue",
    "audit_checkpoint_latest",
    "audit_checkpoint_parse",
    "audit_entries_for",
    "audit_verify",
]

logger = logging.getLogger(__name__)

CHECKPOINT_PREFIX = "r2dr-audit-checkpoint-v1"


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


@dataclasses.dataclass(frozen=True)
class AuditCheckpoint:
    """A signed statement that an institution's chain had `seq` entries, the last one hashing to `hash`.

    Its text form is one line, so it fits an e-mail, a file, or a command-line argument:
    `r2dr-audit-checkpoint-v1 <institution id> <slug> <seq> <hash> <issued at> <signature>`.
    """

    institution_id: int
    slug: str
    seq: int
    hash: str
    issued_at: str

    def payload(self) -> str:
        return f"{CHECKPOINT_PREFIX} {self.institution_id} {self.slug} {self.seq} {self.hash} {self.issued_at}"

    def signature(self) -> str:
        return salted_hmac(CHECKPOINT_PREFIX, self.payload(), secret=_checkpoint_key(), algorithm="sha256").hexdigest()

    def line(self) -> str:
        return f"{self.payload()} {self.signature()}"


def _checkpoint_key() -> str:
    # Never a value stored in the database: whoever can rewrite the chain there must not be able to re-sign it.
    return settings.R2DR_AUDIT_CHECKPOINT_KEY or settings.SECRET_KEY


def audit_checkpoint_parse(line: str) -> AuditCheckpoint:
    """The checkpoint a line states; ValueError when it is malformed or its signature is not ours."""
    parts = line.split()
    if len(parts) != 7 or parts[0] != CHECKPOINT_PREFIX:
        raise ValueError("not an r2dr audit checkpoint")
    _prefix, institution_id, slug, seq, head_hash, issued_at, signature = parts
    try:
        checkpoint = AuditCheckpoint(int(institution_id), slug, int(seq), head_hash, issued_at)
    except ValueError:
        raise ValueError("not an r2dr audit checkpoint") from None
    if not constant_time_compare(signature, checkpoint.signature()):
        raise ValueError("the checkpoint's signature does not match (altered, or signed with another key)")
    return checkpoint


def _checkpoint_file(directory: str | Path, slug: str) -> Path:
    return Path(directory) / f"{slug}.txt"


def audit_checkpoint_latest(*, institution: Institution, directory: str | Path | None = None) -> AuditCheckpoint | None:
    """The last checkpoint written for the institution under `directory` (default R2DR_AUDIT_CHECKPOINT_DIR)."""
    directory = directory or settings.R2DR_AUDIT_CHECKPOINT_DIR
    if not directory:
        return None
    path = _checkpoint_file(directory, institution.slug)
    if not path.exists():
        return None
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return audit_checkpoint_parse(lines[-1]) if lines else None


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def audit_checkpoint_issue(*, institution: Institution) -> AuditCheckpoint | None:
    """Sign the chain's current end, after verifying it reaches the previous checkpoint, and hand it out.

    The checkpoint is appended to R2DR_AUDIT_CHECKPOINT_DIR/<slug>.txt (when set) and e-mailed to the
    institution's heads. When the chain fails verification nothing is signed (a cut chain must not get a
    fresh anchor): the heads are told instead, and None is returned.
    """
    with transaction.atomic():
        ok, message = audit_verify(institution=institution, checkpoint=audit_checkpoint_latest(institution=institution))
        heads = list(
            Membership.objects.filter(institution=institution, role=Role.INSTITUTION_HEAD)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if not ok:
            logger.error("audit chain of institution %s failed verification: %s", institution.pk, message)
            body = (
                f"The audit log of {institution.slug} failed verification: {message}.\n\n"
                "No new checkpoint was signed. Keep the earlier checkpoint e-mails: they show how far the log "
                "reached. Ask your technical contact to investigate."
            )
            if heads:
                transaction.on_commit(
                    lambda: send_mail("r2dr: the audit log failed verification", body, None, heads, fail_silently=True)
                )
            return None
        head = AuditHead.objects.filter(institution=institution).first()
        checkpoint = AuditCheckpoint(
            institution_id=institution.pk,
            slug=institution.slug,
            seq=head.seq if head else 0,
            hash=head.hash if head else GENESIS,
            issued_at=timezone.now().replace(microsecond=0).isoformat(),
        )
        if settings.R2DR_AUDIT_CHECKPOINT_DIR:
            _append_line(_checkpoint_file(settings.R2DR_AUDIT_CHECKPOINT_DIR, institution.slug), checkpoint.line())
        if heads:
            body = (
                f"Audit checkpoint of {institution.slug}: {checkpoint.seq} entries.\n\n"
                "Keep this e-mail. It proves how far the audit log reached today, outside the database; to check "
                "the log against it, give this line to `manage.py audit_verify --checkpoint`:\n\n"
                f"{checkpoint.line()}\n"
            )
            transaction.on_commit(
                lambda: send_mail("r2dr: audit log checkpoint", body, None, heads, fail_silently=True)
            )
    return checkpoint


def audit_verify(*, institution: Institution | int, checkpoint: AuditCheckpoint | None = None) -> tuple[bool, str]:
    """Recompute the chain; returns (ok, message naming the first broken entry).

    With a checkpoint, the chain must also still reach it: its entry #seq must carry the checkpoint's hash.
    """
    institution_id = institution.pk if isinstance(institution, Institution) else institution
    if checkpoint is not None and checkpoint.institution_id != institution_id:
        return False, f"the checkpoint belongs to another institution ({checkpoint.slug})"
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
        if checkpoint is not None and entry.seq == checkpoint.seq and entry.hash != checkpoint.hash:
            return False, f"entry #{entry.seq} differs from the checkpoint of {checkpoint.issued_at}"
        previous = entry.hash
        expected_seq += 1
        count += 1
    if checkpoint is not None and count < checkpoint.seq:
        return False, (
            f"the chain ends at #{count} but the checkpoint of {checkpoint.issued_at} records #{checkpoint.seq}: "
            "entries were removed"
        )
    head = AuditHead.objects.filter(institution=institution).first()
    if head is not None and (head.seq != count or head.hash != previous):
        return False, f"the chain ends at #{count} but the head records #{head.seq}: entries were removed"
    if checkpoint is not None:
        return True, f"{count} entries verified, reaching the checkpoint of {checkpoint.issued_at} (#{checkpoint.seq})"
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
