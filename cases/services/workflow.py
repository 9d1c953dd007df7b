"""The case workflow (received -> assessment -> verification -> action -> closed, following NHRI complaint
handling), sources, triage, assignment, restriction and regional sharing of statistics."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import crypto
from cases.aad import (
    aad_source,
    aad_transition,
)
from cases.models import (
    CLOSING_OUTCOMES,
    STATUS_ORDER,
    TRANSITIONS,
    Case,
    CaseAccess,
    CaseSettings,
    CaseSource,
    CaseTransition,
    Inadmissibility,
    Outcome,
    RespondentType,
    StatisticsShare,
    Status,
    Urgency,
)
from cases.selectors import cases_visible_to
from cases.services.access_log import AUDIT_PREFIX, access_log_append
from cases.services.case_settings import case_settings_create
from cases.services.escalation import ESCALATION_REPEAT, ESCALATION_URGENT, case_escalate
from cases.services.notifications import case_notifications_withdraw
from r2dr.audit import audit_append
from r2dr.models import Institution, Membership
from r2dr.roles import Role


class TransitionRefused(Exception):
    """The requested step is not allowed from the case's status, or its conditions are not met."""


def case_transition(
    *,
    case: Case,
    case_key: bytes,
    by: User | None,
    to_status: str,
    reason: str,
    respondent_type: str = "",
    within_time_limit: bool | None = None,
    sub_judice: bool | None = None,
    inadmissibility: str = "",
    reasonable_grounds: bool | None = None,
    outcome: str = "",
) -> CaseTransition:
    """Move a case one step along the workflow, recording who, when and why. Raises TransitionRefused."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Say why."))
    with transaction.atomic():
        case = Case.objects.for_institution(case.institution).select_for_update().get(pk=case.pk)
        current = case.status
        if to_status not in TRANSITIONS.get(current, set()):
            raise TransitionRefused(
                _("A case cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Status(current).label, "to": Status(to_status).label if to_status in STATUS_ORDER else "?"}
            )
        now = timezone.now()
        facts = {}
        if current == Status.ASSESSMENT and to_status == Status.VERIFICATION:
            if not respondent_type or within_time_limit is None or sub_judice is None:
                raise TransitionRefused(_("Record the respondent type, the time limit and whether it is sub judice."))
            if respondent_type == RespondentType.NON_STATE or not within_time_limit or sub_judice:
                raise TransitionRefused(_("This case is not admissible: close it with the reason instead."))
            facts = {"respondent_type": respondent_type, "within_time_limit": within_time_limit, "sub_judice": False}
        if current == Status.VERIFICATION and to_status == Status.ACTION:
            if reasonable_grounds is not True:
                raise TransitionRefused(_("Action needs reasonable grounds to believe the facts alleged."))
            if not case.sources.exists():
                raise TransitionRefused(_("Record at least one source before concluding verification."))
            facts = {"reasonable_grounds": True}
            case.verified_at = now
        if to_status == Status.CLOSED:
            if outcome not in CLOSING_OUTCOMES[current]:
                raise TransitionRefused(_("Choose an outcome that fits this stage."))
            if outcome == Outcome.INADMISSIBLE:
                if inadmissibility not in Inadmissibility.values:
                    raise TransitionRefused(_("Say why the case is not admissible."))
                facts["inadmissibility"] = inadmissibility
            if current == Status.VERIFICATION and outcome == Outcome.NOT_SUBSTANTIATED:
                facts["reasonable_grounds"] = False
            facts["outcome"] = outcome
            case.outcome = outcome
            case.closed_at = now
        step = CaseTransition(
            institution=case.institution, case=case, from_status=current, to_status=to_status, by=by, at=now, **facts
        )
        step.reason = crypto.encrypt(case_key, reason.encode(), aad_transition(case))
        step.save()
        case.status = to_status
        case.status_changed_at = now
        if case.first_response_at is None:
            case.first_response_at = now
        case.save(
            update_fields=["status", "status_changed_at", "first_response_at", "verified_at", "outcome", "closed_at"]
        )
        access_log_append(institution=case.institution, user=by, action=f"transition.{to_status}", case=case)
    return step


def source_add(
    *, case: Case, case_key: bytes, by: User | None, kind: str, reliability: str, description: str
) -> CaseSource:
    with transaction.atomic():
        source = CaseSource(institution=case.institution, case=case, kind=kind, reliability=reliability, added_by=by)
        source.description = crypto.encrypt(case_key, description.encode(), aad_source(case))
        source.save()
        access_log_append(institution=case.institution, user=by, action="source_added", case=case)
    return source


def case_triage(*, case: Case, by: User | None, urgency: str | None = None, repeat_attack: bool | None = None) -> Case:
    """Urgency and the repeat-attack flag: clear, non-identifying fields, no key needed."""
    fields = []
    if urgency is not None and urgency != case.urgency:
        case.urgency = Urgency(urgency)
        case.urgent = case.urgency == Urgency.URGENT
        fields += ["urgency", "urgent"]
    if repeat_attack is not None and repeat_attack != case.repeat_attack:
        case.repeat_attack = repeat_attack
        fields.append("repeat_attack")
    if fields:
        with transaction.atomic():
            case.save(update_fields=fields)
            access_log_append(
                institution=case.institution, user=by, action="triaged", case=case, detail=",".join(fields)
            )
            if "urgency" in fields and case.urgency == Urgency.URGENT:
                case_escalate(case=case, by=by, reason=ESCALATION_URGENT)
            elif "repeat_attack" in fields and case.repeat_attack:
                case_escalate(case=case, by=by, reason=ESCALATION_REPEAT)
    return case


def cases_assign(*, institution: Institution, case_ids: Iterable[int], officer: User | None, by: User | None) -> int:
    """Bulk assignment (officer None = unassign). Only case officers of the institution can be assigned, and only
    cases the acting officer may see (a restricted case not naming them is skipped, as another institution's is)."""
    if (
        officer is not None
        and not Membership.objects.filter(institution=institution, user=officer, role=Role.CASE_OFFICER).exists()
    ):
        raise ValueError("not a case officer of this institution")
    with transaction.atomic():
        # Without an acting user (scripts, the demo) there is nobody whose view of restricted cases applies.
        cases = Case.objects.for_institution(institution) if by is None else cases_visible_to(institution, by)
        refs = list(cases.filter(pk__in=list(case_ids)).values_list("pk", "reference"))
        Case.objects.for_institution(institution).filter(pk__in=[pk for pk, _r in refs]).update(assigned_to=officer)
        for _pk, ref in refs:
            audit_append(
                institution=institution,
                action=f"{AUDIT_PREFIX}assigned",
                actor=by,
                object_type="case",
                object_ref=ref,
                detail={"officer": officer.pk if officer else None},
            )
    return len(refs)


def case_restrict(*, case: Case, by: User, officers: Iterable[User]) -> Case:
    """Limit a case to the named officers (the officer restricting is always named); an empty list lifts the
    restriction. Only case officers of the institution can be named."""
    officer_ids = {u.pk for u in officers}
    allowed = set(
        Membership.objects.filter(
            institution=case.institution, role=Role.CASE_OFFICER, user_id__in=officer_ids | {by.pk}
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        CaseAccess.objects.for_institution(case.institution).filter(case=case).delete()
        if officer_ids:
            names = (officer_ids | {by.pk}) & allowed
            CaseAccess.objects.bulk_create(
                [CaseAccess(institution=case.institution, case=case, user_id=uid, added_by=by) for uid in sorted(names)]
            )
        case.restricted = bool(officer_ids)
        case.save(update_fields=["restricted"])
        if case.restricted:
            case_notifications_withdraw(case=case)
        access_log_append(
            institution=case.institution,
            user=by,
            action="restricted" if case.restricted else "unrestricted",
            case=case,
            detail=",".join(str(u) for u in sorted((officer_ids | {by.pk}) & allowed)) if case.restricted else "",
        )
    return case


def statistics_share_every_year(*, institution: Institution, by: User | None, share: bool) -> None:
    """Make (or withdraw) the standing decision to share the institution's case statistics of every incident year,
    years to come included. Withdrawing it leaves shared the years shared one by one (`statistics_share`)."""
    with transaction.atomic():
        settings_row = case_settings_create(institution=institution)
        CaseSettings.objects.for_institution(institution).filter(pk=settings_row.pk).update(
            share_regional_statistics=share
        )
        audit_append(
            institution=institution,
            action=f"{AUDIT_PREFIX}statistics.{'every_year_shared' if share else 'every_year_unshared'}",
            actor=by,
            object_type="case_statistics",
            object_ref="every-year",
        )


def statistics_share(*, institution: Institution, year: int, by: User | None, share: bool = True) -> None:
    """Share (or stop sharing) the institution's case statistics of one incident year with the region."""
    with transaction.atomic():
        if share:
            StatisticsShare.objects.for_institution(institution).get_or_create(
                institution=institution, year=year, defaults={"shared_by": by}
            )
        else:
            StatisticsShare.objects.for_institution(institution).filter(year=year).delete()
        audit_append(
            institution=institution,
            action=f"{AUDIT_PREFIX}statistics.{'shared' if share else 'unshared'}",
            actor=by,
            object_type="case_statistics",
            object_ref=str(year),
        )
