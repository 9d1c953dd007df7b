"""Writes of a learner's progress: lessons marked done, quiz attempts (drawn, frozen, submitted, graded) and the
completion of the course.

The window rule lives in `Cohort.phase`: the cohort is open from 00:00 on its first day to the end of its last
day in the cohort's own zone; an answer is judged by the instant it reaches the server, so the learner's zone
never changes what is accepted.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from training.completion import completed_announce
from training.models import (
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonCompletion,
    Module,
    Option,
    Question,
    QuestionKind,
    QuizAttempt,
)
from training.services.errors import TrainingRefused


def _touch(enrolment: Enrolment, at: datetime.datetime) -> None:
    Enrolment.objects.for_institution(enrolment.institution_id).filter(pk=enrolment.pk).update(last_activity_at=at)
    enrolment.last_activity_at = at


def _refuse_unless_active(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.ENDED:
        raise TrainingRefused(_("This enrolment has ended."))


def lesson_mark_done(*, enrolment: Enrolment, lesson: Lesson, at: datetime.datetime | None = None) -> LessonCompletion:
    """Record that the learner finished reading `lesson` (once; marking again keeps the first moment)."""
    at = at or timezone.now()
    _refuse_unless_active(enrolment)
    if lesson.module.course_id != enrolment.cohort.course_id:
        raise TrainingRefused(_("This lesson is not part of your course."))
    if enrolment.cohort.phase(at) == "before":
        raise TrainingRefused(_("The course has not started yet."))
    with transaction.atomic():
        completion, _created = LessonCompletion.objects.for_institution(enrolment.institution_id).get_or_create(
            institution_id=enrolment.institution_id, enrolment=enrolment, lesson=lesson, defaults={"completed_at": at}
        )
        _touch(enrolment, at)
        enrolment_completion_check(enrolment)
    return completion


def attempts_used(*, enrolment: Enrolment, module: Module) -> int:
    return (
        QuizAttempt.objects.for_institution(enrolment.institution_id)
        .filter(enrolment=enrolment, module=module, submitted_at__isnull=False)
        .count()
    )


def attempt_start(
    *,
    enrolment: Enrolment,
    module: Module,
    at: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> QuizAttempt:
    """The learner's open attempt at `module`'s quiz, or a new one: N questions drawn from the bank and the options
    of each shuffled, frozen in the attempt so a reload or a second tab shows the same quiz."""
    at = at or timezone.now()
    rng = rng or secrets.SystemRandom()
    _refuse_unless_active(enrolment)
    if module.course_id != enrolment.cohort.course_id:
        raise TrainingRefused(_("This quiz is not part of your course."))
    if enrolment.cohort.phase(at) != "open":
        raise TrainingRefused(_("Quizzes are open only while the course runs."))
    scoped = QuizAttempt.objects.for_institution(enrolment.institution_id)
    with transaction.atomic():
        Enrolment.objects.for_institution(enrolment.institution_id).select_for_update().get(pk=enrolment.pk)
        open_attempt = scoped.filter(enrolment=enrolment, module=module, submitted_at__isnull=True).first()
        if open_attempt is not None:
            return open_attempt
        used = scoped.filter(enrolment=enrolment, module=module).count()
        if module.attempt_limit is not None and used >= module.attempt_limit:
            raise TrainingRefused(_("You have used all the attempts this quiz allows."))
        kinds = dict(
            Question.objects.filter(module=module, is_active=True).order_by("position").values_list("pk", "kind")
        )
        drawn = rng.sample(list(kinds), min(module.questions_per_attempt, len(kinds)))
        options: dict[int, list[int]] = {}
        for option_id, question_id in (
            Option.objects.filter(question_id__in=drawn).order_by("position").values_list("pk", "question_id")
        ):
            options.setdefault(question_id, []).append(option_id)
        order = {}
        for question_id in drawn:
            ids = options.get(question_id, [])
            if kinds[question_id] != QuestionKind.TRUEFALSE:
                rng.shuffle(ids)  # "True" before "False" reads best; other options in a fresh order
            order[str(question_id)] = ids
        attempt = QuizAttempt.objects.create(
            institution_id=enrolment.institution_id,
            enrolment=enrolment,
            module=module,
            number=used + 1,
            question_ids=drawn,
            option_order=order,
            started_at=at,
        )
        _touch(enrolment, at)
    return attempt


def _graded(attempt: QuizAttempt, answers: Mapping[int, Sequence[int]]) -> tuple[dict[str, list[int]], int]:
    """(the answers kept, score in percent): a question counts when exactly its correct options were chosen."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    correct: dict[int, set[int]] = {}
    for option_id, question_id, is_correct in Option.objects.filter(question_id__in=attempt.question_ids).values_list(
        "pk", "question_id", "correct"
    ):
        correct.setdefault(question_id, set())
        if is_correct:
            correct[question_id].add(option_id)
    kept: dict[str, list[int]] = {}
    right = 0
    for question_id in attempt.question_ids:
        offered = set(attempt.option_order.get(str(question_id), []))
        chosen = sorted({int(o) for o in answers.get(question_id, []) if int(o) in offered})
        if questions[question_id].kind != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise TrainingRefused(_("Choose only one answer to each single-choice question."))
        kept[str(question_id)] = chosen
        right += set(chosen) == correct.get(question_id, set())
    total = len(attempt.question_ids) or 1
    return kept, round(100 * right / total)


