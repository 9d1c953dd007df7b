"""Redis down or restarted mid-journey (issue 10): the public form keeps working and loses nothing a defender
typed, a replay stays refused, staff still sign in, and the logs hold no defender data.

Each test starts its own `redis-server` on a free port (tests/redis_server.py) and points the cache at it
through r2dr's resilient backend, as a deployment with REDIS_URL does; it kills, freezes or restarts that
server, never the shared one."""

import logging
import time

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from cases import plaintext, services
from cases.models import Case
from r2dr.models import CacheFallbackEntry
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import STEPS, receipt_of, state_of, step_data
from tests.factories import totp_now
from tests.redis_server import cache_settings

pytestmark = pytest.mark.django_db

# Everything typed that identifies someone or tells what happened: none of it may reach a log.
TYPED = {
    "affected_names": "Wirawan CANARYNAME Sutrisno",
    "narrative": "CANARYNARRATIVE: at night four men took him from the rice mill near the river.",
    "location_detail": "CANARYPLACE hamlet behind the mosque",
    "actions_taken": "CANARYACTION complaint at the district police station",
    "authorities_response": "CANARYRESPONSE they refused to register it",
}


def _typed_data():
    data = step_data(name=TYPED["affected_names"], narrative=TYPED["narrative"])
    data["what"]["location_detail"] = TYPED["location_detail"]
    data["since"]["actions_taken"] = TYPED["actions_taken"]
    data["since"]["authorities_response"] = TYPED["authorities_response"]
    return data


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    return institution_a, officer


class Journey:
    """One defender's form, one POST at a time, as a browser without JavaScript sends it."""

    def __init__(self, client, institution, data):
        self.client, self.url, self.data = client, f"/{institution.slug}/report/", data
        self.page = None
        self.seconds = []

    def post(self, payload):
        started = time.monotonic()
        self.page = self.client.post(self.url, payload)
        self.seconds.append(time.monotonic() - started)
        assert self.page.status_code in (200, 409), self.page.status_code
        return self.page

    def start(self):
        return self.post({"nav": "start"})

    def step(self, name):
        page = self.post({"state": state_of(self.page), "nav": "next", **self.data[name]})
        assert "This form had expired" not in page.content.decode(), f"the form restarted at step {name}"
        return page

    def final_payload(self):
        return {"state": state_of(self.page), "nav": "submit", **self.data["consent"]}


def _decrypted(institution, officer):
    _keyring, private_key = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    return [
        plaintext.case_private(case, plaintext.case_key_for_officer(case, private_key))
        for case in Case.objects.for_institution(institution).order_by("pk")
    ]


def _assert_no_defender_data_in(text, *also):
    for value in (*TYPED.values(), *also):
        for word in value.split():
            if word.startswith("CANARY") or len(word) > 6:
                assert word not in text, f"{word!r} reached the logs"


def test_redis_killed_mid_journey_the_report_is_stored_as_typed_and_the_receipt_works(
    client, ready, redis_cache, caplog
):
    institution, officer = ready
    caplog.set_level(logging.DEBUG)
    journey = Journey(client, institution, _typed_data())
    journey.start()
    journey.step("who")
    assert redis_cache.client().dbsize() > 0  # the form's limits were counted in Redis so far

    redis_cache.kill()
    down_from = len(journey.seconds)
    journey.step("what")
    journey.step("since")
    receipt = journey.post(journey.final_payload())
    assert "Your receipt code" in receipt.content.decode()
    code = receipt_of(receipt)

    # Stored exactly as typed, and readable by the officer.
    [private] = _decrypted(institution, officer)
    for field, value in TYPED.items():
        assert private[field] == value, field
    # The receipt opens the report, Redis still down.
    page = client.post(f"/{institution.slug}/follow-up/", {"receipt": code, "nav": "open"})
    assert page.status_code == 200 and "Your report" in page.content.decode()

    # The limits counted on in the database meanwhile, under hashed names only.
    keys = " ".join(CacheFallbackEntry.objects.values_list("cache_key", flat=True))
    assert "cases:limit:token:" in keys and "cases:limit:global" in keys
    _assert_no_defender_data_in(keys, code)
    warnings = [r.getMessage() for r in caplog.records if r.name == "r2dr.cache"]
    assert warnings == ["cache unavailable: using the database (ConnectionError)"]
    _assert_no_defender_data_in(caplog.text, code.replace(" ", ""))
    slowest = max(journey.seconds[down_from:])
    print(f"public form steps with Redis down: slowest {slowest * 1000:.0f} ms")


