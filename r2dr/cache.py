"""The cache when REDIS_URL is set: Redis first, the database while Redis cannot be reached.

Rate limits, abuse counters, sign-in failure counts and allauth's limits all live in the cache. With a plain
Redis cache, a Redis outage turned every public form step and every staff sign-in into a 500. Here a Redis
connection error or timeout answers the same call from a database cache instead (Django's DatabaseCache on the
`r2dr_cache_fallback` table, created by a migration), so limits degrade to a database-backed counter and
nothing the visitor sees changes.

A circuit breaker keeps a dead or hung Redis from costing a timeout on every call: after a failure, calls go
straight to the database for `RETRY_SECONDS`; then one call (one thread of the process) tries Redis again,
and the others keep using the database until it answers. The breaker is per process and per Redis location,
shared by the threads (Django builds a cache object per thread). One warning is logged when a process loses
Redis and one line when it is back; they name the exception class only, never a key or a value.

What the fallback does not give: values written to Redis before the outage are not seen during it (the counts
start again from what the database holds), and what was written to the database is not seen once Redis is
back. That is right for counters and short-lived marks; anything that must survive a Redis restart or outage
(form-state keys, single-use claims) lives in the database itself (`r2dr.server_keys`, `r2dr.onetime`).
"""

from __future__ import annotations

import base64
import logging
import pickle
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a Redis that is down, restarting, loading or hung raises (BusyLoadingError is a ConnectionError).
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)

FALLBACK_TABLE = "r2dr_cache_fallback"
DEFAULT_RETRY_SECONDS = 5.0
# Redis answers in well under a millisecond on a healthy host: past this, treat it as down.
DEFAULT_SOCKET_TIMEOUT = 0.5


class _Breaker:
    """Whether this process currently talks to Redis, shared by the threads of the process."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.down = False
        self.retry_at = 0.0
        self.lock = threading.Lock()

    def may_try(self) -> bool:
        if not self.down:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.retry_at:
                return False
            # This caller probes; the others keep using the database until it answers.
            self.retry_at = now + self.retry_seconds
            return True

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + self.retry_seconds
            if self.down:
                return
            self.down = True
        logger.warning("cache unavailable: using the database (%s)", type(exc).__name__)

    def succeeded(self) -> None:
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
        logger.warning("cache available again: using Redis")


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str, retry_seconds: float) -> _Breaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None or breaker.retry_seconds != retry_seconds:
            breaker = _breakers[location] = _Breaker(retry_seconds)
        return breaker


def cache_degraded() -> bool:
    """Whether this process currently answers a configured cache from the database (no I/O: the breakers)."""
    for params in settings.CACHES.values():
        if params.get("BACKEND") == f"{__name__}.ResilientRedisCache":
            breaker = _breakers.get(str(params.get("LOCATION")))
            if breaker is not None and breaker.down:
                return True
    return False


class FallbackDatabaseCache(DatabaseCache):
    """Django's DatabaseCache with an atomic `incr` that keeps the entry's expiry (the base one reads, adds and
    writes back with the default timeout, so two concurrent counts could count once and an hourly counter would
    expire after five minutes)."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0, tzinfo=None))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s{lock}",  # noqa: S608
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])  # noqa: S608
        return value


class ResilientRedisCache(BaseCache):
    """Redis, answered from the database cache while Redis cannot be reached (see the module docstring).

    LOCATION is the Redis URL. OPTIONS: RETRY_SECONDS (the breaker's pause, default 5), FALLBACK_TABLE,
    FALLBACK_MAX_ENTRIES (default 100,000: the database cache culls a third of its entries past it), and any
    option of Django's RedisCache (socket timeouts default to 0.5 s here, not redis-py's 5 s)."""

    def __init__(self, server, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        table = options.pop("FALLBACK_TABLE", FALLBACK_TABLE)
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 100_000))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        shared = {k: v for k, v in params.items() if k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")}
        self._redis = RedisCache(server, {**shared, "OPTIONS": options})
        self._db = FallbackDatabaseCache(table, {**shared, "OPTIONS": {"MAX_ENTRIES": max_entries}})
        self._breaker = _breaker_for(str(server), retry_seconds)

    @property
    def degraded(self) -> bool:
        return self._breaker.down

    def _call(self, name: str, *args, **kwargs) -> Any:
        if self._breaker.may_try():
            try:
                result = getattr(self._redis, name)(*args, **kwargs)
            except REDIS_ERRORS as exc:
                self._breaker.failed(exc)
            else:
                self._breaker.succeeded()
                return result
        return getattr(self._db, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    # A delete reaches both stores: a value left in the database by an earlier outage (a failure count, a lock)
    # must not come back at the next one after it was deleted. Deletes are rare (a successful sign-in, a
    # released lock), so the extra query is cheap.
    def delete(self, key, version=None):
        deleted = bool(self._call("delete", key, version=version))
        if not self._breaker.down:
            deleted = self._db.delete(key, version=version) or deleted
        return deleted

    def delete_many(self, keys, version=None):
        self._call("delete_many", keys, version=version)
        if not self._breaker.down:
            self._db.delete_many(keys, version=version)

    def clear(self):
        self._call("clear")
        if not self._breaker.down:
            self._db.clear()

    def close(self, **kwargs):
        self._redis.close(**kwargs)
        self._db.close(**kwargs)


def fallback_prune() -> int:
    """Delete the fallback table's expired entries (the database cache itself only culls when it is full)."""
    from r2dr.models import CacheFallbackEntry

    deleted, _ = CacheFallbackEntry.objects.filter(expires__lt=tz_now()).delete()
    return deleted
