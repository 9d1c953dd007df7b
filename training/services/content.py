"""Writes of course content: loading the content files (idempotently) and facilitators' lesson revisions.

A facilitator's revision wins over the files: once a lesson's latest revision is a facilitator's, the loader never
overwrites its texts; when the file changed as well, it reports the conflict for someone to settle by hand.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from training.content_files import CourseData, LessonData, ModuleData, QuestionData, course_read
from training.models import Course, Lesson, LessonRevision, Module, Option, Question, reading_minutes_for

DEFAULT_ROOT = pathlib.Path(__file__).resolve().parents[1] / "content"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def _save_changed(obj: Any, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def _upsert(model: Any, key: str, values: dict[str, Any], report: LoadReport) -> Any:
    obj = model.objects.filter(key=key).first()
    if obj is None:
        report.created.append(key)
        return model.objects.create(key=key, **values)
    if _save_changed(obj, values):
        report.updated.append(key)
    else:
        report.unchanged += 1
    return obj


def _lesson_load(module: Module, position: int, data: LessonData, report: LoadReport) -> None:
    texts = {
        "title": data.title,
        "body": data.body,
        "transcript": data.transcript,
        "video_url": data.video_url,
        "reading_minutes": reading_minutes_for(data.body),
    }
    lesson = Lesson.objects.filter(key=data.key).first()
    if lesson is None:
        lesson = Lesson.objects.create(
            key=data.key,
            module=module,
            position=position,
            translations=data.translations,
            loaded_hash=data.source_hash,
            **texts,
        )
        LessonRevision.objects.create(lesson=lesson, by=None, title=data.title, body=data.body, note="loaded")
        report.created.append(data.key)
        return
    placement = {"module": module, "position": position, "translations": data.translations}
    if lesson.loaded_hash == data.source_hash:
        if _save_changed(lesson, placement):
            report.updated.append(data.key)
        else:
            report.unchanged += 1
        return
    latest = lesson.revisions.order_by("-at", "-pk").first()
    if latest is not None and latest.by_id is not None:
        # The facilitator's text stands; the file changed too, so someone must merge the two by hand.
        _save_changed(lesson, placement)
        report.conflicts.append(
            f"{data.key}: the file changed, but {latest.by} revised this lesson on {latest.at:%Y-%m-%d}; "
            "the revision was kept (merge the file's changes by hand, then load again)"
        )
        return
    _save_changed(lesson, {**placement, **texts, "loaded_hash": data.source_hash})
    if latest is None or (latest.title, latest.body) != (data.title, data.body):
        LessonRevision.objects.create(lesson=lesson, by=None, title=data.title, body=data.body, note="loaded")
    report.updated.append(data.key)


def _question_load(module: Module, position: int, data: QuestionData, report: LoadReport) -> None:
    question = _upsert(
        Question,
        data.key,
        {
            "module": module,
            "position": position,
            "kind": data.kind,
            "text": data.text,
            "general_feedback": data.general_feedback,
            "translations": data.translations,
            "is_active": True,
        },
        report,
    )
    existing = {o.position: o for o in question.options.all()}
    options_changed = False
    for number, option in enumerate(data.options):
        values = {
            "text": option.text,
            "correct": option.correct,
            "feedback": option.feedback,
            "translations": option.translations,
        }
        row = existing.pop(number, None)
        if row is None:
            Option.objects.create(question=question, position=number, **values)
            options_changed = True
        else:
            options_changed |= _save_changed(row, values)
    for stale in existing.values():
        stale.delete()
        options_changed = True
    if options_changed and data.key not in report.created + report.updated:
        report.updated.append(data.key)
        report.unchanged -= 1


def _module_load(course: Course, data: ModuleData, report: LoadReport) -> None:
    module = _upsert(
        Module,
        data.key,
        {
            "course": course,
            "number": data.number,
            "title": data.title,
            "summary": data.summary,
            "pass_mark": data.pass_mark,
            "questions_per_attempt": data.questions_per_attempt,
            "translations": data.translations,
        },
        report,
    )
    for position, lesson in enumerate(data.lessons, start=1):
        _lesson_load(module, position, lesson, report)
    for position, question in enumerate(data.questions, start=1):
        _question_load(module, position, question, report)
    gone = module.questions.filter(is_active=True).exclude(key__in=[q.key for q in data.questions])
    report.retired += list(gone.values_list("key", flat=True))
    gone.update(is_active=False)


def course_load(*, root: pathlib.Path = DEFAULT_ROOT) -> LoadReport:
    """Create or update the course under `root` (see training.content_files); running it twice changes nothing.

    Questions left out of a bank are retired (inactive), never deleted: earlier attempts still show them."""
    data: CourseData = course_read(root)
    report = LoadReport()
    with transaction.atomic():
        course = _upsert(
            Course, data.key, {"title": data.title, "summary": data.summary, "translations": data.translations}, report
        )
        # Module numbers are unique per course: park the existing ones out of the way so a reordering loads.
        numbers = {m.key: m.number for m in data.modules}
        for module in Module.objects.filter(course=course, key__in=numbers):
            if module.number != numbers[module.key]:
                Module.objects.filter(pk=module.pk).update(number=1000 + module.pk)
        for module_data in data.modules:
            _module_load(course, module_data, report)
    return report


def lesson_revise(*, lesson: Lesson, by: Any, title: str, body: str, note: str = "") -> LessonRevision:
    """A facilitator's new text for a lesson (English source): kept as a revision, and from now on the loader leaves
    the lesson's texts alone."""
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        locked.title = title
        locked.body = body
        locked.reading_minutes = reading_minutes_for(body)
        locked.save(update_fields=["title", "body", "reading_minutes"])
        return LessonRevision.objects.create(
            lesson=locked, by=by, at=timezone.now(), title=title, body=body, note=note[:200]
        )
