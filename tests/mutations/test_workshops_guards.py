"""Mutation tests of the workshop pages: with a tenant filter patched out, the access matrix (or, for the list,
whose URL names no booking, the list's own test) must fail."""

import pytest

import training.workshops.views.institution as institution_views
from tests.mutations.test_training_guards import violations_of
from training.workshops.models import Booking
from training.workshops.selectors import bookings as selectors

pytestmark = pytest.mark.django_db


def test_matrix_holds_on_the_workshop_pages(client):
    assert violations_of(client, "workshops_home", "workshops_booking", "workshops_ics") == []


def test_the_list_test_fails_when_the_institutions_list_reads_every_institution(
    client, monkeypatch, institution_a, institution_b, make_member
):
    # The matrix builds B's booking only for URLs that name it; the list's own test is the guard of the list.
    from tests.workshops.test_views import other_institutions_bookings_listed

    monkeypatch.setattr(
        selectors,
        "institution_bookings",
        lambda *, institution: list(Booking.objects.regional().select_related("booked_by", "institution")),
    )
    assert other_institutions_bookings_listed(client, institution_a, institution_b, make_member)


def test_matrix_fails_when_the_booking_lookup_ignores_the_tenant(client, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "institution_booking",
        lambda *, institution, booking_id: selectors.facilitator_booking(booking_id=booking_id),
    )
    assert institution_views.selectors is selectors
    found = violations_of(client, "workshops_booking", "workshops_ics", "workshops_cancel")
    assert any("B's object was found under A" in v for v in found), found
    assert any("changed B's rows" in v for v in found), found
