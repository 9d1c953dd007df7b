"""Reads of bookings and availability. An institution's reads take the institution; facilitators' reads are
explicitly regional (a facilitator works with every institution)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from r2dr.models import Institution
from training.workshops.models import Availability, Booking, BookingStatus, ProgrammeRound, Topic

_BOOKING_RELATED = ("availability", "institution", "facilitator", "booked_by", "programme_round")


def institution_bookings(*, institution: Institution) -> list[Booking]:
    """The institution's bookings, upcoming and past, soonest first."""
    return list(Booking.objects.for_institution(institution).select_related(*_BOOKING_RELATED).order_by("starts_at"))


def institution_booking(*, institution: Institution, booking_id: int) -> Booking:
    """One of the institution's bookings, or Booking.DoesNotExist (another institution's too)."""
    return Booking.objects.for_institution(institution).select_related(*_BOOKING_RELATED).get(pk=booking_id)


def quota_use(*, institution: Institution) -> list[dict[str, Any]]:
    """Per open round: the institution's one-on-one workshops booked and its quota."""
    # Rounds picked by a subquery, not a join: a join to the round's availabilities would count each booking
    # once per availability.
    rounds = ProgrammeRound.objects.filter(
        pk__in=Availability.objects.filter(is_active=True).values("programme_round")
    ).annotate(
        used=Count(
            "bookings",
            filter=Q(
                bookings__institution=institution,
                bookings__one_on_one=True,
                bookings__status=BookingStatus.BOOKED,
            ),
        )
    )
    return [{"round": r, "used": r.used, "quota": r.workshop_quota} for r in rounds]


def facilitator_bookings(
    *,
    status: str = "",
    institution_id: int | None = None,
    topic: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Booking]:
    """Regional, for facilitators: every institution's bookings, optionally by status, institution, topic and
    period (`since`/`until` bound the start day in UTC, both included)."""
    bookings = Booking.objects.regional().select_related(*_BOOKING_RELATED).order_by("starts_at", "pk")
    if status in BookingStatus.values:
        bookings = bookings.filter(status=status)
    if institution_id:
        bookings = bookings.filter(institution_id=institution_id)
    if topic in Topic.values:
        bookings = bookings.filter(topic=topic)
    if since:
        bookings = bookings.filter(starts_at__date__gte=since)
    if until:
        bookings = bookings.filter(starts_at__date__lte=until)
    return bookings


def facilitator_booking(*, booking_id: int) -> Booking:
    """Regional, for facilitators: one booking by id, or Booking.DoesNotExist."""
    return Booking.objects.regional().select_related(*_BOOKING_RELATED).get(pk=booking_id)


def facilitator_availabilities(*, facilitator: Any) -> list[Availability]:
    return list(
        Availability.objects.filter(facilitator=facilitator)
        .select_related("programme_round")
        .prefetch_related("weekly_rules", "one_off_slots", "exceptions")
    )


def availability_of(*, facilitator: Any, availability_id: int) -> Availability:
    """The facilitator's own availability, or Availability.DoesNotExist."""
    return (
        Availability.objects.select_related("programme_round")
        .prefetch_related("weekly_rules", "one_off_slots", "exceptions")
        .get(pk=availability_id, facilitator=facilitator)
    )


def programme_rounds() -> list[ProgrammeRound]:
    return list(ProgrammeRound.objects.all())
