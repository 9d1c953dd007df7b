"""The cache when Redis is down or hung (r2dr/cache.py): every call answers, from the database, at most one
timeout per retry period, one warning per outage with no key or value in it, and back to Redis when it is."""

import logging
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from r2dr import cache as r2dr_cache
from r2dr.models import CacheFallbackEntry
from tests.conftest import skip_or_fail
from tests.redis_server import cache_settings

pytestmark = pytest.mark.django_db

SECRETISH = "cases:limit:token:0123456789abcdef"


def _messages(caplog, logger="r2dr.cache"):
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_redis_first_then_the_database_while_it_is_down_then_redis_again(redis_cache, caplog, settings):
    caplog.set_level(logging.DEBUG)
    cache.set("before", 1, 60)
    assert redis_cache.client().dbsize() == 1  # Redis holds it, the database does not
    assert not CacheFallbackEntry.objects.exists()

    redis_cache.kill()
    assert cache.get("before") is None  # what only Redis held is not seen during the outage
    assert cache.add(SECRETISH, 0, 3700)
    assert cache.incr(SECRETISH) == 1
    assert cache.incr(SECRETISH) == 2
    assert not cache.add(SECRETISH, 0, 3700)  # add stays atomic: the database row's key is unique
    assert cache.get_many([SECRETISH, "nothing"]) == {SECRETISH: 2}
    assert CacheFallbackEntry.objects.count() == 1
    assert cache.touch(SECRETISH, 60) and cache.has_key(SECRETISH)
    assert cache.delete(SECRETISH) and not cache.has_key(SECRETISH)
    for _ in range(2):  # still down at the next probes: the same outage, no new warning
        time.sleep(1.05)
        assert cache.get(SECRETISH) is None
    warnings = _messages(caplog)
    assert warnings == ["cache unavailable: using the database (ConnectionError)"]

    redis_cache.start()  # empty, on the same port
    time.sleep(1.05)  # the retry period
    cache.set("after", 2, 60)
    assert redis_cache.client().get(":1:after") is not None  # Redis answers again
    assert _messages(caplog)[-1] == "cache available again: using Redis"
    assert len(_messages(caplog)) == 2
    for record in caplog.records:
        assert "limit" not in record.getMessage() and "before" not in record.getMessage()


def test_a_hung_redis_costs_one_timeout_per_retry_period_not_one_per_call(redis_cache, caplog):
    caplog.set_level(logging.WARNING)
    cache.set("warm", 1, 60)  # a pooled connection exists, as in a running process
    redis_cache.freeze()
    try:
        started = time.monotonic()
        for i in range(50):
            cache.add(f"k{i}", 0, 60)
            cache.incr(f"k{i}")
        spent = time.monotonic() - started
    finally:
        redis_cache.thaw()
    # 100 calls; without the breaker each would wait the 0.2 s socket timeout (20 s). With it, the first call
    # waits once and the rest answer from the database (plus one more probe if the loop outlasts the period).
    print(f"100 cache calls with Redis hung: {spent:.2f} s")
    assert spent < 2.5, spent
    assert _messages(caplog) == ["cache unavailable: using the database (TimeoutError)"]


def test_threads_share_one_breaker(redis_cache, caplog):
    """Django builds a cache object per thread: the outage is noticed once per process, not per thread."""
    caplog.set_level(logging.WARNING)
    redis_cache.kill()
    errors = []

    def work():
        try:
            from django.core.cache import cache as thread_cache

            thread_cache.get("x")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _messages(caplog) == ["cache unavailable: using the database (ConnectionError)"]
    assert r2dr_cache.cache_degraded()


@pytest.mark.django_db(transaction=True)
def test_fallback_counts_concurrent_increments_exactly_and_keeps_the_expiry(throwaway_redis, settings):
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent writers need PostgreSQL (SQLite locks the table)")
    settings.CACHES = cache_settings(throwaway_redis.url)
    throwaway_redis.kill()
    cache.add("count", 0, 3700)
    errors = []

    def work():
        from django.core.cache import cache as thread_cache

        try:
            for _ in range(10):
                thread_cache.incr("count")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.get("count") == 40
    entry = CacheFallbackEntry.objects.get()
    assert (entry.expires - timezone.now()).total_seconds() > 3600  # not the 300 s default timeout


def test_expired_fallback_entries_are_pruned(redis_cache):
    from r2dr.tasks import server_state_prune

    redis_cache.kill()
    cache.set("short", 1, 1)
    cache.set("long", 1, 600)
    time.sleep(2.1)
    assert server_state_prune.delay().get()["cache_fallback"] == 1
    assert list(CacheFallbackEntry.objects.values_list("cache_key", flat=True)) == [":1:long"]


def test_deployments_with_redis_use_the_resilient_backend(monkeypatch):
    import importlib

    from r2dr import settings as settings_module

    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/1")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.CACHES["default"]["BACKEND"] == "r2dr.cache.ResilientRedisCache"
        assert reloaded.CACHES["default"]["OPTIONS"]["socket_timeout"] == 0.5
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(settings_module)


# --- what is left that can still raise: a clear 503, never a trace ----------------------------------------------


def _raise(exc):
    def broken(*args, **kwargs):
        raise exc

    return broken


def test_a_redis_error_on_a_staff_page_answers_a_clear_503_in_the_users_language(
    member_client, institution_a, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from r2dr import views
    from r2dr.roles import Role

    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    client.raise_request_exception = False
    monkeypatch.setattr(views, "render", _raise(RedisConnectionError("Error 111 connecting to 10.9.8.7:6379.")))
    response = client.get(f"/{institution_a.slug}/", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    body = response.content.decode()
    assert 'lang="th"' in body and "บริการที่แพลตฟอร์มต้องใช้ไม่พร้อมใช้งานชั่วครู่" in body
    for internal in ("Redis", "6379", "10.9.8.7", "Traceback", "ConnectionError"):
        assert internal not in body


def test_any_other_error_still_answers_the_500_page(member_client, institution_a, monkeypatch):
    from r2dr import views
    from r2dr.roles import Role

    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    client.raise_request_exception = False
    monkeypatch.setattr(views, "render", _raise(RuntimeError("boom")))
    response = client.get(f"/{institution_a.slug}/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


def test_the_reduced_service_banner_is_for_signed_in_staff_only(client, member_client, institution_a, redis_cache):
    from r2dr.roles import Role

    redis_cache.kill()
    cache.get("anything")  # the process notices the outage
    public = client.get("/")
    assert public.status_code == 200 and "Reduced service" not in public.content.decode()
    staff = member_client(institution_a, Role.INSTITUTION_ADMIN).get(f"/{institution_a.slug}/")
    assert "Reduced service" in staff.content.decode()


def test_a_delete_also_clears_what_an_earlier_outage_left_in_the_database(redis_cache):
    """A failure count written during one outage, then deleted after Redis is back (a successful sign-in), must not
    come back at the next outage."""
    redis_cache.kill()
    cache.set("r2dr:login-failures:x", 4, 3600)
    redis_cache.start()
    time.sleep(1.05)
    cache.delete_many(["r2dr:login-failures:x"])
    cache.set("probe", 1, 60)
    assert redis_cache.client().get(":1:probe") is not None  # Redis is answering again
    redis_cache.kill()
    time.sleep(1.05)
    assert cache.get("r2dr:login-failures:x") is None
