"""Writes on a cycle as a whole: opening it, assigning the work, publishing it.

A cycle is published by the institution head once every covered area is approved; published cycles are final
(no reopening) and become visible to regional selectors."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import selectors
from indicators.models import Area, Cycle, CycleArea, Indicator, MonitoringRound, Value
from indicators.services._common import TransitionError, cycle_event_create, user_roles
from r2dr.models import Institution, Membership
from r2dr.roles import Role


def _check_assignment(
    institution: Institution | int, reviewer: User | None, respondents: dict[str, list[User]]
) -> None:
    if reviewer is None:
        raise ValidationError({"reviewer": _("Choose a reviewer.")})
    if Role.REVIEWER not in user_roles(reviewer, institution) and Role.INSTITUTION_HEAD not in user_roles(
        reviewer, institution
    ):
        raise ValidationError({"reviewer": _("The reviewer must hold the reviewer or head role in this institution.")})
    staff_ids = set(
        Membership.objects.filter(
            institution=institution,
            role__in=[Role.DATA_OFFICER, Role.REVIEWER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN],
        ).values_list("user_id", flat=True)
    )
    for users in respondents.values():
        for user in users:
            if user.pk == reviewer.pk:
                raise ValidationError({"reviewer": _("The reviewer cannot also be a respondent.")})
            if user.pk not in staff_ids:
                raise ValidationError(_("Respondents must be staff of this institution."))


@transaction.atomic
def cycle_open(
    *,
    institution: Institution,
    by: User,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    due_date: datetime.date,
    area_codes: list[str],
    reviewer: User | None,
    respondents: dict[str, list[User]],
    monitoring_round: MonitoringRound | None = None,
) -> Cycle:
    """Open a cycle (in a round, or off-round on the latest published framework) with empty values."""
    if not user_roles(by, institution) & {Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}:
        raise PermissionDenied(_("Only the institution head or admin opens a cycle."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if monitoring_round is not None:
        if not monitoring_round.is_open:
            raise ValidationError(_("This monitoring round is closed."))
        if Cycle.objects.for_institution(institution).filter(round=monitoring_round).exists():
            raise ValidationError(_("Your institution already has a cycle in this round."))
        version = monitoring_round.version
    else:
        published = selectors.published_version()
        if published is None:
            raise ValidationError(_("No published framework version exists."))
        version = published
    areas = list(Area.objects.filter(version=version, code__in=area_codes))
    if not areas:
        raise ValidationError({"areas": _("Choose at least one area.")})
    _check_assignment(institution, reviewer, respondents)
    cycle = Cycle.objects.create(
        institution=institution,
        round=monitoring_round,
        version=version,
        title=title,
        period_start=period_start,
        period_end=period_end,
        due_date=due_date,
        reviewer=reviewer,
        created_by=by,
    )
    for area in areas:
        cycle_area = CycleArea.objects.create(institution=institution, cycle=cycle, area=area)
        cycle_area.respondents.set(respondents.get(area.code, []))
        Value.objects.bulk_create(
            [
                Value(institution=institution, cycle=cycle, cycle_area=cycle_area, indicator=indicator)
                for indicator in Indicator.objects.filter(attribute__area=area, is_retired=False)
            ]
        )
    cycle_event_create(cycle=cycle, action="open", by=by, note=title)
    return cycle


@transaction.atomic
def cycle_assign(*, cycle: Cycle, by: User, reviewer: User | None, respondents: dict[str, list[User]]) -> Cycle:
    if not user_roles(by, cycle.institution) & {Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}:
        raise PermissionDenied(_("Only the institution head or admin assigns the work."))
    if cycle.is_published:
        raise TransitionError(_("A published cycle cannot be changed."))
    _check_assignment(cycle.institution, reviewer, respondents)
    cycle.reviewer = reviewer
    cycle.save(update_fields=["reviewer"])
    for cycle_area in cycle.areas.select_related("area"):
        cycle_area.respondents.set(respondents.get(cycle_area.area.code, []))
    cycle_event_create(cycle=cycle, action="assign", by=by)
    return cycle


@transaction.atomic
def cycle_publish(*, cycle: Cycle, by: User) -> Cycle:
    cycle = Cycle.objects.for_institution(cycle.institution_id).select_for_update().get(pk=cycle.pk)
    if Role.INSTITUTION_HEAD not in user_roles(by, cycle.institution_id):
        raise PermissionDenied(_("Only the institution head publishes a cycle."))
    if cycle.is_published:
        raise TransitionError(_("This cycle is already published."))
    pending = [ca.area.code for ca in cycle.areas.select_related("area") if ca.status != CycleArea.Status.APPROVED]
    if pending:
        raise TransitionError(
            _("Every area must be approved first (pending: %(areas)s).") % {"areas": ", ".join(pending)}
        )
    cycle.status = Cycle.Status.PUBLISHED
    cycle.published_at = timezone.now()
    cycle.published_by = by
    cycle.save(update_fields=["status", "published_at", "published_by"])
    cycle_event_create(cycle=cycle, action="publish", by=by)
    return cycle
