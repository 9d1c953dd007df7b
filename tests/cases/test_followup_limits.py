"""Abuse limits that an outsider cannot turn against defenders: a solved challenge picture answers one request, and
the follow-up has no picture and no lockout, only one receipt check a second per form state."""

import time

import pytest

from cases import intake, services
from cases.models import Case
from r2dr import challenge
from tests.cases.helpers import receipt_of, state_of, step_data, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    return institution_a, officer


@pytest.fixture
def reported(client, ready):
    institution, _officer = ready
    return institution, receipt_of(submit_report(client, institution))


def _final(client, institution, state, answer):
    return client.post(
        f"/{institution.slug}/report/",
        {"state": state, "nav": "submit", "challenge": answer, **step_data()["consent"]},
    )


def _open(client, institution, code, state=None, top_level=False):
    data = {"receipt": code, "nav": "open", **({"state": state} if state else {})}
    if top_level:
        return client.post("/follow-up/", {"institution": institution.slug, **data})
    return client.post(f"/{institution.slug}/follow-up/", data)


def _wrong(i):
    return f"{i:025d}"


# --- 1. a solved challenge is good for one request ---------------------------------------------------------------


def test_a_solved_challenge_answers_one_request_and_its_replay_must_solve_the_new_one(client, ready, monkeypatch):
    institution, _ = ready
    monkeypatch.setattr(challenge.secrets, "choice", lambda seq: seq[0])  # every picture reads 22222
    asked = submit_report(client, institution, extra_final={"website": "bot"})
    assert "Type the five digits" in asked.content.decode()
    solved_state = state_of(asked)

    # The request that solves the picture fails before anything is stored (the database went away): the picture
    # is spent all the same, since that request was its one use.
    real_submit = services.case_submit

    def down(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(services, "case_submit", down)
    with pytest.raises(RuntimeError):
        _final(client, institution, solved_state, "22222")
    monkeypatch.setattr(services, "case_submit", real_submit)

    replay = _final(client, institution, solved_state, "22222")
    body = replay.content.decode()
    assert "please solve the new challenge" in body and "Your receipt code" not in body
    assert not Case.objects.for_institution(institution).exists()
    # The defender's answers are kept, and the new picture lets the report through once.
    assert "Type the five digits" in body and 'src="data:image/png;base64,' in body
    sent = _final(client, institution, state_of(replay), "22222")
    assert "Your receipt code" in sent.content.decode()
    assert Case.objects.for_institution(institution).count() == 1
    # Sending that page again is the double send it always was: "already sent", not a new picture.
    again = _final(client, institution, state_of(replay), "22222")
    assert again.status_code == 409 and "already sent" in again.content.decode()
    assert Case.objects.for_institution(institution).count() == 1


def test_a_wrong_answer_is_still_told_apart_from_a_replay(client, ready):
    institution, _ = ready
    asked = submit_report(client, institution, extra_final={"website": "bot"})
    r = _final(client, institution, state_of(asked), "00000")
    body = r.content.decode()
    assert "did not match" in body and "solve the new challenge" not in body


# --- 2. the follow-up: no picture, no lockout, one check a second per form state ----------------------------------


def test_a_thousand_wrong_codes_lock_no_real_defender_out(client, reported):
    institution, code = reported
    # 1,000 wrong codes, each from a fresh form state (they cost nothing), half through the top-level page: every
    # one is checked and answered, none asks for a picture, none is refused.
    for i in range(1000):
        r = _open(client, institution, _wrong(i), top_level=i % 2 == 0)
        body = r.content.decode()
        assert r.status_code == 200 and "No report matches" in body, (i, body[:2000])
        assert "Type the five digits" not in body
    # A burst from one form state gets about one check a second (the rest "wait a moment"), and only that state.
    state, checked, started = state_of(r), 0, time.monotonic()
    for i in range(50):
        r = _open(client, institution, _wrong(i), state=state)
        assert r.status_code in (200, 429)
        checked += r.status_code == 200
    assert checked <= time.monotonic() - started + 1
    # The real defender, with a fresh form and the right code, gets in at once: first try, no picture, no wait.
    started = time.monotonic()
    r = _open(client, institution, code)
    assert r.status_code == 200 and "Your report" in r.content.decode(), r.content.decode()[:2000]
    assert time.monotonic() - started < 1
    r = _open(client, institution, code, top_level=True)
    assert r.status_code == 200 and "Your report" in r.content.decode()


@pytest.fixture
def pace(monkeypatch):
    # Two seconds rather than one, so that "at once" holds on a loaded test machine too.
    monkeypatch.setattr(intake, "FOLLOWUP_PACE_SECONDS", 2)
    return 2


def test_a_failed_check_makes_that_form_state_wait(client, reported, pace):
    institution, code = reported
    failed = _open(client, institution, _wrong(1))
    assert failed.status_code == 200 and "No report matches" in failed.content.decode()
    state = state_of(failed)
    # At once from the same form state: answered "wait a moment" without being checked, even with the right code.
    for guess in (_wrong(2), code):
        r = _open(client, institution, guess, state=state)
        body = r.content.decode()
        assert r.status_code == 429 and "wait a moment" in body
        assert "No report matches" not in body and "Your report" not in body
    # Another form (another defender) is not slowed by it.
    assert "Your report" in _open(client, institution, code).content.decode()
    # Once its wait is over the same form state is checked again, and the right code is never refused.
    time.sleep(pace + 0.1)
    r = _open(client, institution, code, state=state)
    assert r.status_code == 200 and "Your report" in r.content.decode()


def test_the_wait_cannot_be_skipped_by_replaying_the_state_from_before_the_failure(client, reported, pace):
    institution, _code = reported
    first = _open(client, institution, _wrong(1))
    before = state_of(first)
    time.sleep(pace + 0.1)
    assert "No report matches" in _open(client, institution, _wrong(2), state=before).content.decode()
    # The page handed back after that failure is newer, but the older copy is the same form state.
    r = _open(client, institution, _wrong(3), state=before)
    assert r.status_code == 429 and "No report matches" not in r.content.decode()


def test_a_second_try_from_the_top_level_page_keeps_its_institution(client, reported, pace):
    institution, code = reported
    failed = _open(client, institution, _wrong(1), top_level=True)
    assert "No report matches" in failed.content.decode()
    time.sleep(pace + 0.1)
    # The page now names the institution instead of the list, so the next post carries only the state.
    r = client.post("/follow-up/", {"state": state_of(failed), "receipt": code, "nav": "open"})
    assert r.status_code == 200 and "Your report" in r.content.decode()
