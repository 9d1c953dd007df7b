"""50 booking requests for one single-place slot at once, each over its own PostgreSQL connection, through the
booking page: the database's unique seat lets exactly one through; the 49 others are told the slot was just
taken and shown the next free slots."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from r2dr.roles import Role
from r2dr.tenancy import scopes_disabled
from tests.conftest import skip_or_fail
from tests.factories import InstitutionFactory
from tests.workshops.helpers import availability, programme_round, soon
from training.workshops.models import Booking, BookingStatus

REQUESTS = 50
INSTITUTIONS = 10


def post_at_once(requests):
    """POST every (user, path, body) at the same moment, each from its own thread and database connection."""
    barrier = threading.Barrier(len(requests))

    def post(request):
        user, path, body = request
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(path, body)
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(post, requests))


def body(offered, start):
    return {
        "availability": offered.pk,
        "start": start.strftime("%Y-%m-%dT%H:%MZ"),
        "topic": "platform",
        "description": "Data entry",
        "language": "en",
    }


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_for_one_slot_book_it_once(make_member):
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent bookings need PostgreSQL")
    start, later = soon(days=3), soon(days=4)
    offered = availability(slots=[start, later])
    institutions = [InstitutionFactory(slug=f"race-{n}", name=f"Race {n}") for n in range(INSTITUTIONS)]
    users = [
        make_member(institutions[n % INSTITUTIONS], Role.INSTITUTION_ADMIN, email=f"admin{n}@race.example")
        for n in range(REQUESTS)
    ]
    requests = [
        (users[n], f"/{institutions[n % INSTITUTIONS].slug}/training/workshops/book/", body(offered, start))
        for n in range(REQUESTS)
    ]
    began = time.perf_counter()
    results = post_at_once(requests)
    elapsed = time.perf_counter() - began
    booked = [r for r in results if r[0] == 302]
    taken = [r for r in results if r[0] == 409]
    assert len(booked) == 1, [code for code, _page in results]
    assert len(taken) == REQUESTS - 1
    for _code, page in taken:
        assert "Someone else has just taken this slot" in page
        assert f"start={later.strftime('%Y-%m-%dT%H:%MZ')}" in page  # the next free slot, to book instead
    with scopes_disabled():
        assert Booking.objects.filter(availability=offered, status=BookingStatus.BOOKED).count() == 1
    print(f"\n{REQUESTS} concurrent booking requests: 1 booked, {len(taken)} told it was taken, {elapsed:.2f} s")


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_institution_stop_at_its_quota(make_member):
    """Ten admins of one institution book ten different slots at once with a quota of two: the round's lock
    makes the count and the insert one step, so exactly two are booked."""
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent bookings need PostgreSQL")
    starts = [soon(days=3 + n) for n in range(10)]
    offered = availability(slots=starts, round_=programme_round(quota=2))
    institution = InstitutionFactory(slug="quota-race", name="Quota race")
    users = [make_member(institution, Role.INSTITUTION_ADMIN, email=f"q{n}@race.example") for n in range(10)]
    results = post_at_once(
        [(users[n], f"/{institution.slug}/training/workshops/book/", body(offered, starts[n])) for n in range(10)]
    )
    assert sorted(code for code, _page in results) == [302] * 2 + [409] * 8
    assert all("all 2 one-on-one workshops" in page for code, page in results if code == 409)
