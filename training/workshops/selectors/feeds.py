"""Reads of calendar feeds: the feed a token opens, a member's working feed, and what a feed shows."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from r2dr.models import Institution
from training.workshops.models import Booking, BookingStatus, CalendarFeed, feed_token_hash

# A feed shows what is coming and what just passed; calendars keep what they already fetched.
FEED_PAST_DAYS = 90


def feed_for_token(*, token: str) -> CalendarFeed | None:
    """The working feed the token opens, or None (unknown, revoked, or its member's account disabled)."""
    if not token:
        return None
    return (
        CalendarFeed.objects.select_related("user", "institution")
        .filter(token_hash=feed_token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def working_feed(*, user: Any, institution: Institution | None = None) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, institution=institution, revoked_at__isnull=True).first()


def feed_bookings(*, feed: CalendarFeed) -> list[Booking]:
    """The active bookings the feed shows: its institution's, or (a facilitator's feed) the facilitator's own,
    from FEED_PAST_DAYS ago on."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    if feed.institution_id is not None:
        bookings = Booking.objects.for_institution(feed.institution_id)
    else:
        bookings = Booking.objects.regional().filter(facilitator_id=feed.user_id)
    return list(
        bookings.filter(status=BookingStatus.BOOKED, starts_at__gte=since)
        .select_related("institution")
        .order_by("starts_at", "pk")
    )
