"""Technical-assistance requests: an institution's member opens one; facilitators move it requested → accepted →
in progress → answered → closed (and an answer may be reopened); the institution may close its own. Every step is
an event (who, when, note) and an audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from r2dr.audit import audit_append
from r2dr.models import Institution
from training.workshops.models import AssistanceEvent, AssistanceRequest, AssistanceStatus, Topic

S = AssistanceStatus
# What each status may move to, by a facilitator.
NEXT: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.ACCEPTED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset(),
}


class AssistanceRefused(Exception):
    """The step is not allowed; the message says why."""


def _name(user: Any) -> str:
    return (user.get_full_name() or user.email or user.get_username()) if user is not None else ""


def _step(request: AssistanceRequest, *, by: Any, status: str, note: str, action: str) -> None:
    AssistanceEvent.objects.create(
        institution_id=request.institution_id, request=request, status=status, by=by, by_name=_name(by), note=note
    )
    # The audit entry carries the step, not the request's text.
    audit_append(
        institution=request.institution,
        action=action,
        actor=by,
        object_type="assistance_request",
        object_ref=request.pk,
        detail={"status": status},
    )


def assistance_request_open(*, institution: Institution, by: Any, topic: str, description: str) -> AssistanceRequest:
    if topic not in Topic.values:
        raise AssistanceRefused(_("Choose a topic."))
    if not description.strip():
        raise AssistanceRefused(_("Say what you need."))
    with transaction.atomic():
        request = AssistanceRequest.objects.create(
            institution=institution, topic=topic, description=description, opened_by=by
        )
        _step(request, by=by, status=S.REQUESTED, note="", action="assistance.opened")
    return request


def assistance_request_move(
    *, request: AssistanceRequest, by: Any, status: str, note: str = "", as_institution: bool = False
) -> AssistanceRequest:
    """Move the request to `status`. The institution may only close it; a facilitator follows NEXT."""
    with transaction.atomic():
        locked = (
            AssistanceRequest.objects.for_institution(request.institution_id).select_for_update().get(pk=request.pk)
        )
        allowed = NEXT.get(locked.status, frozenset())
        if as_institution:
            allowed = allowed & {S.CLOSED}
        if status not in allowed:
            raise AssistanceRefused(_("This request cannot move to that status now."))
        locked.status = status
        locked.changed_at = timezone.now()
        locked.save(update_fields=["status", "changed_at"])
        _step(locked, by=by, status=status, note=note, action=f"assistance.{status}")
    return locked
