"""Shared builders of the training tests: the fixture course, a cohort around today, enrolled learners."""

import datetime
import pathlib

from django.utils import timezone

from r2dr.models import Membership
from r2dr.roles import Role
from training.models import Cohort, Course, Enrolment
from training.services.content import course_load

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "course"


def fixture_course() -> Course:
    course = Course.objects.filter(key="fixture-course").first()
    if course is None:
        course_load(root=FIXTURE)
        course = Course.objects.get(key="fixture-course")
    return course


def open_cohort(*, zone="Asia/Bangkok", days_before=5, days_after=20, title="Test cohort") -> Cohort:
    today = timezone.now().date()
    return Cohort.objects.create(
        course=fixture_course(),
        title=title,
        time_zone=zone,
        starts_on=today - datetime.timedelta(days=days_before),
        ends_on=today + datetime.timedelta(days=days_after),
    )


def enrol(cohort, institution, user, *, membership=True) -> Enrolment:
    if membership:
        Membership.objects.get_or_create(user=user, institution=institution, role=Role.TRAINEE)
    return Enrolment.objects.create(cohort=cohort, institution=institution, user=user)
