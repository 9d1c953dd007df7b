import time

import pytest

from cases import selectors, services, unlock
from cases.models import Case, Consent, KeyGrant
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import receipt_of, state_of, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(client, institution_a, keyed, taxonomy):
    officer, kit = keyed(institution_a)
    r = submit_report(client, institution_a)
    return institution_a, officer, receipt_of(r), Case.objects.for_institution(institution_a).get()


def _open(client, institution, code, top_level=False):
    if top_level:
        return client.post("/follow-up/", {"institution": institution.slug, "receipt": code, "nav": "open"})
    return client.post(f"/{institution.slug}/follow-up/", {"receipt": code, "nav": "open"})


def test_end_to_end_reply_and_followup(client, reported, mailoutbox):
    institution, officer, code, case = reported
    # Officer: locked -> unlock -> read -> reply.
    client.force_login(officer)
    r = client.get(f"/{institution.slug}/cases/{case.pk}/")
    assert r.status_code == 302 and "/cases/unlock/" in r["Location"]
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "wrong"})
    assert "does not unlock" in r.content.decode()
    r = client.post(
        f"/{institution.slug}/cases/unlock/",
        {"passphrase": PASSPHRASE, "next": f"/{institution.slug}/cases/{case.pk}/"},
    )
    assert r.status_code == 302
    cookie = client.cookies[unlock.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    r = client.get(f"/{institution.slug}/cases/{case.pk}/")
    body = r.content.decode()
    assert r.status_code == 200 and "CANARY Defender" in body and "Secret village" in body
    assert "no-store" in r["Cache-Control"]
    r = client.post(f"/{institution.slug}/cases/{case.pk}/", {"body": "We will contact the police chief."})
    assert r.status_code == 302
    assert {"cases.view", "cases.reply", "cases.unlock"} <= set(
        selectors.access_entries(institution).values_list("action", flat=True)
    )
    log = client.get(f"/{institution.slug}/cases/access-log/").content.decode()
    assert "Opened the case" in log and case.reference in log and "intact" in log
    # The session row holds only ciphertext of the institution key.
    from django.contrib.sessions.models import Session

    raw = str(Session.objects.get().get_decoded())
    assert "cases_unlock" in raw
    client.logout()
    # Submitter: follow up with the receipt (top-level page), read the reply, answer, withdraw consent.
    r = _open(client, institution, code, top_level=True)
    body = r.content.decode()
    assert "We will contact the police chief." in body and "Being assessed" not in body
    assert "no-store" in r["Cache-Control"]
    st = state_of(r)
    assert code.replace(" ", "") not in st
    r = client.post(
        f"/{institution.slug}/follow-up/", {"state": st, "nav": "reply", "body": "Thank you, more details."}
    )
    assert "Your message was sent." in r.content.decode()
    r = client.post(
        f"/{institution.slug}/follow-up/",
        {"state": state_of(r), "nav": "consent", "kind": "statistics", "answer": "no"},
    )
    assert "Your choice was recorded." in r.content.decode()
    case.refresh_from_db()
    assert not case.consent_statistics
    latest = Consent.objects.for_institution(institution).filter(case=case, kind="statistics").last()
    assert latest.answer == "no" and latest.source == "follow_up"
    # Officer sees the submitter's message.
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert "Thank you, more details." in client.get(f"/{institution.slug}/cases/{case.pk}/").content.decode()


def test_status_email_carries_no_content(
    client, institution_a, keyed, taxonomy, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.cases.helpers import step_data

    officer, _ = keyed(institution_a)
    data = step_data()
    data["consent"]["submitter_email"] = "me@example.org"
    submit_report(client, institution_a, data)
    case = Case.objects.for_institution(institution_a).get()
    client.force_login(officer)
    client.post(f"/{institution_a.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    with django_capture_on_commit_callbacks(execute=True):  # sent once the reply is committed
        client.post(f"/{institution_a.slug}/cases/{case.pk}/", {"body": "SECRETREPLY"})
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["me@example.org"]
    assert "SECRETREPLY" not in mail.body and "CANARY" not in mail.body and case.reference not in mail.body


def test_wrong_receipt_refused_and_the_right_one_never(client, reported):
    # Issue 10: the follow-up's picture and institution-wide hard stop are gone (they let outsiders lock defenders
    # out); wrong codes are still refused, and the right code after them opens the report on the first try.
    institution, _officer, code, _case = reported
    for i in range(8):
        r = _open(client, institution, f"{i:025d}")
        assert r.status_code == 200 and "No report matches" in r.content.decode()
    r = _open(client, institution, code)
    assert r.status_code == 200 and "Your report" in r.content.decode()
    assert "Type the five digits" not in r.content.decode()


def test_unlock_expires_after_idle(client, reported, settings):
    institution, officer, _code, case = reported
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 200
    session = client.session
    entry = session[unlock.SESSION_KEY][str(institution.pk)]
    entry["at"] = int(time.time()) - 16 * 60
    session[unlock.SESSION_KEY] = {str(institution.pk): entry}
    session.save()
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 302


def test_session_without_cookie_cannot_decrypt(client, reported):
    institution, officer, _code, case = reported
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    del client.cookies[unlock.COOKIE]
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 302


def test_grant_and_revoke_through_views(client, reported, make_member):
    institution, officer, code, case = reported
    colleague = make_member(institution, Role.CASE_OFFICER, email="colleague@a.example")
    # The colleague creates their key, then waits for a grant.
    client.force_login(colleague)
    r = client.post(
        f"/{institution.slug}/cases/keys/my-key/",
        {"passphrase": "colleague passphrase long", "passphrase2": "colleague passphrase long"},
    )
    assert r.status_code == 302
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "colleague passphrase long"})
    assert "no access yet" in r.content.decode()
    # The officer, unlocked, grants.
    client.force_login(officer)
    okey = selectors.officer_key_for(institution, colleague)
    r = client.post(f"/{institution.slug}/cases/keys/grant/", {"officer_key_id": okey.pk})
    assert r.status_code == 302 and "/cases/unlock/" in r["Location"]  # locked: must unlock first
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    client.post(f"/{institution.slug}/cases/keys/grant/", {"officer_key_id": okey.pk})
    grant = KeyGrant.objects.for_institution(institution).get(officer_key=okey, revoked_at__isnull=True)
    # The colleague reads.
    client.force_login(colleague)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "colleague passphrase long"})
    assert "CANARY Defender" in client.get(f"/{institution.slug}/cases/{case.pk}/").content.decode()
    colleague_session = dict(client.session)
    colleague_cookie = client.cookies[unlock.COOKIE].value
    # The officer revokes: keys rotate.
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert client.get(f"/{institution.slug}/cases/keys/grants/{grant.pk}/revoke/").status_code == 200
    r = client.post(f"/{institution.slug}/cases/keys/grants/{grant.pk}/revoke/")
    assert r.status_code == 302
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 200  # revoker stays unlocked
    # The revoked colleague can no longer unlock nor use an earlier unlocked session.
    client.force_login(colleague)
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "colleague passphrase long"})
    assert "no access yet" in r.content.decode()
    assert colleague_session and colleague_cookie
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 302
    # The submitter still reads with the receipt.
    client.logout()
    assert "Your report" in _open(client, institution, code).content.decode()


