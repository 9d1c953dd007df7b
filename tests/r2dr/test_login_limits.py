"""Staff sign-in limits: per account, never per client address, and no platform-wide lockout (issue 10)."""

import random
import re
import types

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from allauth.mfa import app_settings as mfa_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from r2dr import accounts, challenge
from r2dr.roles import Role
from tests.challenges import challenge_fields, solved_work
from tests.factories import UserFactory, enrol_totp, totp_now

# Behind nginx every request arrives from the proxy's address.
PROXY = {"REMOTE_ADDR": "10.0.0.2"}
PASSWORD = "correct horse battery staple"
# The number: failures on one account before each further attempt has to wait.
FREE_FAILURES = 5


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """The adapter's clock, moved by hand so that a test can wait a minute at once."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(accounts, "time", types.SimpleNamespace(time=lambda: now[0]), raising=False)
    return now


@pytest.fixture(autouse=True)
def _light_work(settings):
    # The browser's proof of work, made light: these tests are about who must solve it, not how long it takes.
    settings.R2DR_CHALLENGE_WORK = (8, 2)


def _password_step(client, email, password, solving=None):
    """One sign-in attempt; `solving` is the page whose challenge the attempt answers (by the browser's work)."""
    data = {"login": email, "password": password, **(challenge_fields(solving.content) if solving else {})}
    return client.post(reverse("account_login"), data, **PROXY)


def _sign_in(client, email, secret, solving=None):
    """Password then TOTP, as a staff member does; returns the final response."""
    response = _password_step(client, email, PASSWORD, solving)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), re.findall(
        rb"errorlist[^<]*<li>([^<]*)", response.content
    )
    return client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)}, **PROXY)


def _workspace():
    """Where a completed sign-in lands these staff: their one institution's workspace (conftest's institution_a)."""
    return reverse("institution_home", args=["inst-a"])


