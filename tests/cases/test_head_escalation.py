"""The institution head is e-mailed an escalation they can open: the escalation page explains it without content,
to a head with or without a key. A head holding a grant of the case key, unlocked, reads the escalated case
(read only); never a case that is not escalated, never a restricted one, never one without the key."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from cases import services
from cases.models import Case
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory

pytestmark = pytest.mark.django_db

HEAD_PASSPHRASE = "the head's own case passphrase"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def office(institution_a, keyed, make_member, taxonomy):
    officer, _kit = keyed(institution_a)
    head = make_member(institution_a, Role.INSTITUTION_HEAD, email="head@test.example")
    return institution_a, officer, head


def _escalated(institution, officer, capture, **fields):
    case = CaseFactory(institution=institution, names="CANARY Defender", narrative="CANARY narrative")
    if fields:
        Case.objects.for_institution(institution).filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
    with capture(execute=True):
        services.case_triage(case=case, by=officer, urgency="urgent")
    case.refresh_from_db()
    return case


def _grant(institution, officer, head):
    okey = services.officer_key_create(institution=institution, user=head, passphrase=HEAD_PASSPHRASE)
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    services.key_grant_create(institution=institution, by=officer, institution_private=private, officer_key=okey)


def test_the_head_without_a_key_opens_the_e_mailed_link_and_learns_why_without_content(
    client, office, django_capture_on_commit_callbacks
):
    institution, officer, head = office
    case = _escalated(institution, officer, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == [head.email] and "CANARY" not in message.body
    [link] = LINK.findall(message.body)
    assert link.endswith(f"/{institution.slug}/cases/{case.pk}/escalation/")
    client.force_login(head)
    page = client.get(urlsplit(link).path)
    body = page.content.decode()
    assert page.status_code == 200, "the e-mailed link must open for the head"
    assert case.reference in body and "because:" in body and "it was marked urgent" in body
    assert "You cannot read this case" in body and "Create my case key" in body
    assert "CANARY" not in body
    # The case page itself needs the key: the head is sent to unlock, never shown content.
    locked = client.get(f"/{institution.slug}/cases/{case.pk}/")
    assert locked.status_code == 302 and "/cases/unlock/" in locked["Location"]


def test_the_head_with_a_grant_reads_the_escalated_case_read_only(client, office, django_capture_on_commit_callbacks):
    institution, officer, head = office
    case = _escalated(institution, officer, django_capture_on_commit_callbacks)
    _grant(institution, officer, head)
    client.force_login(head)
    assert (
        "Unlock your case key and read the case"
        in client.get(f"/{institution.slug}/cases/{case.pk}/escalation/").content.decode()
    )
    assert client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": HEAD_PASSPHRASE}).status_code == 302
    page = client.get(f"/{institution.slug}/cases/{case.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "CANARY narrative" in body and "read only" in body
    assert 'method="post" action' not in body.split("</h1>", 1)[1].split("<footer")[0], "an action form is shown"
    assert "Send reply" not in body and "Record this step" not in body and "Merge into that case" not in body
    # Nothing is changed through the page by the head.
    assert client.post(f"/{institution.slug}/cases/{case.pk}/", {"body": "from the head"}).status_code == 403
    assert not case.messages.exists()
    for action in ("triage", "transition", "sources", "restrict", "legal-hold", "un-communication", "case-file"):
        assert client.post(f"/{institution.slug}/cases/{case.pk}/{action}/", {}).status_code == 403, action


def test_the_head_never_reads_a_case_that_is_not_escalated(client, office):
    institution, officer, head = office
    case = CaseFactory(institution=institution, names="CANARY Defender")
    _grant(institution, officer, head)
    client.force_login(head)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": HEAD_PASSPHRASE})
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 404
    assert client.get(f"/{institution.slug}/cases/{case.pk}/escalation/").status_code == 404


def test_a_restricted_escalated_case_reaches_only_its_named_officers(
    client, office, make_member, django_capture_on_commit_callbacks
):
    institution, officer, head = office
    named = make_member(institution, Role.CASE_OFFICER, email="named@test.example")
    case = CaseFactory(institution=institution, names="CANARY Defender")
    services.case_restrict(case=case, by=officer, officers=[named])
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_triage(case=case, by=officer, urgency="urgent")
    assert sorted(m for message in mail.outbox for m in message.to) == sorted([officer.email, named.email])
    _grant(institution, officer, head)
    client.force_login(head)
    client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": HEAD_PASSPHRASE})
    assert client.get(f"/{institution.slug}/cases/{case.pk}/").status_code == 404
    assert client.get(f"/{institution.slug}/cases/{case.pk}/escalation/").status_code == 404
    client.force_login(named)
    assert client.get(f"/{institution.slug}/cases/{case.pk}/escalation/").status_code == 200


def test_reading_the_escalation_page_is_in_the_access_log(client, office, django_capture_on_commit_callbacks):
    from cases import selectors

    institution, officer, head = office
    case = _escalated(institution, officer, django_capture_on_commit_callbacks)
    client.force_login(head)
    client.get(f"/{institution.slug}/cases/{case.pk}/escalation/")
    entry = selectors.access_entries(institution).filter(action="cases.escalation_viewed").get()
    assert entry.actor == head and entry.object_ref == case.reference
