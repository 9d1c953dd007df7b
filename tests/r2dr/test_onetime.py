"""Server state that a cache restart must not lose: single-use claims (r2dr/onetime.py) and random server keys
per time window (r2dr/server_keys.py), both in the database and pruned by a periodic task."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from r2dr import onetime, server_keys
from r2dr.models import OnetimeClaim, ServerKey
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db


def _expire(model, **lookup):
    model.objects.filter(**lookup).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_claim_holds_once_until_released_or_expired():
    assert onetime.onetime_claim(key="cases:used:abc", ttl_seconds=60)
    assert not onetime.onetime_claim(key="cases:used:abc", ttl_seconds=60)
    assert onetime.onetime_claimed(key="cases:used:abc") and not onetime.onetime_claimed(key="cases:used:other")
    onetime.onetime_release(key="cases:used:abc")
    assert not onetime.onetime_claimed(key="cases:used:abc")
    assert onetime.onetime_claim(key="cases:used:abc", ttl_seconds=60)
    _expire(OnetimeClaim)
    assert not onetime.onetime_claimed(key="cases:used:abc")
    assert onetime.onetime_claim(key="cases:used:abc", ttl_seconds=60)  # an expired claim gives way


def test_a_claim_stores_only_a_digest():
    onetime.onetime_claim(key="cases:used:a-form-token", ttl_seconds=60)
    [row] = OnetimeClaim.objects.values()
    assert set(row) == {"digest", "expires_at"} and "a-form-token" not in row["digest"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_give_exactly_one_winner():
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent claimers need PostgreSQL")
    results, barrier = [], threading.Barrier(6)

    def claim():
        try:
            barrier.wait()
            results.append(onetime.onetime_claim(key="race", ttl_seconds=60))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_prune_deletes_only_what_expired(settings):
    from r2dr.tasks import SERVER_STATE_PRUNE_SCHEDULE_NAME, register_schedule, server_state_prune

    onetime.onetime_claim(key="old", ttl_seconds=60)
    onetime.onetime_claim(key="new", ttl_seconds=60)
    _expire(OnetimeClaim, digest=onetime._digest("old"))
    server_keys.server_key(purpose="p", window=1, lifetime_seconds=60, create=True)
    server_keys.server_key(purpose="p", window=2, lifetime_seconds=60, create=True)
    _expire(ServerKey, window=1)
    assert server_state_prune.delay().get() == {"claims": 1, "server_keys": 1, "cache_fallback": 0}
    assert onetime.onetime_claimed(key="new") and list(ServerKey.objects.values_list("window", flat=True)) == [2]
    from r2dr.celery import app

    register_schedule(app)
    assert app.conf.beat_schedule[SERVER_STATE_PRUNE_SCHEDULE_NAME]["task"] == "r2dr.tasks.server_state_prune"


def test_a_server_key_is_random_shared_by_processes_and_refused_once_expired():
    key = server_keys.server_key(purpose="cases.intake-state", window=7, lifetime_seconds=60, create=True)
    assert key is not None and len(key) == 32
    server_keys.forget_remembered_keys()  # as another process would see it: the same key from the database
    assert server_keys.server_key(purpose="cases.intake-state", window=7, lifetime_seconds=60, create=False) == key
    assert server_keys.server_key(purpose="cases.intake-state", window=8, lifetime_seconds=60, create=False) is None
    assert server_keys.server_key(purpose="other", window=7, lifetime_seconds=60, create=True) != key
    # The row alone is not the key: it is mixed with a key from the environment.
    row = ServerKey.objects.get(purpose="cases.intake-state", window=7)
    assert bytes(row.secret) != key
    _expire(ServerKey, purpose="cases.intake-state")
    server_keys.forget_remembered_keys()
    assert server_keys.server_key(purpose="cases.intake-state", window=7, lifetime_seconds=60, create=False) is None


@pytest.mark.django_db(transaction=True)
def test_a_remembered_key_is_refused_once_expired_too(monkeypatch):
    key = server_keys.server_key(purpose="p", window=1, lifetime_seconds=60, create=True)
    assert server_keys._memory  # committed (no transaction open): remembered in the process
    assert server_keys.server_key(purpose="p", window=1, lifetime_seconds=60, create=False) == key
    later = timezone.now().timestamp() + 61
    monkeypatch.setattr(server_keys.time, "time", lambda: later)
    _expire(ServerKey)  # the row's own expiry, as the clock would have it
    assert server_keys.server_key(purpose="p", window=1, lifetime_seconds=60, create=False) is None
    server_keys.forget_remembered_keys()
