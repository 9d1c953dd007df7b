"""Booking, rescheduling and cancelling a workshop.

Two institutions racing for one seat are told apart by the database, not by a check: the insert (or the move)
of a booking on a taken seat fails on `workshop_booking_one_per_seat`, and the loser is told the slot was just
taken, with the next free slots. The round's quota is counted under a lock on the round's row, so two bookings of
one institution cannot both take its last workshop."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from r2dr.audit import audit_append
from r2dr.models import Institution
from training.workshops.models import Availability, Booking, BookingStatus, ProgrammeRound, Topic
from training.workshops.selectors.slots import Slot, free_slots, slot_at
from training.workshops.services.notify import booking_changed_notify

NEXT_SLOTS = 5


class BookingRefused(Exception):
    """A booking, change or cancellation that cannot be made; `str()` says why, for the person asking."""


class SlotTaken(BookingRefused):
    """The slot's last seat was taken (by a request that committed first); `next_slots` are free ones."""

    def __init__(self, message: str, next_slots: list[tuple[Availability, Slot]]):
        super().__init__(message)
        self.next_slots = next_slots


class _Full(Exception):
    pass


def _taken(availability: Availability, now: datetime.datetime) -> SlotTaken:
    return SlotTaken(
        _("Someone else has just taken this slot. Please choose another one."),
        free_slots(availabilities=[availability], now=now, limit=NEXT_SLOTS),
    )


def _save_on_a_free_seat(booking: Booking, capacity: int, *, create: bool) -> None:
    """Save `booking` on the lowest free seat of its slot; _Full when the database refuses every seat."""
    for seat in range(1, capacity + 1):
        booking.seat = seat
        try:
            with transaction.atomic():  # a savepoint: a refused seat leaves the outer transaction usable
                if create:
                    booking.save(force_insert=True)
                else:
                    booking.save(
                        update_fields=["starts_at", "ends_at", "seat", "sequence", "change_reason", "changed_at"]
                    )
                return
        except IntegrityError:
            if create:
                booking.pk = None
            continue
    raise _Full


def _recorded(booking: Booking, action: str, by: Any, detail: dict[str, Any]) -> None:
    """Write the change to the institution's audit log and tell the other side (in the caller's transaction)."""
    audit_append(
        institution=booking.institution,
        action=action,
        actor=by,
        object_type="workshop_booking",
        object_ref=booking.pk,
        detail=detail,
    )
    booking_changed_notify(booking=booking, by=by)


def _validate_request(*, topic: str, description: str, language: str) -> None:
    if topic not in Topic.values:
        raise BookingRefused(_("Choose a topic."))
    if not description.strip():
        raise BookingRefused(_("Say in a few words what you would like to work on."))
    if len(description) > 2000:
        raise BookingRefused(_("Keep the description under 2,000 characters."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise BookingRefused(_("Choose a language."))


def booking_create(
    *,
    institution: Institution,
    by: Any,
    availability_id: int,
    starts_at: datetime.datetime,
    topic: str,
    description: str,
    language: str,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book a seat of the availability's slot at `starts_at` for the institution. Raises SlotTaken when the last
    seat went to someone else, BookingRefused for anything else (no such slot, quota used, a practice
    institution)."""
    now = now or timezone.now()
    _validate_request(topic=topic, description=description, language=language)
    if institution.is_practice:
        raise BookingRefused(_("A practice institution cannot book workshops."))
    availability = (
        Availability.objects.filter(pk=availability_id, is_active=True).select_related("programme_round").first()
    )
    if availability is None:
        raise BookingRefused(_("This availability is no longer open for booking."))
    slot = slot_at(availability=availability, starts_at=starts_at, now=now)
    if slot is None:
        raise BookingRefused(_("This slot is not offered (any more): choose one of the slots listed."))
    try:
        with transaction.atomic():
            programme_round = ProgrammeRound.objects.select_for_update().get(pk=availability.programme_round_id)
            if availability.one_on_one:
                used = (
                    Booking.objects.for_institution(institution)
                    .filter(programme_round=programme_round, one_on_one=True, status=BookingStatus.BOOKED)
                    .count()
                )
                if used >= programme_round.workshop_quota:
                    raise BookingRefused(
                        _("Your institution has booked all %(quota)s one-on-one workshops of %(round)s.")
                        % {"quota": programme_round.workshop_quota, "round": programme_round.title}
                    )
            booking = Booking(
                institution=institution,
                availability=availability,
                facilitator_id=availability.facilitator_id,
                programme_round=programme_round,
                one_on_one=availability.one_on_one,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                booked_by=by,
                topic=topic,
                description=description.strip(),
                language=language,
                created_at=now,
                changed_at=now,
            )
            _save_on_a_free_seat(booking, availability.capacity, create=True)
            _recorded(
                booking,
                "workshop.booked",
                by,
                {"starts_at": booking.starts_at.isoformat(), "topic": topic, "seat": booking.seat},
            )
    except _Full:
        raise _taken(availability, now) from None
    return booking


def _changeable(booking: Booking, now: datetime.datetime, reason: str) -> None:
    if not booking.active:
        raise BookingRefused(_("This workshop is cancelled already."))
    if now >= booking.cutoff():
        raise BookingRefused(
            _("Changes close %(hours)s hours before the workshop: write to the facilitator instead.")
            % {"hours": booking.availability.change_cutoff_hours}
        )
    if not reason.strip():
        raise BookingRefused(_("Give a reason: the other side reads it."))


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.for_institution(booking.institution_id)
        .select_for_update(of=("self",))
        .select_related("availability", "institution", "facilitator", "booked_by")
        .get(pk=booking.pk)
    )


def booking_reschedule(
    *, booking: Booking, by: Any, starts_at: datetime.datetime, reason: str, now: datetime.datetime | None = None
) -> Booking:
    """Move the booking to another slot of its availability, before the cut-off: same UID, SEQUENCE + 1."""
    now = now or timezone.now()
    availability = booking.availability
    try:
        with transaction.atomic():
            booking = _locked(booking)
            _changeable(booking, now, reason)
            if starts_at == booking.starts_at:
                raise BookingRefused(_("Choose a different time."))
            slot = slot_at(availability=availability, starts_at=starts_at, now=now, ignore=[booking.pk])
            if slot is None:
                raise BookingRefused(_("This slot is not offered (any more): choose one of the slots listed."))
            before = booking.starts_at
            booking.starts_at, booking.ends_at = slot.starts_at, slot.ends_at
            booking.sequence += 1
            booking.change_reason = reason.strip()
            booking.changed_at = now
            _save_on_a_free_seat(booking, availability.capacity, create=False)
            _recorded(
                booking,
                "workshop.rescheduled",
                by,
                {"from": before.isoformat(), "to": booking.starts_at.isoformat(), "sequence": booking.sequence},
            )
    except _Full:
        raise _taken(availability, now) from None
    return booking


def booking_cancel(*, booking: Booking, by: Any, reason: str, now: datetime.datetime | None = None) -> Booking:
    """Cancel the booking before the cut-off: the invitation becomes a CANCEL of the same UID, SEQUENCE + 1."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _changeable(booking, now, reason)
        booking.status = BookingStatus.CANCELLED
        booking.sequence += 1
        booking.change_reason = reason.strip()
        booking.changed_at = booking.cancelled_at = now
        booking.cancelled_by = by
        booking.save(
            update_fields=["status", "sequence", "change_reason", "changed_at", "cancelled_at", "cancelled_by"]
        )
        _recorded(
            booking,
            "workshop.cancelled",
            by,
            {"starts_at": booking.starts_at.isoformat(), "sequence": booking.sequence},
        )
    return booking
