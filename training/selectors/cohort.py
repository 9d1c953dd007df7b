"""Reads of a cohort for those who run it: the progress table (learner x module), its CSV and the quiz item
analysis. Each takes `institution`: an institution admin's view passes theirs (their own staff only); the
facilitators' regional view passes None, which reads every institution's enrolments of the cohort through the
explicit regional path. Each runs a fixed number of queries, whatever the number of learners."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from r2dr.models import Institution
from training.models import Cohort, Enrolment, Lesson, LessonCompletion, Module, Option, Question, QuizAttempt


def _scoped(model: Any, institution: Institution | int | None) -> QuerySet:
    return model.objects.regional() if institution is None else model.objects.for_institution(institution)


def cohorts_all() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("course").annotate(learners=Count("enrolments")).order_by("-starts_on")


def cohorts_open_for_enrolment() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("course").order_by("-starts_on")


def cohort_get(*, cohort_id: int) -> Cohort:
    return Cohort.objects.select_related("course").get(pk=cohort_id)


def cohort_enrolments(*, cohort: Cohort, institution: Institution | int | None) -> QuerySet[Enrolment]:
    return _scoped(Enrolment, institution).filter(cohort=cohort).select_related("user", "institution")


def cohort_institutions(*, cohort: Cohort) -> list[Institution]:
    """The institutions with learners in the cohort (the facilitators' filter)."""
    ids = Enrolment.objects.regional().filter(cohort=cohort).values_list("institution_id", flat=True).distinct()
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


@dataclass
class Cell:
    lessons_done: int = 0
    lessons_total: int = 0
    best_score: int | None = None
    passed: bool = False
    last_activity: datetime.datetime | None = None

    @property
    def status(self) -> str:
        if self.passed and self.lessons_done >= self.lessons_total:
            return "complete"
        if self.lessons_done or self.best_score is not None:
            return "started"
        return "not_started"


@dataclass
class Row:
    enrolment: Enrolment
    cells: list[Cell] = field(default_factory=list)


@dataclass
class ProgressTable:
    modules: Sequence[Module]
    rows: list[Row]


def cohort_progress_table(*, cohort: Cohort, institution: Institution | int | None) -> ProgressTable:
    """One row per learner, one cell per module: lessons done, best score, passed, last activity. Four queries."""
    modules = list(
        Module.objects.filter(course_id=cohort.course_id).order_by("number").annotate(lesson_count=Count("lessons"))
    )
    enrolments = list(
        cohort_enrolments(cohort=cohort, institution=institution).order_by("institution__name", "user__email")
    )
    done: dict[tuple[int, int], tuple[int, datetime.datetime]] = {
        (r["enrolment_id"], r["lesson__module_id"]): (r["n"], r["last"])
        for r in _scoped(LessonCompletion, institution)
        .filter(enrolment__cohort=cohort)
        .values("enrolment_id", "lesson__module_id")
        .annotate(n=Count("pk"), last=Max("completed_at"))
    }
    tried: dict[tuple[int, int], dict[str, Any]] = {
        (r["enrolment_id"], r["module_id"]): r
        for r in _scoped(QuizAttempt, institution)
        .filter(enrolment__cohort=cohort, submitted_at__isnull=False)
        .values("enrolment_id", "module_id")
        .annotate(best=Max("score"), passes=Count("pk", filter=Q(passed=True)), last=Max("submitted_at"))
    }
    rows = []
    for enrolment in enrolments:
        row = Row(enrolment=enrolment)
        for module in modules:
            count, last_read = done.get((enrolment.pk, module.pk), (0, None))
            attempt = tried.get((enrolment.pk, module.pk), {})
            moments = [m for m in (last_read, attempt.get("last")) if m]
            row.cells.append(
                Cell(
                    lessons_done=count,
                    lessons_total=module.lesson_count,
                    best_score=attempt.get("best"),
                    passed=bool(attempt.get("passes")),
                    last_activity=max(moments) if moments else None,
                )
            )
        rows.append(row)
    return ProgressTable(modules=modules, rows=rows)


@dataclass
class ItemStat:
    question: Question
    shown: int = 0
    correct: int = 0
    wrong_choices: Counter = field(default_factory=Counter)
    options: dict[int, Option] = field(default_factory=dict)

    @property
    def share_correct(self) -> int | None:
        return round(100 * self.correct / self.shown) if self.shown else None

    @property
    def most_chosen_wrong(self) -> tuple[Option, int] | None:
        if not self.wrong_choices:
            return None
        option_id, count = self.wrong_choices.most_common(1)[0]
        return self.options[option_id], count


def cohort_item_analysis(
    *, cohort: Cohort, institution: Institution | int | None
) -> list[tuple[Module, list[ItemStat]]]:
    """Per module, per question of its bank: how often it was drawn, the share answered right and the wrong option
    chosen most often, over the cohort's submitted attempts. Three queries."""
    questions = list(
        Question.objects.filter(module__course_id=cohort.course_id)
        .select_related("module")
        .order_by("module__number", "position")
    )
    stats = {q.pk: ItemStat(question=q) for q in questions}
    for option in Option.objects.filter(question__module__course_id=cohort.course_id):
        stats[option.question_id].options[option.pk] = option
    attempts = (
        _scoped(QuizAttempt, institution)
        .filter(enrolment__cohort=cohort, submitted_at__isnull=False)
        .values_list("question_ids", "answers")
    )
    for question_ids, answers in attempts.iterator(chunk_size=2000):
        for question_id in question_ids:
            stat = stats.get(question_id)
            if stat is None:
                continue
            chosen = {int(o) for o in (answers or {}).get(str(question_id), [])}
            right = {o.pk for o in stat.options.values() if o.correct}
            stat.shown += 1
            if chosen == right:
                stat.correct += 1
            stat.wrong_choices.update(o for o in chosen if o not in right and o in stat.options)
    by_module: dict[int, tuple[Module, list[ItemStat]]] = {}
    for question in questions:
        by_module.setdefault(question.module_id, (question.module, []))[1].append(stats[question.pk])
    return list(by_module.values())


def lessons_for_editing() -> QuerySet[Lesson]:
    return Lesson.objects.select_related("module__course").order_by("module__course", "module__number", "position")


def lesson_get(*, lesson_id: int) -> Lesson:
    return Lesson.objects.select_related("module__course").get(pk=lesson_id)
