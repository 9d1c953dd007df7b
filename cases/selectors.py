"""Reads of the cases app. The statistics functions (in the cases/statistics/ package, importable from here) are
contracts other apps rely on: they read only fields stored in clear, never identities, and run a constant number
of queries. Readers of encrypted content live in cases/plaintext.py."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    AUDIT_PREFIX,
    STATUS_ORDER,
    TRANSITIONS,
    URGENCY_TARGET_HOURS,
    Case,
    CaseAccess,
    CaseLink,
    CaseSettings,
    CaseWord,
    Consent,
    ConsentAnswer,
    Intervention,
    InterventionStatus,
    KeyGrant,
    Keyring,
    NameDigest,
    OfficerKey,
    PerpetratorType,
    ProtectionMechanism,
    SavedInboxView,
    StatisticsShare,
    Status,
)
from cases.statistics import (  # noqa: F401 - the public statistics selectors of the cases app
    ADDITIVE,
    GROUP_BY,
    MULTI_VALUED,
    SDG_16_10_1_CATEGORIES,
    SDG_16_10_1_VICTIM_GROUPS,
    Release,
    Sdg16101,
    case_statistics,
    case_statistics_release,
    open_urgent_case_count,
    sdg_16_10_1,
    sdg_16_10_1_victims,
    shared_periods,
    suppress_jointly,
    verified_case_count,
    verified_case_counts,
)
from r2dr.audit import audit_entries_for, audit_verify
from r2dr.models import Institution, Membership
from r2dr.roles import Role
from r2dr.tenancy import TenantModel, TenantQuerySet


def case_settings_get(*, institution: Institution) -> CaseSettings:
    """The institution's case settings. Onboarding creates the row (and a migration created it for institutions
    that existed before); should it still be missing, the defaults apply, as an unsaved row: a read never writes."""
    found = CaseSettings.objects.for_institution(institution).first()
    return found if found is not None else CaseSettings(institution=institution)


def access_entries(institution: Institution) -> QuerySet:
    """The cases app's entries in the institution's audit log."""
    return audit_entries_for(institution=institution).filter(action__startswith=AUDIT_PREFIX)


def verify_access_log(institution: Institution) -> bool:
    return audit_verify(institution=institution)[0]


def active_keyring(institution: Institution) -> Keyring | None:
    return Keyring.objects.for_institution(institution).filter(is_active=True).first()


def officer_key_for(institution: Institution, user: Any) -> OfficerKey | None:
    return OfficerKey.objects.for_institution(institution).filter(user=user).first()


def active_grant(institution: Institution, officer_key: OfficerKey | None) -> KeyGrant | None:
    keyring = active_keyring(institution)
    if keyring is None or officer_key is None:
        return None
    return keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).first()


def current_consents(case: Case) -> dict[str, Consent]:
    """The latest answer of each consent kind (consents are ordered oldest first)."""
    return {consent.kind: consent for consent in case.consents.all()}


def allowed_transitions(case: Case) -> list[str]:
    return [s for s in STATUS_ORDER if s in TRANSITIONS[case.status]]


def statistics_shares(institution: Institution) -> QuerySet:
    return StatisticsShare.objects.for_institution(institution).select_related("shared_by")


def mechanisms_for(institution: Institution | None) -> QuerySet:
    q = Q(institution__isnull=True)
    if institution is not None:
        q |= Q(institution=institution)
    return ProtectionMechanism.objects.filter(q, is_active=True).order_by("order", "name")


def cases_visible_to(institution: Institution, user: User | OuterRef) -> QuerySet:
    """The institution's cases this officer may see: all unrestricted ones, and restricted ones naming them."""
    named = CaseAccess.objects.for_institution(institution).filter(user=user).values("case_id")
    return Case.objects.for_institution(institution).filter(Q(restricted=False) | Q(pk__in=named))


def case_with_reference(*, institution: Institution, user: User, reference: str) -> QuerySet:
    """The case of this exact reference, if the officer may see it (at most one row)."""
    return case_list(institution, user).select_related("assigned_to").filter(reference=reference)


