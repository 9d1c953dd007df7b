"""Builders of workshop tests: a round, a facilitator (a regional membership) and an availability."""

import datetime

from django.utils import timezone

from r2dr.models import Membership
from r2dr.roles import Role
from tests.factories import UserFactory
from training.workshops.models import Availability, OneOffSlot, ProgrammeRound, WeeklyRule


def facilitator(email="facilitator@apf.example", name="Fran"):
    user = UserFactory(username=email, first_name=name, last_name="Facilitator")
    Membership.objects.get_or_create(user=user, institution=None, role=Role.FACILITATOR)
    return user


def programme_round(quota=2):
    today = timezone.now().date()
    return ProgrammeRound.objects.create(
        title="HRD programme", starts_on=today, ends_on=today + datetime.timedelta(days=365), workshop_quota=quota
    )


def soon(days=3, hour=None):
    """A whole hour a few days from now (past any minimum notice), UTC."""
    moment = (timezone.now() + datetime.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=hour) if hour is not None else moment


def availability(*, by=None, round_=None, zone="Europe/Copenhagen", capacity=1, slots=(), rules=(), **extra):
    """An open availability; `slots`: one-off starts (aware); `rules`: (weekday, start, end, minutes)."""
    created = Availability.objects.create(
        facilitator=by or facilitator(),
        programme_round=round_ or programme_round(),
        title=f"Workshops {zone}",
        time_zone=zone,
        capacity=capacity,
        meeting_link="https://meet.example/room",
        **extra,
    )
    for start in slots:
        OneOffSlot.objects.create(availability=created, starts_at=start, minutes=60)
    for weekday, start, end, minutes in rules:
        WeeklyRule.objects.create(availability=created, weekday=weekday, start=start, end=end, slot_minutes=minutes)
    return created


def book(institution, user, offered, start, *, topic="platform", description="Our data entry", language="en", **extra):
    """Book the availability's slot at `start` through the service, as the booking page does."""
    from training.workshops.services.booking import booking_create

    return booking_create(
        institution=institution,
        by=user,
        availability_id=offered.pk,
        starts_at=start,
        topic=topic,
        description=description,
        language=language,
        **extra,
    )