def _signed_in_as(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def _wait_seconds(response):
    match = re.search(rb"Wait (\d+) seconds?", response.content)
    return int(match.group(1)) if match else None


@pytest.fixture
def staff(make_member, institution_a):
    def make(email):
        user = make_member(institution_a, Role.CASE_OFFICER, email=email, mfa=False)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user, enrol_totp(user)

    return make


def test_a_thousand_failures_on_random_accounts_do_not_lock_out_a_real_staff_member(client, staff):
    officer, secret = staff("officer@inst-a.example")
    # A few real accounts among the random addresses, each failing a few times.
    real = [UserFactory(username=f"real{i}@test.example") for i in range(10)]
    rng = random.Random(10)  # noqa: S311 - a fixed seed, not a secret
    refused = 0
    for i in range(1000):
        email = real[(i // 50) % 10].email if i % 50 == 0 else f"{rng.getrandbits(48):x}@random.example"
        response = _password_step(client, email, "wrong password")
        assert response.status_code == 200, response.status_code  # never 429: nobody is locked out
        refused += _wait_seconds(response) is not None
    assert refused == 0, "an account was slowed by failures on other accounts"

    response = _sign_in(client, officer.email, secret)
    assert response.status_code == 302 and response["Location"] == _workspace()
    assert _signed_in_as(client, officer)

    # Nothing the limits keep names the client's address.
    stored = b"".join(key.encode() + value for key, value in cache._cache.items())  # locmem: pickled values
    assert PROXY["REMOTE_ADDR"].encode() not in stored and b"127.0.0.1" not in stored


def test_the_account_under_attack_waits_longer_and_longer_and_its_owner_gets_in_after_the_wait(client, staff, clock):
    officer, secret = staff("attacked@inst-a.example")
    for _ in range(FREE_FAILURES):
        response = _password_step(client, officer.email, "guess")
        assert response.status_code == 200 and _wait_seconds(response) is None

    waits = []
    for _ in range(9):
        response = _password_step(client, officer.email, "guess")
        waits.append(_wait_seconds(response))
        assert waits[-1] is not None, f"after {waits[:-1]} the next attempt was not told how long to wait"
        # Hammering during the wait is refused without counting; the wait does not grow with it.
        hammered = _password_step(client, officer.email, "guess")
        assert _wait_seconds(hammered) == waits[-1]
        clock[0] += waits[-1]
        response = _password_step(client, officer.email, "guess", solving=hammered)  # checked, and wrong
        assert response.status_code == 200 and _wait_seconds(response) is None
        assert b"not correct" in response.content
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]

    # During the wait even the owner waits; the wait is the same for an address with no account, so it
    # tells an attacker nothing about which accounts exist.
    waiting = _password_step(client, officer.email, PASSWORD)
    assert _wait_seconds(waiting) == 60
    assert not _signed_in_as(client, officer)
    for _ in range(FREE_FAILURES + 1):
        _password_step(client, "nobody@inst-a.example", "guess")
    assert _wait_seconds(_password_step(client, "nobody@inst-a.example", "guess")) == 1

    clock[0] += 60
    response = _sign_in(client, officer.email, secret, solving=waiting)
    assert response.status_code == 302 and response["Location"] == _workspace()
    assert _signed_in_as(client, officer)
    # The right password ends the account's slow-down.
    client.logout()
    response = _password_step(client, officer.email, "guess")
    assert _wait_seconds(response) is None


def test_a_script_guessing_an_officers_password_never_makes_them_wait_on_their_own_browser(staff, clock):
    officer, secret = staff("targeted@inst-a.example")
    own_browser, script = Client(), Client()
    assert _sign_in(own_browser, officer.email, secret).status_code == 302
    kept = {name: morsel.value for name, morsel in own_browser.cookies.items() if name != "sessionid"}
    own_browser.logout()  # the test client's logout drops every cookie; a browser keeps all but the session
    own_browser.cookies.load(kept)
    cache.clear()  # allauth remembers the TOTP code just used; the next sign-in is another 30-second window

    # A script that solves every challenge it is shown (the worst case) and waits out every delay.
    last = None
    for _ in range(FREE_FAILURES + 7):
        clock[0] += 60
        last = _password_step(
            script, officer.email, "guess", solving=last if last and b"challenge_work" in last.content else None
        )
    assert _wait_seconds(_password_step(script, officer.email, PASSWORD)) == 60

    response = _sign_in(own_browser, officer.email, secret)
    assert response.status_code == 302 and response["Location"] == _workspace()
    assert _signed_in_as(own_browser, officer)
    # Signing in on the officer's browser gives the script no fresh tries.
    assert _wait_seconds(_password_step(script, officer.email, "guess")) == 60
    # A device cookie for one account is worth nothing for another.
    other, _ = staff("other@inst-a.example")
    own_browser.logout()
    own_browser.cookies.load(kept)
    for _ in range(FREE_FAILURES):
        _password_step(script, other.email, "guess")
    assert _wait_seconds(_password_step(own_browser, other.email, "guess")) == 1


def test_no_allauth_limit_is_keyed_on_the_client_address(client, staff):
    configured = {**account_settings.RATE_LIMITS, **mfa_settings.RATE_LIMITS}
    per_address = {
        action: rates for action, rates in configured.items() if any(r.per == "ip" for r in parse_rates(rates))
    }
    assert per_address == {}
    # Anything that still asks for the address fails loudly instead of sharing the proxy's among everyone.
    with pytest.raises(Exception, match="no client address"):
        accounts.AccountAdapter().get_client_ip(None)


# --- after five failures, each attempt also needs a fresh solved challenge ----------------------------------------


def _fail_until_challenged(client, email, clock):
    """Five failures, then the wait: returns the page that shows the account's first challenge."""
    for _ in range(FREE_FAILURES):
        _password_step(client, email, "guess")
    waiting = _password_step(client, email, "guess")
    assert _wait_seconds(waiting) == 1
    clock[0] += 1
    return waiting


def test_after_five_failures_no_attempt_is_checked_without_a_solved_challenge(client, staff, clock):
    officer, secret = staff("challenged@inst-a.example")
    waiting = _fail_until_challenged(client, officer.email, clock)
    page = waiting.content.decode()
    # The page offers all three ways through: the picture, the text question, the browser's own work.
    assert 'name="challenge"' in page and 'name="challenge_text"' in page and 'name="challenge_work"' in page
    assert 'src="data:image/png;base64,' in page and "js/challenge.js" in page

    # Without an answer even the right password is not checked (and not counted: the owner's next try is free).
    unanswered = _password_step(client, officer.email, PASSWORD)
    assert b"answer the check below" in unanswered.content
    assert not _signed_in_as(client, officer) and unanswered.status_code == 200
    # A wrong answer: told so, with a new challenge; the password was not checked.
    wrong = client.post(
        reverse("account_login"),
        {"login": officer.email, "password": PASSWORD, "challenge": "00000", **_ticket_only(unanswered)},
        **PROXY,
    )
    assert b"The check did not match" in wrong.content and not _signed_in_as(client, officer)

    response = _sign_in(client, officer.email, secret, solving=wrong)
    assert response.status_code == 302 and response["Location"] == _workspace()
    assert _signed_in_as(client, officer)


def test_a_solved_sign_in_challenge_answers_one_attempt(client, staff, clock):
    officer, _secret = staff("replayed@inst-a.example")
    waiting = _fail_until_challenged(client, officer.email, clock)
    solved = challenge_fields(waiting.content)
    first = client.post(reverse("account_login"), {"login": officer.email, "password": "guess", **solved}, **PROXY)
    assert b"not correct" in first.content  # checked
    clock[0] += 120  # past any wait
    replay = client.post(reverse("account_login"), {"login": officer.email, "password": "guess2", **solved}, **PROXY)
    assert b"The check did not match" in replay.content and b"not correct" not in replay.content


def test_the_text_question_alone_lets_a_person_through(client, staff, clock, monkeypatch):
    officer, _secret = staff("screenreader@inst-a.example")
    monkeypatch.setattr(challenge, "_question", lambda rng: ("What is 3 plus 4? Answer with a number.", "7"))
    waiting = _fail_until_challenged(client, officer.email, clock)
    assert b"What is 3 plus 4?" in waiting.content
    answered = client.post(
        reverse("account_login"),
        {"login": officer.email, "password": PASSWORD, "challenge_text": "\u0e57", **_ticket_only(waiting)},  # Thai 7
        **PROXY,
    )
    assert answered.status_code == 302 and answered["Location"] == reverse("mfa_authenticate")


def test_a_report_forms_challenge_solves_no_sign_in(client, staff, clock):
    officer, _secret = staff("crossed@inst-a.example")
    _fail_until_challenged(client, officer.email, clock)
    other = challenge.challenge_new(purpose="cases.report")
    borrowed = {"challenge_ticket": other.signed_ticket(), **_work_for(other)}
    response = client.post(
        reverse("account_login"), {"login": officer.email, "password": PASSWORD, **borrowed}, **PROXY
    )
    assert b"The check did not match" in response.content and not _signed_in_as(client, officer)


def _ticket_only(response):
    return {"challenge_ticket": challenge_fields(response.content)["challenge_ticket"]}


def _work_for(asked):
    return {"challenge_work": solved_work(asked.work_seed, asked.work_bits, asked.work_count)}