def test_keys_setup_shows_kit_once(client, institution_a, make_member):
    head = make_member(institution_a, Role.INSTITUTION_HEAD)
    client.force_login(head)
    r = client.post(f"/{institution_a.slug}/cases/keys/setup/")
    assert r.status_code == 302  # needs own key first
    client.post(
        f"/{institution_a.slug}/cases/keys/my-key/",
        {"passphrase": "head passphrase long enough", "passphrase2": "head passphrase long enough"},
    )
    r = client.post(f"/{institution_a.slug}/cases/keys/setup/")
    body = r.content.decode()
    assert "R2DR-KIT" in body and "no-store" in r["Cache-Control"]
    kit = body.split('class="receipt-code kit" translate="no">')[1].split("<")[0]
    # Not stored anywhere in the database.
    from django.db import connection

    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')
            assert kit not in str(cur.fetchall())
    assert client.post(f"/{institution_a.slug}/cases/keys/setup/").status_code == 302  # only once
    # Recovery works for a newcomer with the kit.
    newcomer = make_member(institution_a, Role.CASE_OFFICER, email="new@a.example")
    client.force_login(newcomer)
    client.post(
        f"/{institution_a.slug}/cases/keys/my-key/",
        {"passphrase": "newcomer passphrase long", "passphrase2": "newcomer passphrase long"},
    )
    r = client.post(f"/{institution_a.slug}/cases/keys/recover/", {"kit": "R2DR-KIT-1-WRONG"})
    assert "not the recovery kit" in r.content.decode()
    r = client.post(f"/{institution_a.slug}/cases/keys/recover/", {"kit": kit})
    assert r.status_code == 302
    r = client.post(f"/{institution_a.slug}/cases/unlock/", {"passphrase": "newcomer passphrase long"})
    assert r.status_code == 302


def test_staff_pages_render(client, reported):
    institution, officer, _code, case = reported
    client.force_login(officer)
    for url in ("cases/", "cases/keys/", "cases/access-log/", "cases/unlock/", "cases/keys/recover/"):
        r = client.get(f"/{institution.slug}/{url}")
        assert r.status_code == 200, url
    assert case.reference in client.get(f"/{institution.slug}/cases/").content.decode()


def test_keys_page_flags_grants_of_removed_members(client, reported, make_member):
    institution, officer, _code, _case = reported
    from r2dr.models import Membership

    colleague = make_member(institution, Role.CASE_OFFICER, email="leaving@a.example")
    okey = services.officer_key_create(institution=institution, user=colleague, passphrase="leaving passphrase")
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    services.key_grant_create(institution=institution, by=officer, institution_private=private, officer_key=okey)
    Membership.objects.filter(user=colleague).delete()
    client.force_login(officer)
    body = client.get(f"/{institution.slug}/cases/keys/").content.decode()
    assert "no longer a case officer here" in body


def test_followup_explains_status(client, reported):
    institution, _officer, code, case = reported
    Case.objects.for_institution(institution).filter(pk=case.pk).update(status="verification")
    body = _open(client, institution, code).content.decode()
    assert "Being verified" in body and "checking the facts" in body


def test_passphrase_change_and_key_replacement(client, reported):
    institution, officer, _code, case = reported
    client.force_login(officer)
    url = f"/{institution.slug}/cases/keys/my-key/passphrase/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"action": "change", "current": "wrong", "passphrase": "x" * 20, "passphrase2": "x" * 20})
    assert "not your current case passphrase" in r.content.decode()
    r = client.post(url, {"action": "change", "current": PASSPHRASE, "passphrase": "n" * 20, "passphrase2": "n" * 20})
    assert r.status_code == 302
    assert client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE}).status_code == 200
    assert client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "n" * 20}).status_code == 302
    r = client.post(url, {"action": "replace", "confirm_replace": "1"})
    assert r.status_code == 302 and selectors.officer_key_for(institution, officer) is None
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 302


def test_unlock_guessing_is_limited(client, reported, settings):
    institution, officer, _code, _case = reported
    settings.R2DR_INTAKE_LIMITS = {"unlock_failures_per_hour": 3}
    client.force_login(officer)
    for _ in range(3):
        client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": "guess"})
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert r.status_code == 200 and "Too many wrong passphrases" in r.content.decode()
