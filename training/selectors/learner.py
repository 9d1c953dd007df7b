"""Reads of a learner's own course: their enrolments, progress per module, where to continue, their attempts.

Every read takes the institution the learner works for (the URL's) and the learner: one person never reaches
another's enrolment, nor an enrolment of another institution."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from r2dr.models import Institution
from training.models import (
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    Module,
    ModuleTarget,
    Option,
    Question,
    QuizAttempt,
)


def learner_enrolments(*, institution: Institution, user: Any) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.for_institution(institution)
        .filter(user=user)
        .select_related("cohort__course")
        .order_by("-cohort__starts_on")
    )


def learner_enrolment(*, institution: Institution, user: Any, enrolment_id: int) -> Enrolment:
    """The learner's enrolment, or Enrolment.DoesNotExist (someone else's, or another institution's)."""
    return (
        Enrolment.objects.for_institution(institution)
        .select_related("cohort__course", "institution")
        .get(pk=enrolment_id, user=user)
    )


def learner_attempt(*, institution: Institution, user: Any, attempt_id: int) -> QuizAttempt:
    return (
        QuizAttempt.objects.for_institution(institution)
        .select_related("enrolment__cohort__course", "module")
        .get(pk=attempt_id, enrolment__user=user)
    )


def course_outline(*, course: Course) -> list[Module]:
    """The course's modules in order, each with its lessons (`module.lesson_list`)."""
    return list(
        Module.objects.filter(course=course)
        .order_by("number")
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("position"), to_attr="lesson_list"))
    )


@dataclass
class ModuleProgress:
    module: Module
    lessons: list[Lesson]
    done: set[int]
    attempts: list[QuizAttempt]
    target_on: datetime.date | None = None

    @property
    def lessons_done(self) -> int:
        return sum(lesson.pk in self.done for lesson in self.lessons)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def best_score(self) -> int | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores) if scores else None

    @property
    def open_attempt(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.submitted_at is None), None)

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if a.submitted_at is not None]

    @property
    def complete(self) -> bool:
        return self.lessons_done == len(self.lessons) and self.passed

    @property
    def percent(self) -> int:
        steps = len(self.lessons) + 1
        return round(100 * (self.lessons_done + self.passed) / steps)

    def target_passed(self, today: datetime.date) -> bool:
        return self.target_on is not None and self.target_on < today and not self.complete


@dataclass
class Progress:
    enrolment: Enrolment
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def next_step(self) -> tuple[str, Any] | None:
        """Where "Continue" leads: ("lesson", the first unfinished lesson) or ("quiz", the first module whose lessons
        are done and whose quiz is not passed), in course order; None when everything is done."""
        for item in self.modules:
            for lesson in item.lessons:
                if lesson.pk not in item.done:
                    return ("lesson", lesson)
            if not item.passed:
                return ("quiz", item.module)
        return None

    @property
    def percent(self) -> int:
        steps = sum(len(m.lessons) + 1 for m in self.modules) or 1
        return round(100 * sum(m.lessons_done + m.passed for m in self.modules) / steps)

    def module(self, module_id: int) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module.pk == module_id), None)


def learner_progress(*, enrolment: Enrolment) -> Progress:
    """The enrolment's progress per module, in five queries whatever the course's size."""
    scope = enrolment.institution_id
    done = set(
        LessonCompletion.objects.for_institution(scope).filter(enrolment=enrolment).values_list("lesson_id", flat=True)
    )
    attempts: dict[int, list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.for_institution(scope).filter(enrolment=enrolment).order_by("number"):
        attempts.setdefault(attempt.module_id, []).append(attempt)
    targets = dict(ModuleTarget.objects.filter(cohort_id=enrolment.cohort_id).values_list("module_id", "target_on"))
    progress = Progress(enrolment=enrolment)
    for module in course_outline(course=enrolment.cohort.course):
        progress.modules.append(
            ModuleProgress(
                module=module,
                lessons=module.lesson_list,  # type: ignore[attr-defined]
                done=done,
                attempts=attempts.get(module.pk, []),
                target_on=targets.get(module.pk),
            )
        )
    return progress


def local_today() -> datetime.date:
    """Today in the active zone (the learner's, on their pages)."""
    return timezone.localdate()


@dataclass
class ReviewOption:
    option: Option
    chosen: bool


@dataclass
class ReviewQuestion:
    question: Question
    options: list[ReviewOption]
    chosen_ids: list[int]

    @property
    def correct(self) -> bool:
        return {o.option.pk for o in self.options if o.option.correct} == set(self.chosen_ids)


def attempt_questions(*, attempt: QuizAttempt) -> list[ReviewQuestion]:
    """The attempt's questions and options in their frozen order, with what was chosen (two queries)."""
    questions = Question.objects.filter(pk__in=attempt.question_ids).in_bulk()
    options = Option.objects.filter(question_id__in=attempt.question_ids).in_bulk()
    out = []
    for question_id in attempt.question_ids:
        chosen = [int(o) for o in (attempt.answers or {}).get(str(question_id), [])]
        order = attempt.option_order.get(str(question_id), [])
        out.append(
            ReviewQuestion(
                question=questions[question_id],
                options=[ReviewOption(option=options[o], chosen=o in chosen) for o in order if o in options],
                chosen_ids=chosen,
            )
        )
    return out


def lesson_in_course(*, course: Course, lesson_id: int) -> Lesson:
    return Lesson.objects.select_related("module").get(pk=lesson_id, module__course=course)


def module_in_course(*, course: Course, module_id: int) -> Module:
    return Module.objects.get(pk=module_id, course=course)
