"""What the course holds about one learner in one institution, as the JSON they may download."""

from __future__ import annotations

from typing import Any

from r2dr.models import Institution
from training.models import LessonCompletion, QuizAttempt
from training.selectors.learner import learner_enrolments


def learner_data(*, institution: Institution, user: Any) -> dict[str, Any]:
    """Every enrolment of the learner here, with lessons done and attempts (questions and answers by key)."""
    enrolments = list(learner_enrolments(institution=institution, user=user))
    ids = [e.pk for e in enrolments]
    done: dict[int, list[dict[str, Any]]] = {}
    for completion in (
        LessonCompletion.objects.for_institution(institution).filter(enrolment_id__in=ids).select_related("lesson")
    ):
        done.setdefault(completion.enrolment_id, []).append(
            {"lesson": completion.lesson.key, "completed_at": completion.completed_at.isoformat()}
        )
    attempts: dict[int, list[dict[str, Any]]] = {}
    for attempt in (
        QuizAttempt.objects.for_institution(institution).filter(enrolment_id__in=ids).select_related("module")
    ):
        attempts.setdefault(attempt.enrolment_id, []).append(
            {
                "module": attempt.module.key,
                "number": attempt.number,
                "questions": attempt.question_ids,
                "answers": attempt.answers,
                "score": attempt.score,
                "passed": attempt.passed,
                "started_at": attempt.started_at.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
            }
        )
    return {
        "learner": user.email,
        "institution": institution.slug,
        "enrolments": [
            {
                "course": e.cohort.course.key,
                "cohort": e.cohort.title,
                "status": e.status,
                "enrolled_at": e.enrolled_at.isoformat(),
                "completed_at": e.completed_at.isoformat() if e.completed_at else None,
                "reminders": e.reminders,
                "lessons_done": done.get(e.pk, []),
                "attempts": attempts.get(e.pk, []),
            }
            for e in enrolments
        ],
    }
