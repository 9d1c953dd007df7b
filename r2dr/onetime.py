"""Single-use claims that a cache restart must not forget: a submitted form token, a solved challenge.

A claim is a database row (`OnetimeClaim`) whose primary key is a digest of the caller's key, so only the first
of any number of concurrent claimers (in any process) gets True, and a Redis restart or outage changes nothing.
The row holds the digest and its expiry only: no token, no time of claim. Expired rows are refused at once and
deleted by the periodic prune task (`r2dr.tasks.server_state_prune`).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from r2dr.models import OnetimeClaim


def _digest(key: str) -> str:
    return hashlib.sha256(f"r2dr.onetime:{key}".encode()).hexdigest()


def onetime_claim(*, key: str, ttl_seconds: int) -> bool:
    """Claim `key` for `ttl_seconds`: True for the first claimer only, False while an earlier claim holds."""
    digest = _digest(key)
    now = timezone.now()
    try:
        with transaction.atomic():
            # An expired claim no longer holds: it gives way to this one in the same transaction.
            OnetimeClaim.objects.filter(digest=digest, expires_at__lte=now).delete()
            OnetimeClaim.objects.create(digest=digest, expires_at=now + datetime.timedelta(seconds=ttl_seconds))
    except IntegrityError:
        return False
    return True


def onetime_claimed(*, key: str) -> bool:
    """Whether `key` is claimed now (a read only: `onetime_claim` is the atomic step)."""
    return OnetimeClaim.objects.filter(digest=_digest(key), expires_at__gt=timezone.now()).exists()


def onetime_release(*, key: str) -> None:
    """Give a claim back (what it guarded did not happen, so the same key may claim again)."""
    OnetimeClaim.objects.filter(digest=_digest(key)).delete()


def onetime_prune() -> int:
    """Delete expired claims; returns how many."""
    deleted, _ = OnetimeClaim.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
