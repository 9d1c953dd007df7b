"""Calendar feeds: issued, revoked, and ended with the membership that entitled them (an offboarding step).

A feed's token is shown once, when issued; only its SHA-256 is stored. Issuing a new feed revokes the member's
earlier one for the same calendar, so a member holds at most one working link per calendar."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from r2dr.audit import audit_append
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from training.workshops.models import CalendarFeed, feed_token_hash

BOOKERS = frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD})


def _revoke(feeds: QuerySet[CalendarFeed]) -> int:
    return feeds.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_issue(*, user: Any, institution: Institution | None = None) -> tuple[CalendarFeed, str]:
    """A new feed of the facilitator's bookings (`institution` None) or of the institution's, for `user`; returns
    the feed and its token (never stored). The member's earlier feed of that calendar stops working."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _revoke(CalendarFeed.objects.select_for_update().filter(user=user, institution=institution))
        feed = CalendarFeed.objects.create(user=user, institution=institution, token_hash=feed_token_hash(token))
        if institution is not None:
            audit_append(
                institution=institution,
                action="workshops.feed_issue",
                actor=user,
                object_type="calendar_feed",
                object_ref=feed.pk,
            )
    return feed, token


def calendar_feed_revoke(*, user: Any, institution: Institution | None = None) -> int:
    """Revoke the member's feed of that calendar; the number revoked (0 or 1)."""
    with transaction.atomic():
        revoked = _revoke(CalendarFeed.objects.filter(user=user, institution=institution))
        if revoked and institution is not None:
            audit_append(
                institution=institution, action="workshops.feed_revoke", actor=user, object_type="calendar_feed"
            )
    return revoked


def calendar_feeds_offboard(*, membership: Membership, by: Any) -> None:
    """Offboarding step: a member who no longer holds a role entitling a calendar loses its feeds (a facilitator's
    own, without the facilitator role; an institution's, without a booking role there)."""
    held = Membership.objects.filter(user_id=membership.user_id)
    if membership.institution_id is None:
        if membership.role == Role.FACILITATOR and not held.filter(role=Role.FACILITATOR).exists():
            _revoke(CalendarFeed.objects.filter(user_id=membership.user_id, institution__isnull=True))
        return
    if (
        membership.role in BOOKERS
        and not held.filter(institution_id=membership.institution_id, role__in=sorted(BOOKERS)).exists()
    ):
        _revoke(CalendarFeed.objects.filter(user_id=membership.user_id, institution_id=membership.institution_id))
