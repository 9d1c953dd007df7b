"""Reading the course content files (`training/content/`, in the format the content writers share) into plain
data, checked, without touching the database. `training.services.content.course_load` writes what this reads.

Layout: `course.yaml`; one directory per module (ordered by its number prefix) with `module.yaml`, its lesson
files (YAML front matter, then Markdown) and `questions.yaml`; `translations/<language>/...` mirrors the same
files with only the texts (options matched by position). Missing translation files or fields fall back to English.
"""

from __future__ import annotations

import hashlib
import pathlib
from dataclasses import dataclass, field
from typing import Any

import yaml

MODULE_TEXTS = ("title", "summary")
LESSON_TEXTS = ("title", "body", "transcript")
QUESTION_TEXTS = ("text", "general_feedback")
OPTION_TEXTS = ("text", "feedback")
KINDS = ("single", "multiple", "truefalse")


class ContentError(ValueError):
    """The content files break the format; the message names the file."""


@dataclass
class OptionData:
    text: str
    correct: bool
    feedback: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class QuestionData:
    key: str
    kind: str
    text: str
    general_feedback: str
    options: list[OptionData]
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class LessonData:
    key: str
    title: str
    body: str
    video_url: str
    transcript: str
    source_hash: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ModuleData:
    key: str
    number: int
    title: str
    summary: str
    pass_mark: int
    questions_per_attempt: int
    lessons: list[LessonData]
    questions: list[QuestionData]
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class CourseData:
    key: str
    title: str
    summary: str
    modules: list[ModuleData]
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def _yaml(path: pathlib.Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc


def _front_matter(path: pathlib.Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ContentError(f"{path}: a lesson starts with YAML front matter between --- lines")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise ContentError(f"{path}: the front matter is not closed by a --- line")
    try:
        meta = yaml.safe_load(parts[0].removeprefix("---")) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from exc
    return meta, parts[1].lstrip("-").lstrip("\n").strip() + "\n"


def _need(data: dict, key: str, path: pathlib.Path) -> Any:
    value = data.get(key) if isinstance(data, dict) else None
    if value in (None, ""):
        raise ContentError(f"{path}: “{key}” is missing")
    return value


def _texts(data: dict | None, names: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    return {name: str(data[name]).strip() for name in names if data.get(name)}


def _module_dirs(root: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name[:1].isdigit())


def _languages(root: pathlib.Path) -> list[str]:
    base = root / "translations"
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def _question(raw: dict, path: pathlib.Path) -> QuestionData:
    key = str(_need(raw, "key", path))
    kind = str(_need(raw, "kind", path))
    if kind not in KINDS:
        raise ContentError(f"{path}: question {key}: kind must be one of {', '.join(KINDS)}")
    options = [
        OptionData(
            text=str(_need(o, "text", path)).strip(),
            correct=bool(o.get("correct", False)),
            feedback=str(o.get("feedback") or "").strip(),
        )
        for o in raw.get("options") or []
    ]
    correct = sum(o.correct for o in options)
    if len(options) < 2:
        raise ContentError(f"{path}: question {key}: at least two options")
    if kind == "truefalse" and len(options) != 2:
        raise ContentError(f"{path}: question {key}: a true/false question has exactly two options")
    if kind in ("single", "truefalse") and correct != 1:
        raise ContentError(f"{path}: question {key}: exactly one correct option")
    if kind == "multiple" and correct < 1:
        raise ContentError(f"{path}: question {key}: at least one correct option")
    return QuestionData(
        key=key,
        kind=kind,
        text=str(_need(raw, "text", path)).strip(),
        general_feedback=str(raw.get("general_feedback") or "").strip(),
        options=options,
    )


def _lesson(path: pathlib.Path) -> LessonData:
    if not path.is_file():
        raise ContentError(f"{path}: listed in module.yaml but missing")
    meta, body = _front_matter(path)
    video_url = str(meta.get("video_url") or "").strip()
    transcript = str(meta.get("transcript") or "").strip()
    if video_url and not transcript:
        raise ContentError(f"{path}: a lesson with a video needs a transcript")
    return LessonData(
        key=str(_need(meta, "key", path)),
        title=str(_need(meta, "title", path)).strip(),
        body=body,
        video_url=video_url,
        transcript=transcript,
        source_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def _translate_module(module: ModuleData, module_dir: pathlib.Path, root: pathlib.Path, language: str) -> None:
    base = root / "translations" / language / module_dir.name
    if not base.is_dir():
        return
    if (base / "module.yaml").is_file():
        module.translations[language] = _texts(_yaml(base / "module.yaml"), MODULE_TEXTS)
    lesson_files = (_yaml(module_dir / "module.yaml") or {}).get("lessons") or []
    for name, lesson in zip(lesson_files, module.lessons, strict=True):
        if (base / name).is_file():
            meta, body = _front_matter(base / name)
            texts = _texts(meta, ("title", "transcript"))
            if body.strip():
                texts["body"] = body
            lesson.translations[language] = texts
    if (base / "questions.yaml").is_file():
        by_key = {q.key: q for q in module.questions}
        for raw in _yaml(base / "questions.yaml") or []:
            question = by_key.get(str((raw or {}).get("key")))
            if question is None:
                continue
            question.translations[language] = _texts(raw, QUESTION_TEXTS)
            for option, raw_option in zip(question.options, raw.get("options") or [], strict=False):
                option.translations[language] = _texts(raw_option, OPTION_TEXTS)


def course_read(root: pathlib.Path) -> CourseData:
    """The course under `root`, checked against the format; raises ContentError naming the first bad file."""
    course_file = root / "course.yaml"
    if not course_file.is_file():
        raise ContentError(f"{course_file}: missing")
    raw_course = _yaml(course_file) or {}
    languages = _languages(root)
    modules = []
    for module_dir in _module_dirs(root):
        path = module_dir / "module.yaml"
        raw = _yaml(path) or {}
        lessons = [_lesson(module_dir / str(name)) for name in raw.get("lessons") or []]
        if not lessons:
            raise ContentError(f"{path}: a module lists its lessons")
        questions_path = module_dir / "questions.yaml"
        questions = [_question(q, questions_path) for q in (_yaml(questions_path) if questions_path.is_file() else [])]
        per_attempt = int(raw.get("questions_per_attempt") or 0)
        if not 1 <= per_attempt <= len(questions):
            raise ContentError(f"{path}: questions_per_attempt must be between 1 and the bank's {len(questions)}")
        module = ModuleData(
            key=str(_need(raw, "key", path)),
            number=int(_need(raw, "number", path)),
            title=str(_need(raw, "title", path)).strip(),
            summary=str(raw.get("summary") or "").strip(),
            pass_mark=int(raw.get("pass_mark") or 70),
            questions_per_attempt=per_attempt,
            lessons=lessons,
            questions=questions,
        )
        for language in languages:
            _translate_module(module, module_dir, root, language)
        modules.append(module)
    course = CourseData(
        key=str(_need(raw_course, "key", course_file)),
        title=str(_need(raw_course, "title", course_file)).strip(),
        summary=str(raw_course.get("summary") or "").strip(),
        modules=modules,
    )
    for language in languages:
        translated = root / "translations" / language / "course.yaml"
        if translated.is_file():
            course.translations[language] = _texts(_yaml(translated), MODULE_TEXTS)
    keys = [m.key for m in modules] + [lesson.key for m in modules for lesson in m.lessons]
    keys += [q.key for m in modules for q in m.questions]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ContentError(f"{root}: keys used twice: {', '.join(duplicates)}")
    return course
