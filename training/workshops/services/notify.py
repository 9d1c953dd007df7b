"""What a booking's change tells people: the institution's members through the platform's notifications (no
content: the kind and a link), and both sides through the invitation e-mails, queued once the change commits."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from r2dr.models import Membership
from r2dr.notifications import NotificationKind
from r2dr.notifications.services import notifications_create
from r2dr.roles import Role
from training.workshops import tasks
from training.workshops.models import Booking

BOOKING_CHANGED = "workshops.booking"
FOLLOW_UP_OVERDUE = "workshops.follow_up_overdue"
BOOKERS = frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD})

NOTIFICATION_KINDS = [
    NotificationKind(
        key=BOOKING_CHANGED,
        label=_("Workshop booked, moved or cancelled"),
        description=_(
            "When a workshop of your institution is booked, moved or cancelled, by a facilitator or a colleague"
        ),
        roles=BOOKERS,
    ),
    NotificationKind(
        key=FOLLOW_UP_OVERDUE,
        label=_("Workshop follow-up overdue"),
        description=_("When an action agreed at one of your institution's workshops is past its due date"),
        roles=BOOKERS,
    ),
]


def booking_changed_notify(*, booking: Booking, by: object) -> None:
    """Tell the institution's bookers (the person who booked among them) of the change, except whoever made it;
    queue both sides' invitation e-mails for after the commit. Joins the caller's transaction."""
    recipients = set(
        Membership.objects.filter(institution_id=booking.institution_id, role__in=sorted(BOOKERS)).values_list(
            "user_id", flat=True
        )
    )
    if booking.booked_by_id:
        recipients.add(booking.booked_by_id)
    recipients.discard(getattr(by, "pk", None))
    link = reverse("workshops_booking", kwargs={"institution_slug": booking.institution.slug, "booking_id": booking.pk})
    notifications_create(institution=booking.institution, kind=BOOKING_CHANGED, recipients=recipients, link=link)
    institution_id, booking_id, sequence = booking.institution_id, booking.pk, booking.sequence
    # Robust: the booking is committed; a broker that is down must not undo it for the person booking.
    transaction.on_commit(
        lambda: tasks.booking_invitations_send.delay(
            institution_id=institution_id, booking_id=booking_id, sequence=sequence
        ),
        robust=True,
    )
