"""Records of held workshops: attendance, the note shared with the institution, the facilitator's private note,
and follow-up actions, with one reminder to the institution's bookers once an action is overdue."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from r2dr.audit import audit_append
from r2dr.models import Membership
from r2dr.notifications.services import notifications_create
from training.workshops.models import Booking, FollowUpAction, SessionRecord
from training.workshops.services.notify import BOOKERS, FOLLOW_UP_OVERDUE


class SessionRefused(Exception):
    """The record cannot be saved as asked; the message says why, for the facilitator."""


def _audit(record: SessionRecord, action: str, by: Any, detail: dict[str, Any]) -> None:
    # The institution reads its audit log: the entry carries counts and ids, never a note's text.
    audit_append(
        institution=record.institution,
        action=action,
        actor=by,
        object_type="workshop_session",
        object_ref=record.booking_id,
        detail=detail,
    )


def session_record_save(
    *,
    booking: Booking,
    by: Any,
    attendee_ids: list[int],
    other_attendees: int,
    shared_note: str,
    private_note: str,
    now: datetime.datetime | None = None,
) -> SessionRecord:
    """Create or replace the record of a held workshop. Attendees must be members of the booking's institution."""
    now = now or timezone.now()
    if not booking.active or booking.starts_at > now:
        raise SessionRefused(_("Only a workshop that took place can be recorded."))
    members = set(
        Membership.objects.filter(institution_id=booking.institution_id, user_id__in=attendee_ids).values_list(
            "user_id", flat=True
        )
    )
    if members != set(attendee_ids):
        raise SessionRefused(_("Choose attendees among the institution's members."))
    with transaction.atomic():
        record, created = SessionRecord.objects.for_institution(booking.institution_id).update_or_create(
            booking=booking,
            defaults={
                "institution_id": booking.institution_id,
                "other_attendees": other_attendees,
                "shared_note": shared_note,
                "private_note": private_note,
                "recorded_by": by,
                "recorded_at": now,
            },
        )
        record.attendees.set(sorted(members))
        _audit(
            record,
            "workshop.session_recorded" if created else "workshop.session_changed",
            by,
            {"attendees": len(members), "other_attendees": other_attendees},
        )
    return record


def follow_up_add(*, record: SessionRecord, by: Any, what: str, who: str, due_on: datetime.date) -> FollowUpAction:
    if not what.strip() or not who.strip():
        raise SessionRefused(_("Say what is to be done and by whom."))
    with transaction.atomic():
        action = FollowUpAction.objects.create(
            institution_id=record.institution_id, session=record, what=what, who=who, due_on=due_on
        )
        _audit(record, "workshop.follow_up_added", by, {"action": action.pk, "due_on": due_on.isoformat()})
    return action


def follow_up_done(*, action: FollowUpAction, by: Any) -> None:
    with transaction.atomic():
        done = FollowUpAction.objects.for_institution(action.institution_id).filter(pk=action.pk, done_at=None)
        if done.update(done_at=timezone.now()):
            _audit(action.session, "workshop.follow_up_done", by, {"action": action.pk})


def follow_ups_remind_overdue(*, now: datetime.datetime | None = None) -> int:
    """Remind the institution's bookers of each open action past its due day, once (regional: the daily task works
    for every institution). Safe to run twice: an action is claimed by setting `reminded_at` before it is told."""
    now = now or timezone.now()
    overdue = list(
        FollowUpAction.objects.regional()
        .filter(done_at=None, reminded_at=None, due_on__lt=now.date())
        .select_related("institution", "session")
    )
    sent = 0
    for action in overdue:
        with transaction.atomic():
            claimed = FollowUpAction.objects.for_institution(action.institution_id).filter(
                pk=action.pk, reminded_at=None
            )
            if not claimed.update(reminded_at=now):
                continue  # another run reminded it
            recipients = Membership.objects.filter(
                institution_id=action.institution_id, role__in=sorted(BOOKERS)
            ).values_list("user_id", flat=True)
            link = reverse(
                "workshops_booking",
                kwargs={"institution_slug": action.institution.slug, "booking_id": action.session.booking_id},
            )
            notifications_create(
                institution=action.institution, kind=FOLLOW_UP_OVERDUE, recipients=list(recipients), link=link
            )
            sent += 1
    return sent
