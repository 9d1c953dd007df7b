"""Demo data of workshops: a programme round around today, the demo facilitator's weekly availability (in
Australia/Sydney, so the booking pages show two zones), and one upcoming workshop booked by Komnas HAM's admin.
The dates move with today's; run again, it adds nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from r2dr.demo import demo_email, demo_user
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from training.workshops.models import Availability, Booking, BookingStatus, Mode, ProgrammeRound, Weekday, WeeklyRule
from training.workshops.selectors.slots import free_slots, open_availability
from training.workshops.services.availability import availability_save, weekly_rule_add
from training.workshops.services.booking import booking_create

ROUND_TITLE = "HRD programme (demo)"
AVAILABILITY_TITLE = "One-on-one workshops with APF"
# (weekday, from, until) in the facilitator's zone, hour-long slots.
RULES = [
    (Weekday.TUESDAY, datetime.time(10), datetime.time(13)),
    (Weekday.THURSDAY, datetime.time(14), datetime.time(17)),
]
BOOKED_AHEAD = datetime.timedelta(days=7)


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
    upcoming = Booking.objects.for_institution(komnas).filter(
        availability=availability, status=BookingStatus.BOOKED, starts_at__gt=timezone.now()
    )
    if not upcoming.exists():
        admin = demo_user(demo_email("admin", komnas.slug))
        slots = free_slots(availabilities=[open_availability(availability_id=availability.pk)], limit=40)
        start = next(slot.starts_at for _a, slot in slots if slot.starts_at >= timezone.now() + BOOKED_AHEAD)
        booking_create(
            institution=komnas,
            by=admin,
            availability_id=availability.pk,
            starts_at=start,
            topic="indicator_data",
            description="Our first monitoring cycle: how to document the outcome indicators for area 3.",
            language="id",
        )
    if stdout:
        stdout.write(
            f"  workshops: “{programme_round}”, {facilitator.email}'s availability (Australia/Sydney), "
            f"{upcoming.count()} upcoming workshop of Komnas HAM"
        )
