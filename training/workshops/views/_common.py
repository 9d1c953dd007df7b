"""What both sides' pages share: the forms' slot lists, and how a refusal is shown."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone

from training.workshops.selectors.sessions import session_record_of
from training.workshops.selectors.slots import free_slots, parse_slot_key
from training.workshops.services.booking import BookingRefused, SlotTaken

RESCHEDULE_CHOICES = 20


def reschedule_choices(booking) -> list:
    """The free slots the booking may move to (of its availability, other than its own)."""
    slots = free_slots(availabilities=[booking.availability], ignore=[booking.pk], limit=RESCHEDULE_CHOICES + 1)
    return [pair for pair in slots if pair[1].starts_at != booking.starts_at][:RESCHEDULE_CHOICES]


def booking_page(request, booking, *, side: str):
    """The booking's page, for the institution or the facilitator: times first in the reader's zone."""
    if side == "institution":
        own, other = booking.institution.time_zone, booking.availability.time_zone
    else:
        own, other = booking.availability.time_zone, booking.institution.time_zone
    now = timezone.now()
    # Past the cutoff the service refuses any change, and a workshop that took place is recorded, not moved.
    changeable = booking.active and now < booking.cutoff()
    context = {
        "booking": booking,
        "changeable": changeable,
        "held": booking.active and booking.starts_at <= now,
        "slots": reschedule_choices(booking) if changeable else [],
        "own_zone": own,
        "other_zone": other,
        "side": side,
        "record": session_record_of(booking=booking),
    }
    return render(request, "workshops/booking.html", context)


def refusal(request, exc: BookingRefused) -> list:
    """Show the refusal; the next free slots when the slot was just taken."""
    messages.error(request, str(exc))
    return exc.next_slots if isinstance(exc, SlotTaken) else []


__all__ = ["booking_page", "parse_slot_key", "refusal", "reschedule_choices"]
