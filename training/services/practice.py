"""Module 3 is practised on the platform itself: each cohort gets a practice institution (r2dr's
`Institution.is_practice`: in no public, regional or receipt path, no cases) with one practice monitoring cycle
on the published framework, which its trainees fill in, with sources, through the real data-entry pages.

The facilitator who opens it heads it (so they review and return the trainees' work); every trainee of the cohort
is a data officer there, and nothing more, answering for one area of the cycle (areas are dealt out in turn, so
each trainee fills in part of it). Trainees enrolled later join the area with the fewest respondents."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from indicators.models import Cycle, CycleArea
from indicators.selectors import published_version
from indicators.services import cycle_open
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from r2dr.services import membership_grant, membership_revoke, practice_institution_create
from training.models import Cohort, Enrolment, EnrolmentStatus
from training.services.errors import TrainingRefused

LANGUAGES = ["en", "id", "th"]


def _practice_cycle(institution: Institution) -> Cycle | None:
    return Cycle.objects.for_institution(institution).order_by("pk").first()


@transaction.atomic
def cohort_practice_open(*, cohort: Cohort, by: Any) -> Institution:
    """Create the cohort's practice institution and cycle (once: a second call returns the first)."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.practice_institution is not None:
        return cohort.practice_institution
    version = published_version()
    if version is None:
        raise TrainingRefused(_("No published framework version exists to practise on."))
    institution = practice_institution_create(
        name=_("Practice institution · %(cohort)s") % {"cohort": cohort.title},
        slug=f"practice-{cohort.pk}",
        time_zone=cohort.time_zone,
        languages=LANGUAGES,
        by=by,
    )
    membership_grant(user=by, role=Role.INSTITUTION_HEAD, institution=institution)
    cohort.practice_institution = institution
    cohort.save(update_fields=["practice_institution"])

    learners = [
        e.user
        for e in Enrolment.objects.regional()
        .filter(cohort=cohort, status=EnrolmentStatus.ACTIVE)
        .select_related("user")
        .order_by("pk")
        if e.user_id != by.pk
    ]
    for user in learners:
        membership_grant(user=user, role=Role.DATA_OFFICER, institution=institution)
    codes = sorted(version.areas.values_list("code", flat=True))
    respondents: dict[str, list] = {code: [] for code in codes}
    for n, user in enumerate(learners):
        respondents[codes[n % len(codes)]].append(user)
    year = cohort.starts_on.year - 1  # practise on last year, as a real cycle reports on a past period
    cycle_open(
        institution=institution,
        by=by,
        title=_("Practice cycle %(year)s") % {"year": year},
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        due_date=cohort.ends_on,
        area_codes=codes,
        reviewer=by,
        respondents=respondents,
    )
    return institution


@transaction.atomic
def practice_learner_add(*, cohort: Cohort, user: Any) -> None:
    """A trainee enrolled after the practice opened: a data officer there, answering for the least staffed area."""
    institution = cohort.practice_institution
    if institution is None:
        return
    membership_grant(user=user, role=Role.DATA_OFFICER, institution=institution)
    cycle = _practice_cycle(institution)
    if cycle is None:
        return
    areas = CycleArea.objects.for_institution(institution).filter(cycle=cycle).annotate(n=Count("respondents"))
    least = areas.order_by("n", "area__code").first()
    if least is not None and not least.respondents.filter(pk=user.pk).exists():
        least.respondents.add(user)


def practice_learner_remove(*, cohort: Cohort, user: Any, by: Any = None) -> None:
    """An enrolment that ends takes its practice membership with it."""
    if cohort.practice_institution_id is None:
        return
    for membership in Membership.objects.filter(
        institution_id=cohort.practice_institution_id, user=user, role=Role.DATA_OFFICER
    ):
        membership_revoke(membership=membership, by=by)
