"""Escalation to the institution head(s), repeat-attack detection, and reminders of overdue interventions.

No case content is e-mailed, only the opaque reference, why, and a link to the case's escalation page: it needs a
login and MFA, shows no content, and tells the reader whether they can read the case (with their own grant of the
case key, unlocked) and how to get there."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    URGENCY_TARGET_HOURS,
    Case,
    CaseAccess,
    CaseLink,
    Intervention,
    InterventionKind,
    InterventionStatus,
    NameDigest,
    Status,
    Urgency,
)
from cases.services.access_log import AUDIT_PREFIX, access_log_append
from r2dr.audit import audit_append
from r2dr.models import Institution, Membership
from r2dr.roles import Role

ESCALATION_URGENT = "urgent"


ESCALATION_REPEAT = "repeat_attack"


ESCALATION_OVERDUE = "response_overdue"

# Why a case was escalated, as the e-mail and the escalation page say it ("… because it was marked urgent").
ESCALATION_WHY = {
    ESCALATION_URGENT: gettext_lazy("it was marked urgent"),
    ESCALATION_REPEAT: gettext_lazy("the same defender or organisation was attacked again"),
    ESCALATION_OVERDUE: gettext_lazy("its response target passed without a first step"),
}


# Who hears of an escalation: the institution head(s) and the assigned officer (for a restricted case, its named
# officers only); see _escalation_recipients.
REPEAT_ATTACK_GAP_DAYS = 30  # same person, incidents further apart than this: a new attack, not a duplicate


def _case_url(case: Case, name: str = "cases_detail") -> str:
    """Absolute link to a page of the case, for e-mails sent without a request (scheduled tasks)."""
    path = reverse(name, kwargs={"institution_slug": case.institution.slug, "case_id": case.pk})
    return settings.R2DR_SITE_URL + path


def _escalation_recipients(case: Case, heads: list[str]) -> list[str]:
    """Who is told of an escalation: the heads and the assigned officer, or, for a restricted case, only the
    officers it names (a restriction may keep a case from the head: a complaint against the institution's own
    leadership), so every recipient can open the page the e-mail links to."""
    if case.restricted:
        named = CaseAccess.objects.for_institution(case.institution).filter(case=case).values("user_id")
        users = get_user_model().objects.filter(pk__in=named, is_active=True).exclude(email="")
        return sorted(set(users.values_list("email", flat=True)))
    officer = case.assigned_to
    assigned = {officer.email} if officer is not None and officer.is_active and officer.email else set()
    return sorted(set(heads) | assigned)


def _head_emails(institution: Institution) -> list[str]:

    ids = Membership.objects.filter(institution=institution, role=Role.INSTITUTION_HEAD).values("user_id")
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def case_escalate(*, case: Case, by: User | None = None, reason: str, head_emails: list[str] | None = None) -> bool:
    """Escalate a case to the institution head(s) once: sets escalated_at, audits, e-mails (reference only).
    `head_emails` lets a batch look the heads up once. Returns False when it was already escalated."""
    with transaction.atomic():
        updated = (
            Case.objects.for_institution(case.institution)
            .filter(pk=case.pk, escalated_at__isnull=True)
            .update(escalated_at=timezone.now())
        )
        if not updated:
            return False
        case.refresh_from_db(fields=["escalated_at"])
        access_log_append(institution=case.institution, user=by, action=f"escalated.{reason}", case=case)
        why = str(ESCALATION_WHY.get(reason, reason))
        # The escalation page, not the case page: the head may hold no key, and the page opens without one.
        link = _case_url(case, "cases_escalation")
        if case.restricted:
            heads = []
        else:
            heads = _head_emails(case.institution) if head_emails is None else head_emails
        recipients = _escalation_recipients(case, heads)
        if recipients:
            subject = _("Case %(ref)s escalated") % {"ref": case.reference}
            body = _(
                "Case %(ref)s was escalated because %(why)s. What this means and what you can do (sign-in needed): "
                "%(url)s"
            ) % {
                "ref": case.reference,
                "why": why,
                "url": link,
            }
            transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))
    return True


def case_repeat_attack_detect(*, case: Case, by: User | None = None) -> list[Case]:
    """Other cases naming the same person or organisation (same keyed name digest) whose incident lies more than
    REPEAT_ATTACK_GAP_DAYS away (closer ones are possible duplicates, for officers to judge): both cases are
    flagged as repeat attacks, linked, and this case is escalated unless it is closed. Digests exist only once an
    unlocked officer has opened or recorded a case, so detection runs then. Returns the other cases."""
    institution = case.institution
    if case.duplicate_of_id:
        return []
    mine = NameDigest.objects.for_institution(institution).filter(case=case)
    others = (
        Case.objects.for_institution(institution)
        .filter(
            pk__in=NameDigest.objects.for_institution(institution)
            .filter(keyring_id__in=mine.values("keyring_id"), digest__in=mine.values("digest"))
            .exclude(case=case)
            .values("case_id"),
            duplicate_of__isnull=True,
        )
        .defer("payload", "sealed_key", "receipt_wrapped_key")
    )
    found = [
        other
        for other in others
        if not (
            case.incident_date
            and other.incident_date
            and abs((case.incident_date - other.incident_date).days) <= REPEAT_ATTACK_GAP_DAYS
        )
    ]
    if not found:
        return []
    linked = set(CaseLink.objects.for_institution(institution).filter(case=case).values_list("other_id", flat=True))
    linked |= set(CaseLink.objects.for_institution(institution).filter(other=case).values_list("case_id", flat=True))
    new = [o for o in found if o.pk not in linked]
    with transaction.atomic():
        CaseLink.objects.bulk_create(
            [CaseLink(institution=institution, case=case, other=o, kind=CaseLink.Kind.REPEAT, by=by) for o in new]
        )
        flagged = (
            Case.objects.for_institution(institution)
            .filter(pk__in=[case.pk] + [o.pk for o in found], repeat_attack=False)
            .update(repeat_attack=True)
        )
        if flagged or new:
            access_log_append(institution=institution, user=by, action="repeat_attack.detected", case=case)
    case.repeat_attack = True
    if case.status != Status.CLOSED:
        case_escalate(case=case, by=by, reason=ESCALATION_REPEAT)
    return found


def cases_escalate_overdue(*, institution: Institution, now: datetime.datetime | None = None) -> int:
    """Escalate urgent and high-urgency cases with no first response after their target. Clear fields only."""

    now = now or timezone.now()
    n = 0
    heads = None  # looked up once, when the first case needs it
    for urgency in (Urgency.URGENT, Urgency.HIGH):
        cutoff = now - datetime.timedelta(hours=URGENCY_TARGET_HOURS[urgency])
        due = (
            Case.objects.for_institution(institution)
            .filter(urgency=urgency, first_response_at__isnull=True, received_at__lt=cutoff, escalated_at__isnull=True)
            .exclude(status=Status.CLOSED)
            .select_related("institution", "assigned_to")
            .defer("payload", "sealed_key", "receipt_wrapped_key")
        )
        for case in due:
            heads = _head_emails(institution) if heads is None else heads
            n += case_escalate(case=case, reason=ESCALATION_OVERDUE, head_emails=heads)
    return n


REMINDER_EVERY_DAYS = 7


def interventions_remind_overdue(*, institution: Institution, now: datetime.datetime | None = None) -> int:
    """E-mail the assigned officer (or whoever recorded it) about each intervention whose response is overdue, then
    weekly while it stays overdue. Only the case reference and the kind of intervention are e-mailed."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    again = now - datetime.timedelta(days=REMINDER_EVERY_DAYS)
    due = list(
        Intervention.objects.for_institution(institution)
        .filter(status=InterventionStatus.SENT, response_due__lt=today, response_received__isnull=True)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=again))
        .select_related("case", "case__institution", "case__assigned_to", "created_by")
        .defer("text", "case__payload", "case__sealed_key", "case__receipt_wrapped_key")
    )
    mails, sent_ids = [], []
    for item in due:
        officer = item.case.assigned_to or item.created_by
        if officer is None or not officer.email or not officer.is_active:
            continue
        link = _case_url(item.case)
        subject = _("Response overdue on case %(ref)s") % {"ref": item.case.reference}
        body = _(
            "The response to the %(kind)s on case %(ref)s was due on %(due)s and has not been recorded. "
            "Chase it or record the response: %(url)s"
        ) % {
            "kind": InterventionKind(item.kind).label.lower(),
            "ref": item.case.reference,
            "due": item.response_due,
            "url": link,
        }
        mails.append((subject, body, None, [officer.email]))
        sent_ids.append(item.pk)
    if sent_ids:
        with transaction.atomic():
            Intervention.objects.for_institution(institution).filter(pk__in=sent_ids).update(reminded_at=now)
            audit_append(
                institution=institution,
                action=f"{AUDIT_PREFIX}reminders_sent",
                actor=None,
                object_type="intervention",
                object_ref=str(len(sent_ids)),
            )
        send_mass_mail(mails, fail_silently=True)
    return len(sent_ids)
