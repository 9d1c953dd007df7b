"""Officers hear of a new report and of a defender's reply: exactly the officers who may see the case (a restricted
case only its named officers), by an e-mail that says only the kind of event, the institution, the reference and
the link, and by the count in the header."""

import datetime
import re

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Direction
from cases.services.notifications import DEFENDER_REPLIED, NEW_REPORT
from r2dr.models import Membership, Notification
from r2dr.notifications import Delivery, delivery
from r2dr.notifications import services as notification_services
from r2dr.roles import Role
from r2dr.tenancy import scopes_disabled
from tests.cases.helpers import CaseFactory, receipt_of, state_of, step_data, submit_report, unlock_client

pytestmark = pytest.mark.django_db

CANARY = "CANARY"


@pytest.fixture
def office(institution_a, institution_b, keyed, make_member, taxonomy):
    """A's two case officers (the first holds the key), A's head and data officer, and B's case officer."""
    first, _kit = keyed(institution_a, email="first@a.example")
    second = make_member(institution_a, Role.CASE_OFFICER, email="second@a.example")
    head = make_member(institution_a, Role.INSTITUTION_HEAD, email="head@a.example")
    data = make_member(institution_a, Role.DATA_OFFICER, email="data@a.example")
    b_officer, _kit_b = keyed(institution_b, email="officer@b.example")
    return {"first": first, "second": second, "head": head, "data": data, "b": b_officer}


def notified(kind, **filters):
    with scopes_disabled():
        qs = Notification.objects.filter(kind=kind, **filters)
        return sorted(qs.values_list("recipient__email", flat=True))


def everything_in(message) -> str:
    return " ".join(
        [
            message.subject,
            message.body,
            " ".join(message.to),
            " ".join(f"{k}: {v}" for k, v in message.extra_headers.items()),
        ]
    )


