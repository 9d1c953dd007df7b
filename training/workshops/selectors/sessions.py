"""Reads of session records: one booking's record (with attendees and actions), and the members who may be named
as attendees. The booking carries its institution, so each read is scoped to it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from training.workshops.models import Booking, FollowUpAction, SessionRecord


def session_record_of(*, booking: Booking) -> SessionRecord | None:
    return (
        SessionRecord.objects.for_institution(booking.institution_id)
        .prefetch_related("attendees", "actions")
        .filter(booking=booking)
        .first()
    )


def follow_up_of(*, record: SessionRecord, action_id: int) -> FollowUpAction:
    """One of the record's actions, or FollowUpAction.DoesNotExist."""
    return FollowUpAction.objects.for_institution(record.institution_id).get(session=record, pk=action_id)


def institution_members(*, booking: Booking) -> list[Any]:
    """The booking's institution's members, who may be named as attendees."""
    return list(
        get_user_model()
        .objects.filter(memberships__institution_id=booking.institution_id, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