def test_redis_restarted_empty_mid_journey_the_form_continues_and_a_replay_stays_refused(client, ready, redis_cache):
    institution, officer = ready
    sent = Journey(client, institution, step_data(name="First Defender"))
    sent.start()
    for name in STEPS:
        sent.step(name)
    final = sent.final_payload()
    assert "Your receipt code" in sent.post(final).content.decode()

    other = Journey(client, institution, _typed_data())
    other.start()
    other.step("who")
    redis_cache.restart_empty()  # nothing on disk: every key Redis held is gone
    assert redis_cache.client().dbsize() == 0
    page = other.step("what")  # the state key survived: the form goes on where it was
    assert "Step 3 of 4" in page.content.decode()
    other.step("since")
    assert "Your receipt code" in other.post(other.final_payload()).content.decode()

    replay = sent.post(final)  # the first form's final POST again, after the restart
    assert replay.status_code == 409 and "already sent" in replay.content.decode()
    names = [private["affected_names"] for private in _decrypted(institution, officer)]
    assert names == ["First Defender", TYPED["affected_names"]]


def test_limits_still_hold_with_redis_down(client, ready, redis_cache, settings):
    """The per-form limit counts in the database during the outage: past it, the final submit asks the challenge."""
    institution, _officer = ready
    settings.R2DR_INTAKE_LIMITS = {"token_posts_per_hour": 3}
    redis_cache.kill()
    journey = Journey(client, institution, step_data())
    journey.start()
    for name in STEPS:
        journey.step(name)
    page = journey.post(journey.final_payload())
    assert "type the five digits in the picture" in page.content.decode()
    assert not Case.objects.for_institution(institution).exists()


def test_staff_sign_in_works_with_redis_down(client, make_member, institution_a, redis_cache, caplog):
    caplog.set_level(logging.WARNING)
    password = "correct horse battery staple"
    officer = make_member(institution_a, Role.CASE_OFFICER, email="officer@inst-a.example", mfa=False)
    officer.set_password(password)
    officer.save()
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    from tests.factories import enrol_totp

    secret = enrol_totp(officer)
    redis_cache.kill()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(officer.pk)
    home = client.get(f"/{institution_a.slug}/")
    assert home.status_code == 200
    # Staff are told, in a short banner, that the platform runs in a reduced mode.
    assert "Reduced service" in home.content.decode()
    assert officer.email not in caplog.text


def test_a_hung_redis_slows_a_public_step_once_per_retry_period(client, ready, redis_cache, settings):
    """SIGSTOP: connections hang until the socket timeout (1 s here, well above a step's own time on a busy machine;
    0.5 s by default). The breaker pays it once, then the steps answer from the database until the retry period
    (60 s here, 5 s by default) has passed."""
    settings.CACHES = cache_settings(redis_cache.url, timeout=1.0, retry_seconds=60)
    institution, _officer = ready
    journey = Journey(client, institution, step_data())
    journey.start()
    redis_cache.freeze()
    try:
        journey.step("who")
        first = journey.seconds[-1]
        for _ in range(5):
            journey.post({"state": state_of(journey.page), "nav": "back"})
            journey.step("who")
        later = journey.seconds[-10:]
    finally:
        redis_cache.thaw()
    print(f"public step with Redis hung: first {first * 1000:.0f} ms, then up to {max(later) * 1000:.0f} ms")
    # The one timeout; without the breaker every later step would wait it again, once per cache call.
    assert max(later) < 1.0 <= first, later


def _raise(exc):
    def broken(*args, **kwargs):
        raise exc

    return broken


def test_a_broker_error_on_the_public_form_answers_the_same_page_revealing_nothing(client, ready, monkeypatch):
    """Nothing on the public form should raise one (the cache falls back, nothing there publishes to the broker);
    if something ever does, the defender gets the plain 503 page."""
    from kombu.exceptions import OperationalError

    from cases import intake

    institution_a, _officer = ready
    client.raise_request_exception = False
    monkeypatch.setattr(intake, "count_token_post", _raise(OperationalError("Error 111 connecting to redis:6379")))
    start = client.post(f"/{institution_a.slug}/report/", {"nav": "start"})
    response = client.post(f"/{institution_a.slug}/report/", {"state": state_of(start), "nav": "next"})
    assert response.status_code == 503
    body = response.content.decode()
    assert "A service the platform needs is briefly unavailable" in body and "your browser usually keeps" in body
    assert "redis" not in body.lower() and "6379" not in body
