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
from tests.conftest import skip_or_fail
from tests.factories import InstitutionFactory
from tests.workshops.helpers import availability, soon
from training.workshops.models import Booking, BookingStatus

REQUESTS = 50
INSTITUTIONS = 10


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
    barrier = threading.Barrier(REQUESTS)
    key = start.strftime("%Y-%m-%dT%H:%MZ")

    def request(n):
        client = Client()
        client.force_login(users[n])
        slug = institutions[n % INSTITUTIONS].slug
        body = {
            "availability": offered.pk,
            "start": key,
            "topic": "platform",
            "description": "Data entry",
            "language": "en",
        }
        try:
            barrier.wait()
            response = client.post(f"/{slug}/training/workshops/book/", body)
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(request, range(REQUESTS)))
    elapsed = time.perf_counter() - began
    booked = [r for r in results if r[0] == 302]
    taken = [r for r in results if r[0] == 409]
    assert len(booked) == 1, [code for code, _body in results]
    assert len(taken) == REQUESTS - 1
    for _code, body in taken:
        assert "Someone else has just taken this slot" in body
        assert f"start={later.strftime('%Y-%m-%dT%H:%MZ')}" in body  # the next free slot, to book instead
    from r2dr.tenancy import scopes_disabled

    with scopes_disabled():
        assert Booking.objects.filter(availability=offered, status=BookingStatus.BOOKED).count() == 1
    print(f"\n{REQUESTS} concurrent booking requests: 1 booked, {len(taken)} told it was taken, {elapsed:.2f} s")
