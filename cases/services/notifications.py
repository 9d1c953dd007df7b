"""What the cases app tells its officers: a new report, and a reply from the person who reported. Each reaches
exactly the officers who may see the case (`case_officers_who_see`, the inbox's own rule: a restricted case only
its named officers), as a platform notification carrying the case reference and the case page's path, nothing
of the case itself."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.selectors import case_officers_who_see
from r2dr.notifications import Delivery, NotificationKind
from r2dr.notifications.services import notifications_create, notifications_delete_for, notifications_withdraw
from r2dr.roles import Role

NEW_REPORT = "cases.new_report"
DEFENDER_REPLIED = "cases.defender_replied"

# Hearing of a report is part of a case officer's work: e-mail at once or daily, never off (the count stays).
NOTIFICATION_KINDS = [
    NotificationKind(
        key=NEW_REPORT,
        label=_("New report"),
        description=_("When a new report arrives"),
        roles=frozenset({Role.CASE_OFFICER}),
        deliveries=(Delivery.IMMEDIATE, Delivery.DIGEST),
    ),
    NotificationKind(
        key=DEFENDER_REPLIED,
        label=_("Reply from the person who reported"),
        description=_("When the person who reported writes again on a case you may see"),
        roles=frozenset({Role.CASE_OFFICER}),
        deliveries=(Delivery.IMMEDIATE, Delivery.DIGEST),
    ),
]


def case_page_path(case: Case) -> str:
    return reverse("cases_detail", kwargs={"institution_slug": case.institution.slug, "case_id": case.pk})


def case_officers_notify(*, case: Case, kind: str, by: User | None = None) -> int:
    """Notify the officers who may see `case` of an event of `kind` (not the officer who caused it). Call inside the
    transaction that records the event: the e-mails leave only if it commits. Returns how many were notified."""
    recipients = case_officers_who_see(case=case)
    if by is not None:
        recipients = recipients.exclude(pk=by.pk)
    made = notifications_create(
        institution=case.institution,
        kind=kind,
        recipients=recipients.values_list("pk", flat=True),
        link=case_page_path(case),
        reference=case.reference,
    )
    return len(made)


def case_notifications_withdraw(*, case: Case) -> int:
    """After a case is restricted: officers no longer named lose its unread notifications (its reference and link)."""
    return notifications_withdraw(
        institution=case.institution,
        link=case_page_path(case),
        keep=case_officers_who_see(case=case).values_list("pk", flat=True),
    )


def case_notifications_delete(*, case: Case) -> int:
    """When a case is deleted for good: every notification of it goes too (its reference must not outlive it)."""
    return notifications_delete_for(institution=case.institution, link=case_page_path(case))
