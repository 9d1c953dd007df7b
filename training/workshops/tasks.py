"""Celery task of workshops: the invitation e-mails of a booking, after the change that caused them committed."""

from __future__ import annotations

from django.core.mail import get_connection

from r2dr.celery import RetryingTask, app
from training.workshops.invitations import booking_emails
from training.workshops.models import Booking


@app.task(base=RetryingTask)
def booking_invitations_send(*, institution_id: int, booking_id: int, sequence: int) -> int:
    """Send the invitations of the booking as it stands, unless a later change (a higher sequence) superseded
    this one: that change's task sends them. Run twice it sends the same UID and SEQUENCE twice, which calendars
    treat as one event."""
    booking = (
        Booking.objects.for_institution(institution_id)
        .select_related("institution", "availability", "facilitator", "booked_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.sequence != sequence:
        return 0
    messages = booking_emails(booking)
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
