"""Demo data of workshops: a programme round around today, the demo facilitator's weekly availability (in
Australia/Sydney, so the booking pages show two zones), one upcoming workshop booked by Komnas HAM's admin, one
past workshop of Komnas HAM recorded with notes and an overdue follow-up action, and an open technical-assistance
request from NHRCT. The dates move with today's; run again, it adds nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from r2dr.demo import demo_email, demo_user
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from training.workshops.models import (
    AssistanceRequest,
    AssistanceStatus,
    Availability,
    Booking,
    BookingStatus,
    Mode,
    ProgrammeRound,
    SessionRecord,
    Weekday,
    WeeklyRule,
)
from training.workshops.selectors.slots import free_slots, open_availability
from training.workshops.services.assistance import assistance_request_open
from training.workshops.services.availability import availability_save, weekly_rule_add
from training.workshops.services.booking import booking_create
from training.workshops.services.sessions import follow_up_add, session_record_save

ROUND_TITLE = "HRD programme (demo)"
AVAILABILITY_TITLE = "One-on-one workshops with APF"
# (weekday, from, until) in the facilitator's zone, hour-long slots.
RULES = [
    (Weekday.TUESDAY, datetime.time(10), datetime.time(13)),
    (Weekday.THURSDAY, datetime.time(14), datetime.time(17)),
]
BOOKED_AHEAD = datetime.timedelta(days=7)
HELD_AGO = datetime.timedelta(days=12)


def _availability(facilitator, programme_round: ProgrammeRound) -> Availability:
    existing = Availability.objects.filter(facilitator=facilitator, title=AVAILABILITY_TITLE).first()
    if existing is not None:
        if existing.programme_round_id != programme_round.pk:
            existing.programme_round = programme_round
            existing.save(update_fields=["programme_round"])
        return existing
    availability = availability_save(
        availability=Availability(
            programme_round=programme_round,
            title=AVAILABILITY_TITLE,
            time_zone="Australia/Sydney",
            buffer_after_minutes=15,
            mode=Mode.ONLINE,
            meeting_link="https://meet.example/apf-workshops",
        ),
        by=facilitator,
    )
    for weekday, start, end in RULES:
        weekly_rule_add(availability=availability, rule=WeeklyRule(weekday=weekday, start=start, end=end))
    return availability


def _next_free_start(availability: Availability) -> datetime.datetime:
    slots = free_slots(availabilities=[open_availability(availability_id=availability.pk)], limit=40)
    return next(slot.starts_at for _a, slot in slots if slot.starts_at >= timezone.now() + BOOKED_AHEAD)


def _past_session(komnas: Institution, availability: Availability, facilitator) -> None:
    if SessionRecord.objects.for_institution(komnas).exists():
        return
    admin = demo_user(demo_email("admin", komnas.slug))
    booking = booking_create(
        institution=komnas,
        by=admin,
        availability_id=availability.pk,
        starts_at=_next_free_start(availability),
        topic="platform",
        description="Getting our data officers started on the platform.",
        language="id",
    )
    # Booking refuses the past, so the demo books a free slot and moves it back: a workshop that took place.
    moved = booking.starts_at - (booking.starts_at - timezone.now()).days * datetime.timedelta(days=1) - HELD_AGO
    Booking.objects.for_institution(komnas).filter(pk=booking.pk).update(
        starts_at=moved, ends_at=moved + (booking.ends_at - booking.starts_at)
    )
    booking.refresh_from_db()
    record = session_record_save(
        booking=booking,
        by=facilitator,
        # The admin, when the demo's institutions have their members (r2dr's demo seeds them).
        attendee_ids=list(
            Membership.objects.filter(institution=komnas, user=admin).values_list("user_id", flat=True).distinct()
        ),
        other_attendees=3,
        shared_note="We set up the data officers' accounts and walked through entering an indicator value.",
        private_note="Ask next time whether the reviewer role is filled.",
    )
    follow_up_add(
        record=record,
        by=facilitator,
        what="Send the list of data officers who need an account",
        who="Komnas HAM admin",
        due_on=timezone.now().date() - datetime.timedelta(days=3),
    )


def _open_request(nhrct: Institution) -> None:
    if AssistanceRequest.objects.for_institution(nhrct).exclude(status=AssistanceStatus.CLOSED).exists():
        return
    assistance_request_open(
        institution=nhrct,
        by=demo_user(demo_email("admin", nhrct.slug)),
        topic="report_writing",
        description="Could you review the outline of our annual report on human rights defenders?",
    )


def seed(*, scale: int = 0, stdout=None) -> None:
    today = timezone.now().date()
    programme_round, _created = ProgrammeRound.objects.update_or_create(
        title=ROUND_TITLE,
        defaults={
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=300),
            "workshop_quota": 2,
        },
    )
    facilitator = demo_user("facilitator@apf.example")
    Membership.objects.get_or_create(user=facilitator, institution=None, role=Role.FACILITATOR)
    availability = _availability(facilitator, programme_round)

    komnas = Institution.objects.get(slug="komnas-ham")
    _past_session(komnas, availability, facilitator)
    nhrct = Institution.objects.filter(slug="nhrct").first()
    if nhrct is not None:
        _open_request(nhrct)
    upcoming = Booking.objects.for_institution(komnas).filter(
        availability=availability, status=BookingStatus.BOOKED, starts_at__gt=timezone.now()
    )
    if not upcoming.exists():
        admin = demo_user(demo_email("admin", komnas.slug))
        booking_create(
            institution=komnas,
            by=admin,
            availability_id=availability.pk,
            starts_at=_next_free_start(availability),
            topic="indicator_data",
            description="Our first monitoring cycle: how to document the outcome indicators for area 3.",
            language="id",
        )
    if stdout:
        stdout.write(
            f"  workshops: “{programme_round}”, {facilitator.email}'s availability (Australia/Sydney), "
            f"{upcoming.count()} upcoming workshop of Komnas HAM, one past workshop recorded, an open TA request"
        )
