"""iCalendar invitations of bookings (RFC 5545/5546, built with `icalendar`), and the e-mails that carry them.

One UID per booking for its whole life; SEQUENCE is the booking's, raised by every reschedule and by the
cancellation, so calendars replace the event instead of adding a second one. A cancellation is METHOD:CANCEL with
STATUS:CANCELLED: sent as a REQUEST (Cal.com's bug) it leaves the event in the attendee's calendar. Times are in
UTC, which every client converts to its own zone; the text of the e-mail names each reader's zone."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from r2dr.moments import moment_text
from training.workshops.models import Booking, BookingStatus, Mode


def _address(email: str, name: str, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name or email)
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("ACCEPTED")
    return address


def summary(booking: Booking) -> str:
    """What calendars show: "Workshop: <topic>, <institution>" (nothing from the description)."""
    return _("Workshop: %(topic)s, %(institution)s") % {
        "topic": booking.get_topic_display(),
        "institution": booking.institution.tr("short_name") or booking.institution.tr("name"),
    }


def booking_method(booking: Booking) -> str:
    return "REQUEST" if booking.status == BookingStatus.BOOKED else "CANCEL"


def booking_ics(booking: Booking, *, now: datetime.datetime | None = None) -> bytes:
    """The booking's invitation as it stands: a REQUEST while booked, a CANCEL once cancelled."""
    method = booking_method(booking)
    calendar = Calendar()
    calendar.add("prodid", "-//r2dr//workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", booking.starts_at.astimezone(datetime.UTC))
    event.add("dtend", booking.ends_at.astimezone(datetime.UTC))
    event.add("summary", summary(booking))
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    availability = booking.availability
    if availability.mode == Mode.IN_PERSON and availability.place:
        event.add("location", availability.place)
    elif availability.meeting_link:
        event.add("location", availability.meeting_link)
        event.add("url", availability.meeting_link)
    event.add("description", _("Booked in r2dr: %(url)s") % {"url": booking_url(booking)})
    facilitator = booking.facilitator
    event.add("organizer", _address(facilitator.email, facilitator.get_full_name()))
    if booking.booked_by is not None and booking.booked_by.email:
        attendee = booking.booked_by
        event.add("attendee", _address(attendee.email, attendee.get_full_name(), "REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()


def booking_url(booking: Booking) -> str:
    return settings.R2DR_SITE_URL + reverse(
        "workshops_booking", kwargs={"institution_slug": booking.institution.slug, "booking_id": booking.pk}
    )


def moment_in(value: datetime.datetime, zone_name: str) -> str:
    """`value` as a reader in `zone_name` reads it, named by the zone: "Asia/Jakarta: 1 Dec 2026, 15:04 WIB"."""
    with timezone.override(zoneinfo.ZoneInfo(zone_name)):
        return f"{zone_name}: {moment_text(value)}"


def _body(booking: Booking, *, own_zone: str, other_zone: str, link: str) -> str:
    if booking.status == BookingStatus.BOOKED:
        if booking.sequence == 0:
            opening = _("A workshop is booked.")
        else:
            opening = _("A workshop has moved to a new time.")
    else:
        opening = _("A workshop is cancelled.")
    lines = [opening, "", summary(booking), ""]
    lines.append(_("Starts: %(moment)s") % {"moment": moment_in(booking.starts_at, own_zone)})
    if other_zone != own_zone:
        lines.append(_("Also: %(moment)s") % {"moment": moment_in(booking.starts_at, other_zone)})
    lines.append(_("Ends: %(moment)s") % {"moment": moment_in(booking.ends_at, own_zone)})
    if booking.change_reason and booking.sequence:
        lines += ["", _("Reason given: %(reason)s") % {"reason": booking.change_reason}]
    lines += ["", _("Details, changes and cancellation: %(url)s") % {"url": link}, ""]
    lines.append(_("The attached invitation updates your calendar."))
    return "\n".join(lines)


def booking_emails(booking: Booking, *, now: datetime.datetime | None = None) -> list[EmailMultiAlternatives]:
    """The invitation e-mails of the booking as it stands: one to the person who booked (in their institution's
    zone and the booking's language), one to the facilitator (in the availability's zone). Each has the invitation twice, as
    calendars expect: a `text/calendar; method=...` alternative and an `invite.ics` attachment."""
    ics = booking_ics(booking, now=now)
    method = booking_method(booking)
    institution_zone = booking.institution.time_zone
    facilitator_zone = booking.availability.time_zone
    facilitator_link = settings.R2DR_SITE_URL + reverse(
        "workshops_facilitator_booking", kwargs={"booking_id": booking.pk}
    )
    recipients = []
    if booking.booked_by is not None and booking.booked_by.email:
        language = booking.language or settings.LANGUAGE_CODE
        recipients.append((booking.booked_by.email, institution_zone, facilitator_zone, booking_url(booking), language))
    if booking.facilitator.email:
        recipients.append(
            (booking.facilitator.email, facilitator_zone, institution_zone, facilitator_link, settings.LANGUAGE_CODE)
        )
    messages = []
    for address, own_zone, other_zone, link, language in recipients:
        with translation.override(language):
            subject = summary(booking)
            if method == "CANCEL":
                subject = _("Cancelled: %(summary)s") % {"summary": subject}
            message = EmailMultiAlternatives(
                subject=subject,
                body=_body(booking, own_zone=own_zone, other_zone=other_zone, link=link),
                to=[address],
            )
        message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
        message.attach("invite.ics", ics, "application/ics")
        messages.append(message)
    return messages


def feed_ics(bookings: list[Booking], *, name: str, now: datetime.datetime | None = None) -> bytes:
    """A subscribable calendar of `bookings`: per event only its time, UID, SEQUENCE and the summary "Workshop:
    <topic>, <institution>" (no description, attendees or link: a feed's address may be shared, or leaked)."""
    calendar = Calendar()
    calendar.add("prodid", "-//r2dr//workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    for booking in bookings:
        event = Event()
        event.add("uid", booking.uid)
        event.add("sequence", booking.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.starts_at.astimezone(datetime.UTC))
        event.add("dtend", booking.ends_at.astimezone(datetime.UTC))
        event.add("summary", summary(booking))
        calendar.add_component(event)
    return calendar.to_ical()
