"""Booking, quota, rescheduling and cancelling, and the invitations they send (parsed with `icalendar`)."""

import datetime
import email

import pytest
from django.core import mail
from icalendar import Calendar

from r2dr.models import AuditEntry, Notification
from r2dr.roles import Role
from tests.workshops.helpers import availability, book, facilitator, programme_round, soon
from training.workshops.models import Booking, BookingStatus
from training.workshops.selectors.bookings import quota_use
from training.workshops.services.booking import BookingRefused, SlotTaken, booking_cancel, booking_reschedule

pytestmark = pytest.mark.django_db


def invitations(outbox):
    """Each invitation's calendar alternative and attachment, parsed; both must be the same invitation. (The
    notification e-mails, which carry no invitation, are left out.)"""
    found = []
    for message in outbox:
        if not any(mimetype.startswith("text/calendar") for _c, mimetype in getattr(message, "alternatives", [])):
            continue
        alternative = [c for c, mimetype in message.alternatives if mimetype.startswith("text/calendar")]
        attached = [a for a in message.attachments if a[0] == "invite.ics"]
        assert len(alternative) == 1 and len(attached) == 1
        assert Calendar.from_ical(alternative[0]).to_ical() == Calendar.from_ical(attached[0][1]).to_ical()
        found.append((message, Calendar.from_ical(attached[0][1])))
    return found


