"""Calendar feeds: a facilitator's and an institution's, subscribed to with a secret address. The feed parses with
icalendar and shows only "Workshop: <topic>, <institution>" per event; a revoked or replaced address, and the
address of a member whose membership ended, answer 404 at once; an institution's feed shows only its own."""

import re

import pytest
from django.test import Client
from icalendar import Calendar

from r2dr import services as r2dr_services
from r2dr.models import Membership
from r2dr.roles import Role
from tests.workshops.helpers import availability, book, facilitator, soon
from training.workshops.models import CalendarFeed

pytestmark = pytest.mark.django_db


def issue(client, url) -> str:
    """Issue a feed on its page; the path and query of the address the page shows (once)."""
    response = client.post(url, {"action": "issue"})
    assert response["Cache-Control"] == "no-store"  # the one page that shows the token is kept by no cache
    page = response.content.decode()
    webcal = re.search(r'value="(webcal://[^"]+)"', page).group(1)
    assert re.search(r'value="(https?://[^"]+)"', page).group(1).split("://", 1)[1] == webcal.split("://", 1)[1]
    return "/" + webcal.split("://", 1)[1].split("/", 1)[1].replace("&amp;", "&")


def fetched(address):
    return Client().get(address)


def events(address):
    response = fetched(address)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def bookings(institution_a, institution_b, make_member):
    """Fran's bookings by A and by B, and another facilitator's by A."""
    fran, other = facilitator(), facilitator(email="other@apf.example", name="Olu")
    start, later = soon(days=3), soon(days=4)
    frans = availability(by=fran, slots=[start, later])
    others = availability(by=other, slots=[start])
    admin_a = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    admin_b = make_member(institution_b, Role.INSTITUTION_ADMIN, email="admin@b.example")
    return {
        "fran": fran,
        "admin_a": admin_a,
        "a_with_fran": book(institution_a, admin_a, frans, start, description="Secret description A"),
        "b_with_fran": book(institution_b, admin_b, frans, later, topic="case_handling"),
        "a_with_other": book(institution_a, admin_a, others, start),
    }


def test_a_facilitators_feed_shows_their_bookings_by_topic_and_institution_only(
    client, institution_a, institution_b, bookings
):
    client.force_login(bookings["fran"])
    address = issue(client, "/training/workshops/facilitator/feed/")
    assert address.startswith("/training/workshops/calendar.ics?token=")
    found = {str(e["uid"]): e for e in events(address)}
    assert set(found) == {bookings["a_with_fran"].uid, bookings["b_with_fran"].uid}
    assert (
        str(found[bookings["a_with_fran"].uid]["summary"])
        == f"Workshop: Using the platform, {institution_a.short_name}"
    )
    assert str(found[bookings["b_with_fran"].uid]["summary"]) == f"Workshop: Case handling, {institution_b.short_name}"
    body = fetched(address).content.decode()
    for absent in ("Secret description", "admin@a.example", "ATTENDEE", "DESCRIPTION", "LOCATION", "meet.example"):
        assert absent not in body


def test_an_institutions_feed_shows_only_its_own_bookings(client, institution_a, bookings):
    client.force_login(bookings["admin_a"])
    address = issue(client, f"/{institution_a.slug}/training/workshops/feed/")
    assert {str(e["uid"]) for e in events(address)} == {
        bookings["a_with_fran"].uid,
        bookings["a_with_other"].uid,
    }


def test_a_revoked_or_replaced_address_answers_404_at_once(client, institution_a, bookings):
    client.force_login(bookings["admin_a"])
    url = f"/{institution_a.slug}/training/workshops/feed/"
    first = issue(client, url)
    second = issue(client, url)  # a new address replaces the first
    assert fetched(first).status_code == 404 and fetched(second).status_code == 200
    page = client.post(url, {"action": "revoke"}).content.decode()
    assert "You have no working feed." in page
    assert fetched(second).status_code == 404
    assert fetched("/training/workshops/calendar.ics").status_code == 404
    assert fetched("/training/workshops/calendar.ics?token=guessed-token").status_code == 404
    token = second.split("token=", 1)[1]
    assert not CalendarFeed.objects.filter(token_hash=token).exists()  # only its hash is stored


def test_a_feed_ends_with_the_membership_that_entitled_it(client, institution_a, bookings, make_member):
    client.force_login(bookings["admin_a"])
    institution_address = issue(client, f"/{institution_a.slug}/training/workshops/feed/")
    colleague = make_member(institution_a, Role.INSTITUTION_ADMIN, email="colleague@a.example")
    fran = bookings["fran"]
    client.force_login(fran)
    facilitator_address = issue(client, "/training/workshops/facilitator/feed/")
    assert fetched(institution_address).status_code == 200 and fetched(facilitator_address).status_code == 200

    membership = Membership.objects.get(user=bookings["admin_a"], institution=institution_a)
    r2dr_services.membership_revoke(membership=membership, by=colleague)
    assert fetched(institution_address).status_code == 404
    r2dr_services.membership_revoke(membership=Membership.objects.get(user=fran, role=Role.FACILITATOR), by=None)
    assert fetched(facilitator_address).status_code == 404


def test_a_member_keeping_a_booking_role_keeps_the_feed(client, institution_a, bookings):
    admin = bookings["admin_a"]
    Membership.objects.create(user=admin, institution=institution_a, role=Role.INSTITUTION_HEAD)
    client.force_login(admin)
    address = issue(client, f"/{institution_a.slug}/training/workshops/feed/")
    membership = Membership.objects.get(user=admin, institution=institution_a, role=Role.INSTITUTION_HEAD)
    r2dr_services.membership_revoke(membership=membership, by=None)
    assert fetched(address).status_code == 200  # still an admin there
