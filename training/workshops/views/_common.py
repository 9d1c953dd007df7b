"""What both sides' pages share: the forms' slot lists, and how a refusal is shown."""

from __future__ import annotations

from django.contrib import messages

from training.workshops.selectors.slots import free_slots, parse_slot_key
from training.workshops.services.booking import BookingRefused, SlotTaken


def reschedule_choices(booking) -> list:
    """The free slots the booking may move to (of its availability)."""
    return free_slots(availabilities=[booking.availability], ignore=[booking.pk])


def refusal(request, exc: BookingRefused) -> list:
    """Show the refusal; the next free slots when the slot was just taken."""
    messages.error(request, str(exc))
    return exc.next_slots if isinstance(exc, SlotTaken) else []


__all__ = ["parse_slot_key", "refusal", "reschedule_choices"]