def attempt_submit(
    *, attempt: QuizAttempt, answers: Mapping[int, Sequence[int]], at: datetime.datetime | None = None
) -> QuizAttempt:
    """Grade and close an attempt. Refused once the cohort's window has closed (judged at `at`, the moment the
    answers arrived), or when it was already submitted. Passing the last quiz may complete the course."""
    at = at or timezone.now()
    enrolment = attempt.enrolment
    _refuse_unless_active(enrolment)
    if enrolment.cohort.phase(at) != "open":
        raise TrainingRefused(_("The course has closed: answers are no longer accepted."))
    with transaction.atomic():
        locked = QuizAttempt.objects.for_institution(attempt.institution_id).select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise TrainingRefused(_("This attempt was already submitted."))
        kept, score = _graded(locked, answers)
        locked.answers = kept
        locked.score = score
        locked.passed = score >= locked.module.pass_mark
        locked.submitted_at = at
        locked.save(update_fields=["answers", "score", "passed", "submitted_at"])
        _touch(enrolment, at)
        enrolment_completion_check(enrolment)
    return locked


def enrolment_completion_check(enrolment: Enrolment) -> bool:
    """Mark `enrolment` completed when every lesson of the course is done and every module's quiz passed, all inside
    the cohort's window; once that commits, the completion hooks run (`training.completion.on_completed`). Returns
    whether the enrolment is completed. Safe to call any number of times: a completion is recorded once."""
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return True
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    cohort = enrolment.cohort
    closes = cohort.closes_at
    lessons = set(Lesson.objects.filter(module__course_id=cohort.course_id).values_list("pk", flat=True))
    modules = set(Module.objects.filter(course_id=cohort.course_id).values_list("pk", flat=True))
    done = LessonCompletion.objects.for_institution(enrolment.institution_id).filter(
        enrolment=enrolment, completed_at__lt=closes, completed_at__gte=cohort.opens_at
    )
    passed = QuizAttempt.objects.for_institution(enrolment.institution_id).filter(
        enrolment=enrolment, passed=True, submitted_at__lt=closes, submitted_at__gte=cohort.opens_at
    )
    if not lessons or not lessons <= set(done.values_list("lesson_id", flat=True)):
        return False
    if not modules <= set(passed.values_list("module_id", flat=True)):
        return False
    moments = [*done.values_list("completed_at", flat=True), *passed.values_list("submitted_at", flat=True)]
    with transaction.atomic():
        updated = (
            Enrolment.objects.for_institution(enrolment.institution_id)
            .filter(pk=enrolment.pk, status=EnrolmentStatus.ACTIVE)
            .update(status=EnrolmentStatus.COMPLETED, completed_at=max(moments))
        )
        if not updated:
            return False
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = max(moments)
        transaction.on_commit(lambda: completed_announce(enrolment))
    return True
