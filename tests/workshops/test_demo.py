"""The workshops demo: the facilitator's availability over the coming weeks and one upcoming workshop booked by
Komnas HAM, one past workshop of Komnas HAM recorded with an overdue follow-up action, and an open TA request from
NHRCT, which a second run leaves as they are."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import InstitutionFactory
from training.workshops import demo
from training.workshops.models import AssistanceRequest, Availability, Booking, BookingStatus, SessionRecord
from training.workshops.selectors.slots import free_slots, open_availabilities

pytestmark = pytest.mark.django_db


def test_the_demo_offers_weeks_of_slots_and_one_upcoming_komnas_ham_workshop():
    komnas = InstitutionFactory(slug="komnas-ham", name="Komnas HAM")
    nhrct = InstitutionFactory(slug="nhrct", name="NHRCT")
    demo.seed()
    demo.seed()
    assert Availability.objects.filter(facilitator__username="facilitator@apf.example").count() == 1
    slots = free_slots(availabilities=open_availabilities(), limit=100)
    assert slots[-1][1].starts_at - slots[0][1].starts_at > datetime.timedelta(weeks=4)
    [booking] = Booking.objects.for_institution(komnas).filter(
        status=BookingStatus.BOOKED, starts_at__gt=timezone.now()
    )
    assert booking.starts_at > timezone.now() + datetime.timedelta(days=6)
    assert booking.booked_by.email == "admin@komnasham.example"
    [record] = SessionRecord.objects.for_institution(komnas).select_related("booking")
    assert record.booking.ends_at < timezone.now() and record.shared_note and record.private_note
    [action] = record.actions.all()
    assert action.due_on < timezone.now().date() and action.done_at is None
    [request] = AssistanceRequest.objects.for_institution(nhrct)
    assert request.status == "requested"
