"""Demo data of the training app: the course, a cohort open now (its dates move with today's), run by the demo
facilitator, with demo trainees at different stages."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from indicators.selectors import published_version
from r2dr.demo import demo_user
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from training.models import Cohort, Enrolment, Lesson, ModuleTarget, Option
from training.services import progress
from training.services.content import DEFAULT_ROOT, course_load
from training.services.practice import cohort_practice_open

COHORT_TITLE = "Protecting human rights defenders: demo cohort"
# (e-mail, institution slug, stage): "new" has done nothing, "reading" has read a lesson, "module" has passed
# module 1, "completed" has finished the course.
LEARNERS = [
    ("trainee@komnasham.example", "komnas-ham", "reading", ("Dewi", "Lestari")),
    ("trainee@nhrct.example", "nhrct", "module", ("สมชาย", "รักดี")),
    ("graduate@nhrct.example", "nhrct", "completed", ("ศิริพร", "วงศ์ทอง")),
    ("newcomer@komnasham.example", "komnas-ham", "new", ("Budi", "Santoso")),
]


def _right(attempt):
    return {
        qid: list(Option.objects.filter(question_id=qid, correct=True).values_list("pk", flat=True))
        for qid in attempt.question_ids
    }


def _advance(enrolment: Enrolment, stage: str, start: datetime.datetime) -> None:
    modules = list(enrolment.cohort.course.modules.order_by("number"))
    rng = random.Random(enrolment.user_id)
    at = start
    for module in modules if stage == "completed" else modules[:1]:
        lessons = list(Lesson.objects.filter(module=module).order_by("position"))
        for lesson in lessons if stage != "reading" else lessons[:1]:
            at += datetime.timedelta(hours=5)
            progress.lesson_mark_done(enrolment=enrolment, lesson=lesson, at=at)
        if stage == "reading":
            return
        attempt = progress.attempt_start(enrolment=enrolment, module=module, at=at, rng=rng)
        progress.attempt_submit(attempt=attempt, answers={}, at=at + datetime.timedelta(minutes=9))
        attempt = progress.attempt_start(
            enrolment=enrolment, module=module, at=at + datetime.timedelta(minutes=15), rng=rng
        )
        progress.attempt_submit(attempt=attempt, answers=_right(attempt), at=at + datetime.timedelta(minutes=25))


def seed(*, scale: int = 0, stdout=None) -> None:
    report = course_load(root=DEFAULT_ROOT)
    for conflict in report.conflicts:
        if stdout:
            stdout.write(f"  training: conflict: {conflict}")
    from training.models import Course

    course = Course.objects.order_by("pk").first()
    today = timezone.now().date()
    cohort, _created = Cohort.objects.update_or_create(
        title=COHORT_TITLE,
        defaults={
            "course": course,
            "time_zone": "Asia/Bangkok",
            "starts_on": today - datetime.timedelta(days=10),
            "ends_on": today + datetime.timedelta(days=20),
        },
    )
    for n, module in enumerate(course.modules.order_by("number"), start=1):
        ModuleTarget.objects.update_or_create(
            cohort=cohort, module=module, defaults={"target_on": cohort.starts_on + datetime.timedelta(days=6 * n)}
        )
    facilitator = demo_user("facilitator@apf.example")
    start = cohort.opens_at + datetime.timedelta(hours=9)
    for email, slug, stage, (first, last) in LEARNERS:
        institution = Institution.objects.get(slug=slug)
        user = demo_user(email)
        if not user.first_name:  # the name a certificate is issued in
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
        Membership.objects.get_or_create(user=user, institution=institution, role=Role.TRAINEE)
        enrolment, created = Enrolment.objects.for_institution(institution).get_or_create(
            cohort=cohort, user=user, defaults={"institution": institution, "enrolled_at": cohort.opens_at}
        )
        if created and stage != "new":
            _advance(enrolment, stage, start)
    # The practice institution of module 3, with its practice cycle, once the framework is published.
    if cohort.practice_institution is None and published_version() is not None:
        cohort_practice_open(cohort=cohort, by=facilitator)
    if stdout:
        stdout.write(
            f"  training: {course}, cohort “{cohort}” open {cohort.starts_on}–{cohort.ends_on}, {len(LEARNERS)} trainees"
        )
