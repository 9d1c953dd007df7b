"""What the training views share: loading the learner's own enrolment (404 for anyone else's, and for another
institution's), and the page context every learner page needs."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.utils import timezone

from training.models import Enrolment
from training.selectors.learner import learner_enrolment


def own_enrolment(view):
    """Hand the view `enrolment`, the signed-in learner's enrolment named by the URL in the URL's institution."""

    @wraps(view)
    def wrapper(request, institution_slug, enrolment_id, **kwargs):
        try:
            enrolment = learner_enrolment(institution=request.institution, user=request.user, enrolment_id=enrolment_id)
        except Enrolment.DoesNotExist as exc:
            raise Http404 from exc
        return view(request, enrolment=enrolment, **kwargs)

    return wrapper


def window_context(enrolment) -> dict:
    cohort = enrolment.cohort
    now = timezone.now()
    return {
        "enrolment": enrolment,
        "cohort": cohort,
        "phase": cohort.phase(now),
        "zone_name": timezone.get_current_timezone_name(),
    }