def calendar_part(message):
    """The `text/calendar` part of the message as a mail client reads it (parsed from the sent bytes)."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_content_charset() == "utf-8"
    return parts[0]


def event_of(calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_booking_sends_a_request_to_both_sides_and_is_audited(
    institution_a, make_member, django_capture_on_commit_callbacks
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    head = make_member(institution_a, Role.INSTITUTION_HEAD, email="head@a.example")
    start = soon()
    offered = availability(slots=[start])
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(
            institution_a, admin, offered, start, topic="indicator_data", description="Our first data collection"
        )
    assert booking.status == BookingStatus.BOOKED and booking.sequence == 0
    sent = invitations(mail.outbox)
    assert sorted(m.to[0] for m, _c in sent) == ["admin@a.example", "facilitator@apf.example"]
    for message, calendar in sent:
        assert str(calendar["method"]) == "REQUEST"
        assert message.message()["Content-Type"].startswith("multipart/mixed")
        assert calendar_part(message).get_param("method") == "REQUEST"
        event = event_of(calendar)
        assert str(event["uid"]) == booking.uid and int(event["sequence"]) == 0
        assert event.decoded("dtstart") == start and event.decoded("dtend") == start + datetime.timedelta(hours=1)
        assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in calendar.to_ical().decode()  # in UTC, no TZID needed
        assert str(event["organizer"]) == "mailto:facilitator@apf.example"
        assert str(event["attendee"]) == "mailto:admin@a.example"
        assert "dtstamp" in event
        assert "Our first data collection" not in calendar.to_ical().decode()  # the description stays on the page
    entry = AuditEntry.objects.for_institution(institution_a).get(action="workshop.booked")
    assert entry.object_ref == str(booking.pk) and entry.actor == admin
    # The colleague is told through the notification model; the one who booked is not told of their own act.
    assert list(Notification.objects.for_institution(institution_a).values_list("recipient__username", flat=True)) == [
        head.username
    ]


def test_reschedule_keeps_the_uid_and_raises_the_sequence_cancel_is_a_cancel(
    institution_a, make_member, django_capture_on_commit_callbacks
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    first, second = soon(days=3), soon(days=4)
    offered = availability(slots=[first, second])
    fran = offered.facilitator
    booking = book(institution_a, admin, offered, first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_reschedule(booking=booking, by=fran, starts_at=second, reason="Travel")
    moved = invitations(mail.outbox)
    assert {str(c["method"]) for _m, c in moved} == {"REQUEST"}
    for _message, calendar in moved:
        event = event_of(calendar)
        assert str(event["uid"]) == booking.uid and int(event["sequence"]) == 1
        assert event.decoded("dtstart") == second
    # The facilitator moved it: the institution is told through its notifications.
    assert Notification.objects.for_institution(institution_a).filter(recipient=admin).count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_cancel(booking=booking, by=admin, reason="We cannot make it")
    cancelled = invitations(mail.outbox)
    assert len(cancelled) == 2
    for message, calendar in cancelled:
        assert str(calendar["method"]) == "CANCEL"
        assert calendar_part(message).get_param("method") == "CANCEL"
        event = event_of(calendar)
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == booking.uid and int(event["sequence"]) == 2
    actions = list(AuditEntry.objects.for_institution(institution_a).order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["workshop.booked", "workshop.rescheduled", "workshop.cancelled"]
    # A cancelled slot is free again.
    assert book(institution_a, admin, offered, first).status == BookingStatus.BOOKED


def test_a_taken_single_seat_is_refused_with_the_next_free_slots(institution_a, institution_b, make_member):
    start, later = soon(days=3), soon(days=5)
    offered = availability(slots=[start, later])
    book(institution_a, make_member(institution_a, Role.INSTITUTION_ADMIN), offered, start)
    # The slot is still offered (it is full, not gone): the database refuses the seat.
    with pytest.raises(SlotTaken) as refused:
        book(institution_b, make_member(institution_b, Role.INSTITUTION_ADMIN), offered, start)
    assert "just taken" in str(refused.value)
    assert [slot.starts_at for _a, slot in refused.value.next_slots] == [later]


def test_a_clinic_takes_as_many_institutions_as_it_has_places(institution_a, institution_b, make_member):
    start = soon()
    clinic = availability(slots=[start], capacity=2)
    third = make_member(institution_a, Role.INSTITUTION_HEAD)
    seats = [
        book(institution_a, make_member(institution_a, Role.INSTITUTION_ADMIN), clinic, start).seat,
        book(institution_b, make_member(institution_b, Role.INSTITUTION_ADMIN), clinic, start).seat,
    ]
    assert seats == [1, 2]
    with pytest.raises(SlotTaken):
        book(institution_a, third, clinic, start)


def test_the_round_quota_is_enforced_per_institution(institution_a, institution_b, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    starts = [soon(days=d) for d in (3, 4, 5, 6)]
    offered = availability(round_=programme_round(quota=2), slots=starts)
    book(institution_a, admin, offered, starts[0])
    availability(round_=offered.programme_round, by=offered.facilitator, zone="Asia/Bangkok")  # a second one
    assert [(q["used"], q["quota"]) for q in quota_use(institution=institution_a)] == [(1, 2)]
    second = book(institution_a, admin, offered, starts[1])
    with pytest.raises(BookingRefused, match="all 2 one-on-one workshops"):
        book(institution_a, admin, offered, starts[2])
    # Another institution has its own quota; a cancellation gives one back.
    book(institution_b, make_member(institution_b, Role.INSTITUTION_ADMIN), offered, starts[2])
    booking_cancel(booking=second, by=admin, reason="Not needed")
    assert book(institution_a, admin, offered, starts[3]).status == BookingStatus.BOOKED


def test_notice_horizon_exceptions_and_buffers_limit_what_may_be_booked(institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    too_soon = soon(days=0) + datetime.timedelta(hours=2)
    too_far = soon(days=7 * 9)
    start = soon(days=3)
    offered = availability(
        slots=[too_soon, too_far, start, start + datetime.timedelta(hours=1)], buffer_after_minutes=15
    )
    for moment in (too_soon, too_far):
        with pytest.raises(BookingRefused, match="not offered"):
            book(institution_a, admin, offered, moment)
    book(institution_a, admin, offered, start)
    # The next slot starts when the first ends: the facilitator's 15 free minutes after it block it.
    with pytest.raises(BookingRefused, match="not offered"):
        book(institution_a, admin, offered, start + datetime.timedelta(hours=1))
    offered.exceptions.create(day=soon(days=5).astimezone(offered.zone).date())
    offered.one_off_slots.create(starts_at=soon(days=5), minutes=60)
    with pytest.raises(BookingRefused, match="not offered"):
        book(institution_a, admin, offered, soon(days=5))


def test_weekly_rules_keep_the_facilitators_wall_clock_across_daylight_saving(institution_a):
    from training.workshops.selectors.slots import slots_between

    # Sydney leaves daylight saving time on the first Sunday of April 2027 (5 April, 03:00 -> 02:00).
    offered = availability(zone="Australia/Sydney", rules=[(0, datetime.time(9), datetime.time(10), 60)])
    now = datetime.datetime(2027, 3, 20, tzinfo=datetime.UTC)
    slots = slots_between(availability=offered, start=now, end=now + datetime.timedelta(days=30), now=now)
    local = [s.starts_at.astimezone(offered.zone) for s in slots]
    assert [(m.date().isoformat(), m.hour) for m in local] == [
        ("2027-03-22", 9),
        ("2027-03-29", 9),
        ("2027-04-05", 9),
        ("2027-04-12", 9),
        ("2027-04-19", 9),
    ]
    assert {s.starts_at.astimezone(datetime.UTC).hour for s in slots} == {22, 23}  # the offset changed under it


def test_changes_close_at_the_cutoff_and_need_a_reason(institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    start, other = soon(days=3), soon(days=4)
    offered = availability(slots=[start, other])
    booking = book(institution_a, admin, offered, start)
    with pytest.raises(BookingRefused, match="reason"):
        booking_cancel(booking=booking, by=admin, reason=" ")
    late = start - datetime.timedelta(hours=2)
    with pytest.raises(BookingRefused, match="Changes close"):
        booking_reschedule(booking=booking, by=admin, starts_at=other, reason="Late", now=late)
    with pytest.raises(BookingRefused, match="Changes close"):
        booking_cancel(booking=booking, by=admin, reason="Late", now=late)
    assert Booking.objects.for_institution(institution_a).get().sequence == 0


def test_a_practice_institution_cannot_book(make_member):
    from tests.factories import InstitutionFactory

    practice = InstitutionFactory(slug="practice", is_practice=True)
    start = soon()
    with pytest.raises(BookingRefused, match="practice"):
        book(practice, facilitator(email="x@apf.example"), availability(slots=[start]), start)


def test_a_date_exception_takes_out_the_weekly_rules_slots_of_that_day(institution_a):
    from training.workshops.selectors.slots import slots_between

    offered = availability(zone="Europe/Copenhagen", rules=[(2, datetime.time(10), datetime.time(12), 60)])
    now = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    offered.exceptions.create(day=datetime.date(2027, 1, 13))  # a Wednesday
    days = {
        s.starts_at.astimezone(offered.zone).date().isoformat()
        for s in slots_between(availability=offered, start=now, end=now + datetime.timedelta(days=21), now=now)
    }
    assert days == {"2027-01-06", "2027-01-20"}
