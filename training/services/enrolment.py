"""Writes of enrolment: facilitators enrol an institution's trainees in bulk, an institution's admins enrol their own
staff; an enrolment ends when its learner leaves the institution (the offboarding step) or is ended by hand.

An enrolment belongs to the learner's institution (whose admins see it), while its cohort is regional."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from r2dr.models import Institution, Membership
from r2dr.roles import Role
from r2dr.services import membership_grant
from training.models import Cohort, Enrolment, EnrolmentStatus
from training.services.errors import TrainingRefused
from training.services.practice import practice_learner_add, practice_learner_remove


def _enrol(*, cohort: Cohort, institution: Institution, user_ids: Iterable[int], by: User | None) -> list[Enrolment]:
    wanted = set(user_ids)
    if not wanted:
        return []
    members = set(
        Membership.objects.filter(institution=institution, user_id__in=wanted, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if members != wanted:
        raise TrainingRefused(_("Only members of the institution can be enrolled for it."))
    now = timezone.now()
    with transaction.atomic():
        taken = dict(
            Enrolment.objects.regional()
            .filter(cohort=cohort, user_id__in=wanted)
            .values_list("user_id", "institution_id")
        )
        elsewhere = [uid for uid, inst in taken.items() if inst != institution.pk]
        if elsewhere:
            raise TrainingRefused(_("Some of these people are already enrolled in this cohort by another institution."))
        new = sorted(wanted - set(taken))
        for user in User.objects.filter(pk__in=new):
            membership_grant(user=user, role=Role.TRAINEE, institution=institution)
        Enrolment.objects.bulk_create(
            [
                Enrolment(institution=institution, cohort=cohort, user_id=uid, enrolled_at=now, enrolled_by=by)
                for uid in new
            ],
            ignore_conflicts=True,  # a concurrent enrolment of the same person stands
        )
        created = list(
            Enrolment.objects.for_institution(institution).filter(cohort=cohort, user_id__in=new).select_related("user")
        )
        for enrolment in created:
            practice_learner_add(cohort=cohort, user=enrolment.user)
        return created


def enrolments_create_for_staff(
    *, cohort: Cohort, institution: Institution, user_ids: Iterable[int], by: User | None
) -> list[Enrolment]:
    """An institution admin enrols members of their own institution (who become its trainees). Returns the new
    enrolments (people already enrolled are left as they are)."""
    return _enrol(cohort=cohort, institution=institution, user_ids=user_ids, by=by)


def enrolments_create_for_institution(*, cohort: Cohort, institution: Institution, by: User | None) -> list[Enrolment]:
    """A facilitator enrols every trainee of `institution` in the cohort at once. Returns the new enrolments."""
    trainees = Membership.objects.filter(institution=institution, role=Role.TRAINEE, user__is_active=True)
    return _enrol(cohort=cohort, institution=institution, user_ids=trainees.values_list("user_id", flat=True), by=by)


def enrolment_end(*, enrolment: Enrolment, by: Any = None) -> Enrolment:
    """End an enrolment that is still running (a completed one keeps its completion)."""
    if enrolment.status == EnrolmentStatus.ACTIVE:
        now = timezone.now()
        Enrolment.objects.for_institution(enrolment.institution_id).filter(pk=enrolment.pk).update(
            status=EnrolmentStatus.ENDED, ended_at=now
        )
        enrolment.status, enrolment.ended_at = EnrolmentStatus.ENDED, now
        practice_learner_remove(cohort=enrolment.cohort, user=enrolment.user, by=by)
    return enrolment


def enrolment_reminders_set(*, enrolment: Enrolment, on: bool) -> Enrolment:
    """The learner's choice to get (or not) the course's reminders."""
    Enrolment.objects.for_institution(enrolment.institution_id).filter(pk=enrolment.pk).update(reminders=on)
    enrolment.reminders = on
    return enrolment


def enrolments_offboard(*, membership: Membership, by: Any) -> None:
    """Offboarding step: a learner who no longer holds the trainee role in an institution has their running
    enrolments for it ended (their pages need that role)."""
    if membership.institution_id is None or membership.role != Role.TRAINEE:
        return
    still = Membership.objects.filter(
        institution_id=membership.institution_id, user_id=membership.user_id, role=Role.TRAINEE
    ).exists()
    if still:
        return
    running = Enrolment.objects.for_institution(membership.institution_id).filter(
        user_id=membership.user_id, status=EnrolmentStatus.ACTIVE
    )
    for enrolment in running.select_related("cohort", "user"):
        enrolment_end(enrolment=enrolment, by=by)
