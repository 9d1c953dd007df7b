"""A learner's own data: the download of what the course holds about them, and their erasure."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from r2dr.models import Institution
from training.completion import on_erasure
from training.models import EnrolmentStatus, ErasureRequest, LessonCompletion, QuizAttempt, ReminderSent
from training.selectors.learner import learner_enrolments


def learner_erase(*, institution: Institution, user: Any) -> ErasureRequest:
    """Erase the learner's course data in `institution`: attempts, lesson completions, reminders, and every
    enrolment that did not complete. A completed enrolment stays, without its attempts, as the record the
    certificate's hooks (`training.completion.on_erasure`) rely on to keep an issued certificate verifiable.
    The request itself is kept, with when it was carried out."""
    with transaction.atomic():
        request = ErasureRequest.objects.create(institution=institution, user=user)
        for hook in list(on_erasure):
            hook(institution=institution, user=user)
        enrolments = learner_enrolments(institution=institution, user=user)
        ids = list(enrolments.values_list("pk", flat=True))
        QuizAttempt.objects.for_institution(institution).filter(enrolment_id__in=ids).delete()
        LessonCompletion.objects.for_institution(institution).filter(enrolment_id__in=ids).delete()
        ReminderSent.objects.for_institution(institution).filter(enrolment_id__in=ids).delete()
        enrolments.exclude(status=EnrolmentStatus.COMPLETED).delete()
        enrolments.filter(status=EnrolmentStatus.COMPLETED).update(last_activity_at=None, reminders=False)
        request.carried_out_at = timezone.now()
        request.save(update_fields=["carried_out_at"])
    return request
