"""The facilitator's writes: programme rounds, availability and its weekly rules, one-off slots and date
exceptions. Existing bookings are never moved by an edit: a removed rule only stops offering new slots."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from training.workshops.models import Availability, DateException, OneOffSlot, ProgrammeRound, WeeklyRule


def programme_round_create(
    *, title: str, starts_on: datetime.date, ends_on: datetime.date, quota: int
) -> ProgrammeRound:
    programme_round = ProgrammeRound(title=title, starts_on=starts_on, ends_on=ends_on, workshop_quota=quota)
    programme_round.full_clean()
    programme_round.save()
    return programme_round


def availability_save(*, availability: Availability, by: Any) -> Availability:
    """Create or update the facilitator's availability (validated by its form)."""
    if availability.pk is None:
        availability.facilitator = by
    availability.full_clean()
    availability.save()
    return availability


def weekly_rule_add(*, availability: Availability, rule: WeeklyRule) -> WeeklyRule:
    rule.availability = availability
    rule.full_clean()
    rule.save()
    return rule


def one_off_slot_add(*, availability: Availability, starts_at: datetime.datetime, minutes: int) -> OneOffSlot:
    slot = OneOffSlot(availability=availability, starts_at=starts_at, minutes=minutes)
    slot.full_clean()
    slot.save()
    return slot


def date_exception_add(*, availability: Availability, day: datetime.date) -> DateException:
    exception, _created = DateException.objects.get_or_create(availability=availability, day=day)
    return exception


def availability_part_remove(*, availability: Availability, part: str, part_id: int) -> int:
    """Remove one weekly rule, one-off slot or date exception of the availability; how many rows went (0 or 1)."""
    model: Any = {"rule": WeeklyRule, "slot": OneOffSlot, "exception": DateException}.get(part)
    if model is None:
        return 0
    manager = model.objects.filter(availability=availability)
    with transaction.atomic():
        deleted, _by_model = manager.filter(pk=part_id).delete()
    return deleted