def cases_with_words(*, institution: Institution, user: User, keyring: Keyring, digests: list[str]) -> QuerySet:
    """The cases the officer may see whose word index, under `keyring`, holds every one of `digests`: newest first.
    One semi-join per word, each answered from the (institution, keyring, digest, case) index alone."""
    words = CaseWord.objects.for_institution(institution).filter(keyring=keyring)
    qs = case_list(institution, user).select_related("assigned_to")
    for digest in sorted(set(digests)):
        qs = qs.filter(pk__in=words.filter(digest=digest).values("case_id"))
    return qs.order_by("-received_at", "pk")


def cases_words_pending(*, institution: Institution, keyring: Keyring) -> QuerySet:
    """The institution's cases whose words are not indexed under `keyring` yet, oldest first."""
    # Written as ranges around the keyring, not `exclude`, so the (institution, words_keyring_id) index answers.
    other = Q(words_keyring_id__isnull=True) | Q(words_keyring_id__lt=keyring.pk) | Q(words_keyring_id__gt=keyring.pk)
    return (
        Case.objects.for_institution(institution)
        .filter(other)
        .select_related("institution")
        .order_by("received_at", "pk")
    )


def case_officers_who_see(*, case: Case) -> QuerySet:
    """The case officers of the case's institution who may see it: those for whom it is in `cases_visible_to` (the
    inbox's own rule, asked once for all of them), so a restricted case yields only its named officers."""
    visible = cases_visible_to(case.institution, OuterRef(OuterRef("pk"))).filter(pk=case.pk)
    return case_officers(case.institution).filter(Exists(visible))


def cases_readable_by(institution: Institution, user: User, *, case_officer: bool) -> QuerySet:
    """The cases whose pages this member may open. A case officer: cases_visible_to. Any other member the case
    page admits (the institution head): only escalated cases, and never a restricted one (restrictions name case
    officers only); reading content still needs their own grant of the key, unlocked."""
    visible = cases_visible_to(institution, user)
    return visible if case_officer else visible.filter(escalated_at__isnull=False)


