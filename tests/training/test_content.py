"""The course as shipped in training/content/ is complete (issue 12): five modules of 3-5 lessons of at least 500
words (10,000 in the course), a bank of at least 8 questions per module with feedback on every option, no
placeholders, and module 1 in Indonesian and Thai, every text of it."""

import re

import pytest

from training.content_files import course_read
from training.services.content import DEFAULT_ROOT, course_load

COURSE = course_read(DEFAULT_ROOT)
PLACEHOLDER = re.compile(r"lorem|ipsum|TODO|TBD|\bxxx\b|placeholder", re.I)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def test_five_modules_of_three_to_five_long_lessons():
    assert [m.number for m in COURSE.modules] == [1, 2, 3, 4, 5]
    for module in COURSE.modules:
        assert 3 <= len(module.lessons) <= 5, module.key
        for lesson in module.lessons:
            assert words(lesson.body) >= 500, (lesson.key, words(lesson.body))
            assert not PLACEHOLDER.search(lesson.body), lesson.key
            assert not lesson.video_url or lesson.transcript, f"{lesson.key}: a video needs its transcript"
    assert sum(words(lesson.body) for m in COURSE.modules for lesson in m.lessons) >= 10_000


def test_every_bank_has_eight_questions_and_every_option_its_feedback():
    for module in COURSE.modules:
        assert len(module.questions) >= 8 and module.questions_per_attempt <= len(module.questions), module.key
        assert 0 < module.pass_mark <= 100
        for q in module.questions:
            assert q.text.strip() and q.general_feedback.strip(), q.key
            correct = [o for o in q.options if o.correct]
            assert all(o.feedback.strip() for o in q.options), f"{q.key}: an option without feedback"
            if q.kind in ("single", "truefalse"):
                assert len(correct) == 1, q.key
            else:
                assert correct, q.key
            if q.kind == "truefalse":
                assert len(q.options) == 2, q.key
    keys = [q.key for m in COURSE.modules for q in m.questions]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("language", ["id", "th"])
def test_module_one_is_translated_whole(language):
    module = COURSE.modules[0]
    assert {"title", "summary"} <= set(module.translations[language])
    for lesson in module.lessons:
        text = lesson.translations[language]
        assert text.get("title") and words(text.get("body", "")) >= 300, lesson.key
    for q in module.questions:
        assert q.translations[language].get("text"), q.key
        assert all(o.translations[language].get("text") and o.translations[language].get("feedback") for o in q.options)


@pytest.mark.django_db
def test_the_shipped_course_loads_and_loading_again_changes_nothing():
    first = course_load(root=DEFAULT_ROOT)
    again = course_load(root=DEFAULT_ROOT)
    assert first.created and not again.created and not again.updated and not again.conflicts
