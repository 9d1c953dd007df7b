"""The review of a cycle area. State machine (each transition refuses anything else):

draft --submit--> submitted --approve--> approved --reopen(reason)--> draft
                  submitted --return(comments)--> returned --submit--> submitted
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import computations, selectors, validation
from indicators.models import CycleArea, Value
from indicators.services._common import (
    TransitionError,
    area_text,
    cycle_event_create,
    locked_cycle_area,
    notify_after_commit,
    require_respondent,
    require_reviewer,
    user_roles,
)
from r2dr.roles import Role


@transaction.atomic
def cycle_area_submit(*, cycle_area: CycleArea, by: User) -> CycleArea:
    """Submit an area for review; refused while any value has an error. Snapshots computed figures."""
    cycle_area = locked_cycle_area(cycle_area)
    require_respondent(cycle_area, by)
    if cycle_area.status not in (CycleArea.Status.DRAFT, CycleArea.Status.RETURNED) or cycle_area.cycle.is_published:
        raise TransitionError(_("Only an area in progress or returned can be submitted."))
    issues = selectors.area_issues(institution=cycle_area.institution_id, cycle_area=cycle_area)
    errors = {code: [i for i in found if i.level == validation.ERROR] for code, found in issues.items()}
    errors = {code: found for code, found in errors.items() if found}
    if errors:
        raise ValidationError(
            [
                _("%(code)s: %(message)s") % {"code": code, "message": i.message}
                for code, found in errors.items()
                for i in found
            ]
        )
    now = timezone.now()
    cycle = cycle_area.cycle
    for value in cycle_area.values.select_related("indicator").exclude(indicator__computation=""):
        value.computed_value = computations.compute(
            value.indicator.computation,
            institution=cycle.institution,
            date_from=cycle.period_start,
            date_to=cycle.period_end,
        )
        value.computed_at = now
        value.save(update_fields=["computed_value", "computed_at"])
    cycle_area.status = CycleArea.Status.SUBMITTED
    cycle_area.submitted_at = now
    cycle_area.submitted_by = by
    cycle_area.save(update_fields=["status", "submitted_at", "submitted_by"])
    if (
        cycle.submitted_at is None
        and not cycle.areas.filter(status__in=[CycleArea.Status.DRAFT, CycleArea.Status.RETURNED]).exists()
    ):
        # The first moment every covered area reached the reviewer: the cycle's submission date.
        cycle.submitted_at = now
        cycle.save(update_fields=["submitted_at"])
    cycle_event_create(cycle=cycle, action="submit", by=by, cycle_area=cycle_area)
    notify_after_commit(
        [cycle.reviewer],
        _("r2dr: an area is ready for your review"),
        _("%(area)s was submitted for review. Sign in to r2dr to review it.") % {"area": area_text(cycle_area)},
    )
    return cycle_area


@transaction.atomic
def cycle_area_return(*, cycle_area: CycleArea, by: User, comments: dict[str, str], note: str = "") -> CycleArea:
    """Return a submitted area; `comments` maps indicator codes to what must change."""
    cycle_area = locked_cycle_area(cycle_area)
    require_reviewer(cycle_area, by)
    if cycle_area.status != CycleArea.Status.SUBMITTED:
        raise TransitionError(_("Only a submitted area can be returned."))
    comments = {code: text.strip() for code, text in comments.items() if text and text.strip()}
    if not comments and not note.strip():
        raise ValidationError(_("Say what must change: comment on at least one indicator."))
    for value in cycle_area.values.select_related("indicator"):
        comment = comments.get(value.indicator.code, "")
        if value.review_comment != comment:
            value.review_comment = comment
            value.save(update_fields=["review_comment"])
    cycle_area.status = CycleArea.Status.RETURNED
    cycle_area.returned_at = timezone.now()
    cycle_area.review_note = note.strip()
    cycle_area.save(update_fields=["status", "returned_at", "review_note"])
    notify_after_commit(
        list(cycle_area.respondents.all()),
        _("r2dr: an area was returned to you"),
        _("%(area)s was returned with comments on %(n)s indicator(s). Sign in to r2dr to see them.")
        % {"area": area_text(cycle_area), "n": len(comments)},
    )
    cycle_event_create(
        cycle=cycle_area.cycle,
        action="return",
        by=by,
        cycle_area=cycle_area,
        note="\n".join([note.strip()] + [f"{c}: {t}" for c, t in comments.items()]).strip(),
    )
    return cycle_area


def _snapshot(value: Value) -> dict[str, Any]:
    return {
        "answer": value.answer,
        "narrative": value.narrative,
        "confidence": value.confidence,
        "disaggregation": value.disaggregation,
        "justification": value.justification,
        "sources": sorted(s.citation for s in value.sources.all()),
    }


@transaction.atomic
def cycle_area_approve(*, cycle_area: CycleArea, by: User, note: str = "") -> CycleArea:
    cycle_area = locked_cycle_area(cycle_area)
    require_reviewer(cycle_area, by)
    if cycle_area.status != CycleArea.Status.SUBMITTED:
        raise TransitionError(_("Only a submitted area can be approved."))
    for value in cycle_area.values.prefetch_related("sources"):
        value.approved_snapshot = _snapshot(value)
        value.review_comment = ""
        value.save(update_fields=["approved_snapshot", "review_comment"])
    cycle_area.status = CycleArea.Status.APPROVED
    cycle_area.approved_at = timezone.now()
    cycle_area.approved_by = by
    cycle_area.review_note = note.strip()
    cycle_area.save(update_fields=["status", "approved_at", "approved_by", "review_note"])
    cycle_event_create(cycle=cycle_area.cycle, action="approve", by=by, cycle_area=cycle_area, note=note)
    notify_after_commit(
        list(cycle_area.respondents.all()),
        _("r2dr: an area was approved"),
        _("%(area)s was approved and is now locked.") % {"area": area_text(cycle_area)},
    )
    return cycle_area


@transaction.atomic
def cycle_area_reopen(*, cycle_area: CycleArea, by: User, reason: str) -> CycleArea:
    cycle_area = locked_cycle_area(cycle_area)
    roles = user_roles(by, cycle_area.institution_id)
    if cycle_area.cycle.reviewer_id != getattr(by, "pk", None) and Role.INSTITUTION_HEAD not in roles:
        raise PermissionDenied(_("Only the reviewer or the institution head can reopen an approved area."))
    if cycle_area.status != CycleArea.Status.APPROVED or cycle_area.cycle.is_published:
        raise TransitionError(_("Only an approved area of an unpublished cycle can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    cycle_area.status = CycleArea.Status.DRAFT
    cycle_area.save(update_fields=["status"])
    cycle_event_create(cycle=cycle_area.cycle, action="reopen", by=by, cycle_area=cycle_area, note=reason.strip())
    return cycle_area


@transaction.atomic
def cycle_area_set_conclusions(*, cycle_area: CycleArea, by: User, findings: str, recommendations: str) -> CycleArea:
    """The institution's findings and recommendations for an area (they go into its national report)."""
    cycle_area = locked_cycle_area(cycle_area)
    roles = user_roles(by, cycle_area.institution_id)
    is_respondent = by is not None and cycle_area.respondents.filter(pk=by.pk).exists()
    if not (is_respondent or cycle_area.cycle.reviewer_id == getattr(by, "pk", None) or Role.INSTITUTION_HEAD in roles):
        raise PermissionDenied(_("Only respondents, the reviewer or the head write the conclusions."))
    if cycle_area.cycle.is_published:
        raise TransitionError(_("This cycle is published; its conclusions are final."))
    cycle_area.findings = findings.strip()
    cycle_area.recommendations = recommendations.strip()
    cycle_area.save(update_fields=["findings", "recommendations"])
    cycle_event_create(cycle=cycle_area.cycle, action="conclusions", by=by, cycle_area=cycle_area)
    return cycle_area
