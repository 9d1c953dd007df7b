"""Builders of the certificate tests: a learner who completes the fixture course through the real services."""

from r2dr.models import NotificationPreference
from tests.factories import UserFactory
from tests.training.helpers import enrol, open_cohort
from training.models import Enrolment, Lesson, Module, Option
from training.services import progress


def complete(enrolment: Enrolment) -> Enrolment:
    """Every lesson done and every quiz passed, through the course engine (which announces the completion)."""
    course = enrolment.cohort.course
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_mark_done(enrolment=enrolment, lesson=lesson)
    for module in Module.objects.filter(course=course).order_by("number"):
        attempt = progress.attempt_start(enrolment=enrolment, module=module)
        answers = {
            qid: list(Option.objects.filter(question_id=qid, correct=True).values_list("pk", flat=True))
            for qid in attempt.question_ids
        }
        progress.attempt_submit(attempt=attempt, answers=answers)
    enrolment.refresh_from_db()
    return enrolment


def learner(institution, *, first="Ada", last="Learner", language="", email=None, cohort=None) -> Enrolment:
    """An enrolled learner of `institution` with the given name and (e-mail) language."""
    user = UserFactory(first_name=first, last_name=last, **({"username": email} if email else {}))
    if language:
        NotificationPreference.objects.create(institution=institution, user=user, language=language)
    return enrol(cohort or open_cohort(), institution, user)
