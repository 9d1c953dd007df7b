"""What the indicators services share: role checks, the state-machine guards, the cycle's event trail and
notifications. Writes live in the workflow modules beside this one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Cycle, CycleArea, CycleEvent
from r2dr.models import Institution, Membership
from r2dr.roles import Role


class TransitionError(ValidationError):
    """A state transition that the state machine does not allow."""


def user_roles(user: User | None, institution: Institution | int | None) -> set[str]:
    if user is None:
        return set()
    return set(Membership.objects.filter(user=user, institution=institution).values_list("role", flat=True))


def is_regional_admin(user: User | None) -> bool:
    return Membership.objects.filter(user=user, institution=None, role=Role.REGIONAL_ADMIN).exists()


def require_regional_admin(by: User | None) -> None:
    if not is_regional_admin(by):
        raise PermissionDenied(_("Only regional admins maintain the framework."))


def cycle_event_create(
    *, cycle: Cycle, action: str, by: User | None, cycle_area: CycleArea | None = None, note: str = ""
) -> CycleEvent:
    return CycleEvent.objects.create(
        institution_id=cycle.institution_id, cycle=cycle, cycle_area=cycle_area, action=action, by=by, note=note
    )


_notifications = {"on": True}


@contextlib.contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Demo seeding works inside this: it would otherwise e-mail fictitious staff."""
    previous = _notifications["on"]
    _notifications["on"] = False
    try:
        yield
    finally:
        _notifications["on"] = previous


def notify_after_commit(users: Iterable[User | None], subject: str, body: str) -> None:
    """E-mail after commit. Bodies name the cycle and area only: no answers, sources or narratives."""
    if not _notifications["on"]:
        return
    recipients = sorted({u.email for u in users if u is not None and u.email})
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def area_text(cycle_area: CycleArea) -> str:
    return f"{cycle_area.cycle.title} · {cycle_area.area.code}. {cycle_area.area.title}"


def require_respondent(cycle_area: CycleArea, by: User | None) -> None:
    if by is None or not cycle_area.respondents.filter(pk=by.pk).exists():
        raise PermissionDenied(_("Only the respondents of this area can change its data."))


def require_reviewer(cycle_area: CycleArea, by: User | None) -> None:
    if by is None or cycle_area.cycle.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the cycle's reviewer can do this."))


def require_editable(cycle_area: CycleArea) -> None:
    if cycle_area.cycle.is_published:
        raise TransitionError(_("This cycle is published; its data is final."))
    if not cycle_area.is_editable:
        raise TransitionError(
            _("This area is %(status)s and locked.") % {"status": cycle_area.get_status_display().lower()}
        )


def locked_cycle_area(cycle_area: CycleArea) -> CycleArea:
    """The area again, row-locked for the caller's transaction, so two transitions cannot interleave."""
    return (
        CycleArea.objects.for_institution(cycle_area.institution_id)
        .select_for_update()
        .select_related("cycle", "area")
        .get(pk=cycle_area.pk)
    )
