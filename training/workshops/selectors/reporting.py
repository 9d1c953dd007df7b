"""APF programme reporting: workshops held per institution and topic (regional, for facilitators)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from training.workshops.models import Booking, BookingStatus, Topic


def sessions_held(
    *, since: datetime.date | None = None, until: datetime.date | None = None, now: datetime.datetime | None = None
) -> list[dict]:
    """One row per institution and topic: workshops held (booked, ended by `now`), of them recorded, and the
    attendance recorded (members named plus others). `since`/`until` bound the start day, both included."""
    now = now or timezone.now()
    held = Booking.objects.regional().filter(status=BookingStatus.BOOKED, ends_at__lte=now)
    if since:
        held = held.filter(starts_at__date__gte=since)
    if until:
        held = held.filter(starts_at__date__lte=until)
    # One row per booking (members counted per session, so a member at two sessions counts twice), summed here:
    # summing `other_attendees` over the attendees' join would multiply it.
    per_booking = held.values(
        "pk", "institution__name", "topic", "session_record__pk", "session_record__other_attendees"
    ).annotate(members=Count("session_record__attendees"))
    labels = dict(Topic.choices)
    totals: dict[tuple[str, str], dict] = {}
    for row in per_booking:
        key = (row["institution__name"], row["topic"])
        total = totals.setdefault(
            key,
            {"institution": key[0], "topic": str(labels.get(key[1], key[1])), "held": 0, "recorded": 0, "attendees": 0},
        )
        total["held"] += 1
        if row["session_record__pk"] is not None:
            total["recorded"] += 1
            total["attendees"] += row["members"] + row["session_record__other_attendees"]
    return [totals[key] for key in sorted(totals)]