def test_a_new_report_notifies_exactly_the_officers_who_may_see_it_and_says_nothing_of_it(
    client, institution_a, office, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.R2DR_SITE_URL = "https://r2dr.example"
    data = step_data(name=f"{CANARY} Defender", narrative=f"{CANARY} narrative: they came at night.")
    data["what"]["location_detail"] = f"{CANARY} village"
    data["since"]["actions_taken"] = f"{CANARY} complaint"
    with django_capture_on_commit_callbacks(execute=True):
        receipt_of(submit_report(client, institution_a, data))
    case = Case.objects.for_institution(institution_a).get()
    assert notified(NEW_REPORT) == ["first@a.example", "second@a.example"]
    assert sorted(m.to[0] for m in mailoutbox if case.reference in m.subject and "New report" in m.subject) == [
        "first@a.example",
        "second@a.example",
    ]
    link = f"https://r2dr.example/{institution_a.slug}/cases/{case.pk}/"
    for message in mailoutbox:
        text = everything_in(message)
        assert CANARY not in text and "night" not in text and "village" not in text.lower()
    officer_mail = next(m for m in mailoutbox if m.to == ["first@a.example"] and "New report" in m.subject)
    assert link in officer_mail.body and "Institution A" in officer_mail.body and case.reference in officer_mail.body
    with scopes_disabled():
        for row in Notification.objects.values_list():
            assert CANARY not in str(row)


def test_a_reply_on_a_restricted_case_reaches_only_its_named_officers(
    client, institution_a, office, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code = receipt_of(submit_report(client, institution_a))
    case = Case.objects.for_institution(institution_a).get()
    services.case_restrict(case=case, by=office["first"], officers=[office["first"]])
    mailoutbox.clear()
    # The defender replies through the follow-up page, with their receipt code.
    opened = client.post(f"/{institution_a.slug}/follow-up/", {"receipt": code, "nav": "open"})
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/{institution_a.slug}/follow-up/",
            {"state": state_of(opened), "nav": "reply", "body": f"{CANARY} more details"},
        )
    assert "Your message was sent." in sent.content.decode()
    assert notified(DEFENDER_REPLIED) == ["first@a.example"]
    assert [m.to for m in mailoutbox] == [["first@a.example"]]
    assert CANARY not in everything_in(mailoutbox[0]) and case.reference in mailoutbox[0].subject


def test_replies_on_an_open_case_reach_every_officer_once_until_read(
    institution_a, office, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(institution=institution_a)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            services.message_add(case=case, case_key=b"k" * 32, direction=Direction.SUBMITTER, body=f"reply {n}")
        # An officer's own message to the defender notifies nobody.
        services.message_add(
            case=case, case_key=b"k" * 32, direction=Direction.INSTITUTION, body="ours", author=office["first"]
        )
    assert notified(DEFENDER_REPLIED) == ["first@a.example", "second@a.example"]
    with scopes_disabled():
        assert set(Notification.objects.filter(kind=DEFENDER_REPLIED).values_list("events", flat=True)) == {3}
    assert sorted(m.to[0] for m in mailoutbox) == ["first@a.example", "second@a.example"]


def test_restricting_a_case_withdraws_its_unread_notifications_from_officers_not_named(institution_a, office):
    case = CaseFactory(institution=institution_a)
    assert notified(NEW_REPORT) == ["first@a.example", "second@a.example"]
    services.case_restrict(case=case, by=office["first"], officers=[office["first"]])
    assert notified(NEW_REPORT) == ["first@a.example"]


def test_the_header_count_falls_when_the_officer_opens_the_case(client, institution_a, office):
    first = office["first"]
    case = CaseFactory(institution=institution_a)
    CaseFactory(institution=institution_a)
    client.force_login(first)
    inbox = client.get(f"/{institution_a.slug}/cases/").content.decode()
    assert re.search(r'href="/inst-a/notifications/"[^>]*>Notifications <span class="count">2<', inbox)
    listing = client.get(f"/{institution_a.slug}/notifications/").content.decode()
    assert listing.count("New report") >= 2 and case.reference in listing
    unlock_client(client, institution_a)
    assert client.get(f"/{institution_a.slug}/cases/{case.pk}/").status_code == 200
    assert '<span class="count">1<' in client.get(f"/{institution_a.slug}/cases/").content.decode()
    # Opening from the list goes to the case (and marks it read too).
    other = Notification.objects.for_institution(institution_a).get(recipient=first, read_at__isnull=True)
    response = client.post(f"/{institution_a.slug}/notifications/{other.pk}/open/")
    assert response.status_code == 302 and response["Location"] == other.link
    assert 'class="count"' not in client.get(f"/{institution_a.slug}/cases/").content.decode()


def test_an_officer_who_chose_the_digest_hears_once_a_day(
    client, institution_a, office, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(office["second"])
    page = client.get(f"/{institution_a.slug}/notifications/preferences/").content.decode()
    assert "When a new report arrives" in page and 'value="off"' not in page  # officers cannot switch it off
    client.post(
        f"/{institution_a.slug}/notifications/preferences/",
        {
            "delivery__cases__new_report": Delivery.DIGEST,
            "delivery__cases__defender_replied": Delivery.IMMEDIATE,
            "language": "en",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        first_case = CaseFactory(institution=institution_a)
        second_case = CaseFactory(institution=institution_a)
    assert sorted(m.to[0] for m in mailoutbox) == ["first@a.example"] * 2  # immediate for the other officer only
    mailoutbox.clear()
    tomorrow = timezone.now() + datetime.timedelta(days=1, hours=1)
    assert delivery.notification_digests_send(institution=institution_a, now=tomorrow) == 1
    (digest,) = mailoutbox
    assert digest.to == ["second@a.example"]
    assert first_case.reference in digest.body and second_case.reference in digest.body
    assert "New report" in digest.body


def test_the_officers_language_is_the_e_mails(institution_a, office, mailoutbox, django_capture_on_commit_callbacks):
    notification_services.notification_preference_save(
        institution=institution_a, user=office["second"], deliveries={}, language="id"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = CaseFactory(institution=institution_a)
    by_person = {m.to[0]: m for m in mailoutbox}
    assert "Laporan baru" in by_person["second@a.example"].subject
    assert case.reference in by_person["second@a.example"].subject
    assert "New report" in by_person["first@a.example"].subject


def test_a_removed_officer_loses_their_notifications(client, institution_a, office, make_member):
    CaseFactory(institution=institution_a)
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    membership = Membership.objects.get(user=office["second"], institution=institution_a)
    client.force_login(admin)
    response = client.post(f"/{institution_a.slug}/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert notified(NEW_REPORT) == ["first@a.example"]


def test_deleting_a_case_deletes_its_notifications_read_or_not(institution_a, office):
    case = CaseFactory(institution=institution_a)
    kept = CaseFactory(institution=institution_a)
    notification_services.notifications_mark_read(
        institution=institution_a, recipient=office["first"], link=f"/{institution_a.slug}/cases/{case.pk}/"
    )
    services.case_delete(case=case)
    with scopes_disabled():
        assert set(Notification.objects.values_list("reference", flat=True)) == {kept.reference}
