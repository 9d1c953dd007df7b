"""Slots, computed from availability: weekly rules and one-off slots in the facilitator's zone, less date
exceptions, less what the minimum notice and the horizon leave out, less what the facilitator's bookings (with
their buffers) already take. Nothing here is stored; the booking's unique seat is the guard against races."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from training.workshops.models import Availability, Booking, BookingStatus

UTC = datetime.UTC


@dataclass(frozen=True)
class Slot:
    availability_id: int
    starts_at: datetime.datetime  # aware, UTC
    ends_at: datetime.datetime
    seats_left: int

    @property
    def key(self) -> str:
        """How a form names the slot: its start in UTC, to the minute."""
        return self.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot_key(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _wall(day: datetime.date, at: datetime.time, zone: datetime.tzinfo) -> datetime.datetime | None:
    """The instant of a wall-clock time in `zone`, or None when the clock skips it (the hour lost to daylight
    saving time): a slot must start at the time the facilitator wrote, or not at all."""
    local = datetime.datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _candidates(availability: Availability, first: datetime.date, last: datetime.date) -> list[tuple]:
    zone = availability.zone
    skipped = {e.day for e in availability.exceptions.all()}
    out = []
    rules = list(availability.weekly_rules.all())
    day = first
    while day <= last:
        if day not in skipped:
            for rule in rules:
                if rule.weekday != day.weekday():
                    continue
                step = datetime.timedelta(minutes=rule.slot_minutes)
                cursor = datetime.datetime.combine(day, rule.start)
                end = datetime.datetime.combine(day, rule.end)
                while cursor + step <= end:
                    instant = _wall(day, cursor.time(), zone)
                    if instant is not None:
                        out.append((instant, instant + step))
                    cursor += step
        day += datetime.timedelta(days=1)
    for one in availability.one_off_slots.all():
        if timezone.localtime(one.starts_at, zone).date() not in skipped:
            start = one.starts_at.astimezone(UTC)
            out.append((start, start + datetime.timedelta(minutes=one.minutes)))
    return sorted(set(out))


def _busy(availability: Availability, start: datetime.datetime, end: datetime.datetime) -> list[Booking]:
    """The facilitator's active bookings near the window (regional: only times are used, never whose)."""
    margin = datetime.timedelta(minutes=availability.buffer_before_minutes + availability.buffer_after_minutes + 480)
    return list(
        Booking.objects.regional()
        .filter(
            facilitator_id=availability.facilitator_id,
            status=BookingStatus.BOOKED,
            starts_at__lt=end + margin,
            ends_at__gt=start - margin,
        )
        .only("pk", "availability_id", "starts_at", "ends_at")
    )


def slots_between(
    *,
    availability: Availability,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
    ignore: Iterable[int] = (),
    include_full: bool = False,
) -> list[Slot]:
    """The availability's slots starting in [start, end], within its notice and horizon from `now`. `ignore`:
    bookings not to count as busy (the one being rescheduled). Full slots only with `include_full`."""
    now = now or timezone.now()
    earliest = max(start, now + datetime.timedelta(hours=availability.minimum_notice_hours))
    latest = min(end, now + datetime.timedelta(weeks=availability.horizon_weeks))
    if latest < earliest:
        return []
    zone = availability.zone
    first = timezone.localtime(earliest, zone).date()
    last = timezone.localtime(latest, zone).date()
    ignored = set(ignore)
    busy = [b for b in _busy(availability, earliest, latest) if b.pk not in ignored]
    before = datetime.timedelta(minutes=availability.buffer_before_minutes)
    after = datetime.timedelta(minutes=availability.buffer_after_minutes)
    slots = []
    for slot_start, slot_end in _candidates(availability, first, last):
        if not earliest <= slot_start <= latest:
            continue
        taken = 0
        blocked = False
        for booking in busy:
            if booking.availability_id == availability.pk and booking.starts_at == slot_start:
                taken += 1
            # Every workshop keeps its free minutes before and after: neither may fall inside the other's.
            elif slot_start - before < booking.ends_at + after and booking.starts_at - before < slot_end + after:
                blocked = True
                break
        if blocked:
            continue
        left = max(availability.capacity - taken, 0)
        if left or include_full:
            slots.append(Slot(availability.pk, slot_start, slot_end, left))
    return slots


def slot_at(
    *,
    availability: Availability,
    starts_at: datetime.datetime,
    now: datetime.datetime | None = None,
    ignore: Iterable[int] = (),
) -> Slot | None:
    """The offered slot starting at `starts_at` (full or not), or None if the availability offers none then."""
    found = slots_between(
        availability=availability, start=starts_at, end=starts_at, now=now, ignore=ignore, include_full=True
    )
    return found[0] if found else None


def open_availabilities() -> list[Availability]:
    """Every availability open for booking, with what slot computation reads."""
    return list(
        Availability.objects.filter(is_active=True)
        .select_related("facilitator", "programme_round")
        .prefetch_related("weekly_rules", "one_off_slots", "exceptions")
        .order_by("title", "pk")
    )


def open_availability(*, availability_id: int) -> Availability:
    """One availability open for booking, or Availability.DoesNotExist."""
    return (
        Availability.objects.select_related("facilitator", "programme_round")
        .prefetch_related("weekly_rules", "one_off_slots", "exceptions")
        .get(pk=availability_id, is_active=True)
    )


def free_slots(
    *,
    availabilities: list[Availability],
    now: datetime.datetime | None = None,
    limit: int = 40,
    ignore: Iterable[int] = (),
) -> list[tuple[Availability, Slot]]:
    """The next free slots of the given availabilities, soonest first."""
    now = now or timezone.now()
    far = now + datetime.timedelta(weeks=52)
    found = [
        (availability, slot)
        for availability in availabilities
        for slot in slots_between(availability=availability, start=now, end=far, now=now, ignore=ignore)
    ]
    found.sort(key=lambda pair: (pair[1].starts_at, pair[0].pk))
    return found[:limit]