def case_escalation_reasons(case: Case) -> list[str]:
    """The reason codes of the case's escalations (urgent, repeat_attack, response_overdue), oldest first, read
    from its access log entries."""
    prefix = f"{AUDIT_PREFIX}escalated."
    actions = (
        audit_entries_for(institution=case.institution, object_type="case", object_ref=case.reference)
        .filter(action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    return [a[len(prefix) :] for a in actions]


def case_list(institution: Institution, user: User | None = None) -> QuerySet:
    base = Case.objects.for_institution(institution) if user is None else cases_visible_to(institution, user)
    return (
        base.prefetch_related("violation_types")
        .order_by("-urgent", "-received_at")
        .defer("payload", "sealed_key", "receipt_wrapped_key")
    )


def case_inbox(
    *,
    institution: Institution,
    user: User,
    status: str | None = None,
    urgency: str | None = None,
    violation_type: str | None = None,
    defender_group: str | None = None,
    assigned_to: User | None = None,
    unassigned: bool = False,
    received_from: datetime.date | None = None,
    received_to: datetime.date | None = None,
    incident_from: datetime.date | None = None,
    incident_to: datetime.date | None = None,
    repeat_attack: bool | None = None,
    escalated: bool | None = None,
    overdue: bool | None = None,
) -> QuerySet:
    """The officers' inbox: clear fields only, filtered; a constant number of queries whatever its size
    (assigned officer joined, violation types prefetched)."""
    qs = case_list(institution, user).select_related("assigned_to").prefetch_related("defender_groups")
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if violation_type:
        qs = qs.filter(
            pk__in=Case.violation_types.through.objects.filter(violationtype__code=violation_type).values("case_id")
        )
    if defender_group:
        qs = qs.filter(
            pk__in=Case.defender_groups.through.objects.filter(defendergroup__code=defender_group).values("case_id")
        )
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    elif assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    if incident_from:
        qs = qs.filter(incident_date__gte=incident_from)
    if incident_to:
        qs = qs.filter(incident_date__lte=incident_to)
    if repeat_attack:
        qs = qs.filter(repeat_attack=True)
    if escalated:
        qs = qs.filter(escalated_at__isnull=False)
    if overdue:
        qs = qs.filter(response_overdue_q())
    return qs.order_by("-urgent", "status_changed_at" if status else "-received_at", "pk")


def response_overdue_q(now: datetime.datetime | None = None) -> Q:
    """Open cases with no first response yet, past their urgency's response target (the inbox timers, as a
    query)."""

    now = now or timezone.now()
    q = Q(pk__in=[])
    for urgency, hours in URGENCY_TARGET_HOURS.items():
        q |= Q(urgency=urgency, received_at__lt=now - datetime.timedelta(hours=hours))
    return Q(first_response_at__isnull=True) & ~Q(status=Status.CLOSED) & q


def saved_inbox_views(institution: Institution, user: User) -> QuerySet:
    """The officer's own saved inbox views and those shared with the institution's officers."""
    return (
        SavedInboxView.objects.for_institution(institution)
        .filter(Q(user=user) | Q(shared=True))
        .select_related("user")
        .order_by("name", "pk")
    )


def case_links(case: Case) -> list[dict]:
    """Links of a case in both directions: [{"kind": label, "other": Case}], a duplicate seen from its main case
    labelled as such."""

    links = CaseLink.objects.for_institution(case.institution)
    out = [
        {"kind": link.get_kind_display(), "other": link.other}
        for link in links.filter(case=case).select_related("other").order_by("at", "pk")
    ]
    for link in links.filter(other=case).select_related("case").order_by("at", "pk"):
        kind = _("Duplicate of this case") if link.kind == CaseLink.Kind.DUPLICATE else link.get_kind_display()
        out.append({"kind": kind, "other": link.case})
    return out


def case_officers(institution: Institution) -> QuerySet:
    """Users who may be assigned cases: the institution's case officers."""

    ids = Membership.objects.filter(institution=institution, role=Role.CASE_OFFICER).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("email", "username")


ANOTHER_COUNTRY = "ZZ"  # the public form's "Another country"


def country_names() -> dict[str, str]:
    """{ISO code: the country's name} for every country a case can name: the countries of the platform's
    institutions (the ones the public form offers) and "Another country". One query."""
    # Active institutions last, so their spelling wins over a closed one's of the same country.
    names = dict(Institution.objects.order_by("is_active", "pk").values_list("country_code", "country"))
    names[ANOTHER_COUNTRY] = _("Another country")
    return names


def country_name(code: str, names: dict[str, str] | None = None) -> str:
    """The country of a case in words; the code itself only for a country no institution has."""
    return (names if names is not None else country_names()).get(code, code)


def perpetrator_kinds() -> dict[str, str]:
    """{perpetrator type code: "state" | "non_state" | "unknown"}: taxonomy only, no case data
    (the regional dashboard's share of state perpetrators)."""
    return dict(PerpetratorType.objects.values_list("code", "kind"))


def consent_in_force(case: Case, kind: str) -> str:
    """The answer in force for one consent kind ("no" unless the submitter's latest answer said yes). Exports,
    referrals (UN, protection organisations) and contact must check this before using a case."""
    latest = case.consents.filter(kind=kind).order_by("-recorded_at", "-pk").values_list("answer", flat=True).first()
    return latest or ConsentAnswer.NO


def accepting_institution_ids() -> set[int]:
    """Institutions whose public form is open (keys set up, intake not closed): public information, shown on the
    /report/ chooser. Reads only the existence of an active keyring, no case data."""
    keyed = set(Keyring.objects.regional().filter(is_active=True).values_list("institution_id", flat=True))
    closed = set(CaseSettings.objects.regional().filter(intake_open=False).values_list("institution_id", flat=True))
    return keyed - closed


def interventions_due(*, institution: Institution, user: User) -> list:
    """Interventions awaiting a response past their due date, on cases this officer may see (reminders)."""

    visible = cases_visible_to(institution, user).values("pk")
    return list(
        Intervention.objects.for_institution(institution)
        .filter(status=InterventionStatus.SENT, response_due__lt=timezone.localdate(), case_id__in=visible)
        .select_related("case")
        .order_by("response_due", "pk")[:50]
    )


def duplicate_candidates(*, case: Case, user: User, limit: int = 20) -> list[dict]:
    """Possible duplicates of `case` the officer may see: the same keyed name digest (exact after normalisation),
    or the same country, an incident within 90 days, a shared violation type and the same perpetrator kind (the
    caller may then compare decrypted names). [{"case": Case, "same_name": bool}]"""

    visible = cases_visible_to(case.institution, user).exclude(pk=case.pk)
    links = CaseLink.objects.for_institution(case.institution)
    visible = (
        visible.exclude(pk__in=links.filter(case=case).values("other_id"))
        .exclude(pk__in=links.filter(other=case).values("case_id"))
        .defer("receipt_wrapped_key")
    )
    mine = NameDigest.objects.for_institution(case.institution).filter(case=case)
    same_name_ids = set(
        NameDigest.objects.for_institution(case.institution)
        .filter(keyring_id__in=mine.values("keyring_id"), digest__in=mine.values("digest"))
        .exclude(case=case)
        .values_list("case_id", flat=True)
    )
    q = Q(pk__in=same_name_ids)
    if case.incident_date:
        window = datetime.timedelta(days=90)
        vts = Case.violation_types.through.objects.filter(case_id=case.pk).values("violationtype_id")
        with_vt = Case.violation_types.through.objects.filter(violationtype_id__in=vts).values("case_id")
        q |= Q(
            country_code=case.country_code,
            perpetrator_kind=case.perpetrator_kind,
            incident_date__gte=case.incident_date - window,
            incident_date__lte=case.incident_date + window,
            pk__in=with_vt,
        )
    rows = visible.filter(q).order_by("-received_at")[:limit]
    return [{"case": c, "same_name": c.pk in same_name_ids} for c in rows]


def cases_due_for_deletion(*, institution: Institution, now: datetime.datetime | None = None) -> QuerySet:
    """Closed cases past the institution's retention period, not under legal hold."""

    now = now or timezone.now()
    years = case_settings_get(institution=institution).retention_years
    cutoff = now - datetime.timedelta(days=365 * years + years // 4)
    return Case.objects.for_institution(institution).filter(
        status=Status.CLOSED, closed_at__lt=cutoff, legal_hold=False
    )


def case_statistics_version(*, institution: Institution | None = None) -> str:
    """A token that changes whenever the published case statistics may have changed: the sharing decisions
    (StatisticsShare rows, CaseSettings.share_regional_statistics and min_cell), duplicate links, and the cases
    that count (consented, dated, not duplicates): their number, ids, incident-date range and latest status
    change or verification. Regional (every institution) without `institution`. Four small queries, no case data.

    Cases carry no "modified" timestamp, so an edit that touches none of these (a case's violation types, say)
    leaves the token as it was: a cache keyed by it must still expire."""

    def scoped(model: type[TenantModel]) -> TenantQuerySet:
        return model.objects.regional() if institution is None else model.objects.for_institution(institution)

    counted = scoped(Case).filter(consent_statistics=True, incident_date__isnull=False, duplicate_of__isnull=True)
    cases = counted.aggregate(
        n=Count("pk"),
        ids=Sum("pk"),
        last_id=Max("pk"),
        first_incident=Min("incident_date"),
        last_incident=Max("incident_date"),
        last_change=Max("status_changed_at"),
        last_verified=Max("verified_at"),
    )
    links = scoped(CaseLink).filter(kind=CaseLink.Kind.DUPLICATE).aggregate(n=Count("pk"), ids=Sum("pk"))
    # Few rows (one per institution, one per shared year): read them whole, so a withdrawn share always shows.
    shares = list(scoped(StatisticsShare).order_by("institution_id", "year").values_list("institution_id", "year"))
    choices = list(
        scoped(CaseSettings)
        .order_by("institution_id")
        .values_list("institution_id", "share_regional_statistics", "min_cell")
    )
    payload = repr((sorted(cases.items()), sorted(links.items()), shares, choices))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
