"""Random server keys per purpose and time window, kept in the database so a cache restart loses none.

A key is made on first use for its window (`os.urandom`, never derived from a secret) and kept until its
lifetime passes: then it is refused, and the prune task deletes its row. What callers get is the stored random
value mixed (HMAC-SHA256) with a key derived from SECRET_KEY: a copy of the environment alone has no key, and a
copy of the database alone (a backup) has only the random halves, so neither opens what a key protected.

Keys are remembered in process memory until they expire (a key never changes once made), so a page costs one
query per process and window, not one per request.
"""

from __future__ import annotations

import datetime
import os
import threading
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from r2dr.models import ServerKey

_memory: dict[tuple[str, int], tuple[bytes, float]] = {}
_memory_lock = threading.Lock()


def _mixed(purpose: str, secret: bytes) -> bytes:
    return salted_hmac(f"r2dr.server-key:{purpose}", secret, algorithm="sha256").digest()


def server_key(*, purpose: str, window: int, lifetime_seconds: int, create: bool) -> bytes | None:
    """The 32-byte key of `purpose` for `window`, made now if `create` and there is none; None when there is none
    (or it has expired). Every process gets the same key for the same window: the first to make it wins."""
    remembered = _memory.get((purpose, window))
    if remembered is not None and remembered[1] > time.time():
        return remembered[0]
    now = timezone.now()
    row = ServerKey.objects.filter(purpose=purpose, window=window, expires_at__gt=now).first()
    if row is None and create:
        try:
            with transaction.atomic():
                row = ServerKey.objects.create(
                    purpose=purpose,
                    window=window,
                    secret=os.urandom(32),
                    expires_at=now + datetime.timedelta(seconds=lifetime_seconds),
                )
        except IntegrityError:  # another process made it first (or an expired row not yet pruned is in the way)
            row = ServerKey.objects.filter(purpose=purpose, window=window, expires_at__gt=now).first()
    if row is None:
        return None
    key = _mixed(purpose, bytes(row.secret))
    # Only a committed row is remembered: one made inside a transaction that rolls back would otherwise leave
    # this process with a key no other process shares.
    if not connection.in_atomic_block:
        with _memory_lock:
            _memory[(purpose, window)] = (key, row.expires_at.timestamp())
            for name, (_key, expires) in list(_memory.items()):
                if expires <= time.time():
                    del _memory[name]
    return key


def server_keys_prune() -> int:
    """Delete expired keys; returns how many."""
    deleted, _ = ServerKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def forget_remembered_keys() -> None:
    """Drop the in-process copies (tests, and a process that must re-read the database)."""
    with _memory_lock:
        _memory.clear()
