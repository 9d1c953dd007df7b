"""Reads of the cases app. The statistics functions are contracts other apps rely on: they read only fields
stored in clear, never identities, and run a constant number of queries."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from cases.models import (
    VERIFIED_STATUSES,
    Case,
    CaseSettings,
    DefenderGroup,
    PerpetratorType,
    ProtectionMechanism,
    Right,
    Status,
    ViolationType,
)

GROUP_BY = {
    # name: (values() path for the code, taxonomy model or None)
    "violation_type": ("violation_types__code", ViolationType),
    "defender_group": ("defender_groups__code", DefenderGroup),
    "perpetrator_type": ("perpetrator_types__code", PerpetratorType),
    "right": ("rights__code", Right),
    "country": ("country_code", None),
    "subregion": ("subregion", None),
    "year": (None, None),
}


def _codes(values):
    if not values:
        return []
    return [getattr(v, "code", v) for v in values]


def verified_case_count(*, institution, date_from, date_to, violation_types=None, defender_groups=None) -> int:
    """Cases that passed verification (status action/closed with verified_at set), incident date in range."""
    qs = Case.objects.for_institution(institution).filter(
        status__in=VERIFIED_STATUSES,
        verified_at__isnull=False,
        duplicate_of__isnull=True,
        incident_date__gte=date_from,
        incident_date__lte=date_to,
    )
    if violation_types:
        qs = qs.filter(violation_types__code__in=_codes(violation_types))
    if defender_groups:
        qs = qs.filter(defender_groups__code__in=_codes(defender_groups))
    return qs.values("pk").distinct().count()


def open_urgent_case_count(*, institution) -> int:
    return Case.objects.for_institution(institution).filter(urgent=True).exclude(status=Status.CLOSED).count()


def _min_cell(institution, min_cell):
    if min_cell is not None:
        return int(min_cell)
    if institution is not None:
        value = (
            CaseSettings.objects.for_institution(institution)
            .exclude(min_cell__isnull=True)
            .values_list("min_cell", flat=True)
            .first()
        )
        if value:
            return int(value)
    return int(getattr(settings, "R2DR_MIN_CELL", 5))


def _labels(model, group_by):
    from django.utils.translation import gettext

    if model is not None:
        return {obj.code: obj.tr("label") for obj in model.objects.all()}
    if group_by == "subregion":
        from r2dr.models import SubRegion

        return {value: str(label) for value, label in SubRegion.choices}
    if group_by == "country":
        from r2dr.models import Institution

        return {**dict(Institution.objects.values_list("country_code", "country")), "ZZ": gettext("Another country")}
    return {None: gettext("Unknown")}


def suppress(rows: list[dict], min_cell: int) -> list[dict]:
    """Primary suppression of cells below `min_cell`, then complementary suppression: within a year, a single
    suppressed cell could be recovered from the total, so the next smallest cell is suppressed too."""
    by_year = defaultdict(list)
    for row in rows:
        row["suppressed"] = row["count"] < min_cell
        by_year[row["year"]].append(row)
    for cells in by_year.values():
        hidden = [r for r in cells if r["suppressed"]]
        shown = sorted((r for r in cells if not r["suppressed"]), key=lambda r: r["count"])
        if len(hidden) == 1 and shown:
            shown[0]["suppressed"] = True
    for row in rows:
        if row["suppressed"]:
            row["count"] = None
    return rows


def case_statistics(
    *,
    institution=None,
    date_from=None,
    date_to=None,
    group_by="violation_type",
    regional=False,
    subregion=None,
    country=None,
    min_cell=None,
) -> list[dict]:
    """Counts of cases (each case once per cell) by category and incident year, from clear fields only.

    Only cases whose submitter said yes to anonymised statistics count. With `regional=True`, only institutions
    that share case statistics regionally. Cells below the minimum and complementary cells are suppressed."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {sorted(GROUP_BY)}")
    if not regional and institution is None:
        raise ValueError("institution is required unless regional=True")
    # One grouped query per call. Multi-valued dimensions are counted on the M2M table joined to the case: a
    # (case, term) pair is unique there, so COUNT(*) already counts each case once per cell and the costly
    # COUNT(DISTINCT) sort is avoided; grouping by the term id (not its code) avoids a join to the taxonomy.
    path, model = GROUP_BY[group_by]
    m2m = path is not None and model is not None
    if m2m:
        field = path.split("__")[0]
        through = getattr(Case, field).through
        fk = getattr(Case, field).rel.field.m2m_reverse_name()
        qs, prefix = through.objects.all(), "case__"
        key_field = fk
    else:
        qs, prefix = Case.objects.regional() if regional else Case.objects.for_institution(institution), ""
        key_field = path
    conditions = {
        f"{prefix}consent_statistics": True,
        f"{prefix}incident_date__isnull": False,
        f"{prefix}duplicate_of__isnull": True,  # each victim once: duplicates marked by officers are left out
    }
    shared_q = Q()
    if regional:
        shared_q = _regional_share_q(prefix)
        if institution is not None:
            conditions[f"{prefix}institution_id"] = getattr(institution, "pk", institution)
    else:
        conditions[f"{prefix}institution_id"] = institution.pk
    if date_from:
        conditions[f"{prefix}incident_date__gte"] = date_from
    if date_to:
        conditions[f"{prefix}incident_date__lte"] = date_to
    if subregion:
        conditions[f"{prefix}subregion"] = subregion
    if country:
        conditions[f"{prefix}country_code"] = country
    qs = qs.filter(shared_q, **conditions).annotate(year=ExtractYear(f"{prefix}incident_date"))
    if key_field is None:
        data = qs.values("year").annotate(n=Count("pk")).order_by("year")
        rows = [{"key": str(d["year"]), "label": str(d["year"]), "year": d["year"], "count": d["n"]} for d in data]
    else:
        data = qs.values(key_field, "year").annotate(n=Count("pk")).order_by()
        if m2m:
            terms = {pk: (code, obj_label) for pk, code, obj_label in _terms(model)}
            cells = [(terms[d[key_field]][0], terms[d[key_field]][1], d["year"], d["n"]) for d in data]
        else:
            labels = _labels(None, group_by)
            cells = [(d[key_field], labels.get(d[key_field], d[key_field]), d["year"], d["n"]) for d in data]
        cells.sort(key=lambda c: (c[2], c[0]))
        rows = [{"key": k, "label": lbl, "year": y, "count": n} for k, lbl, y, n in cells]
    return suppress(rows, _min_cell(None if regional else institution, min_cell))


def shared_periods() -> tuple[set[int], set[tuple[int, int]]]:
    """(institutions sharing every year, {(institution, year)} shared explicitly): what the region may count."""
    from cases.models import StatisticsShare

    every_year = set(
        CaseSettings.objects.regional().filter(share_regional_statistics=True).values_list("institution_id", flat=True)
    )
    years = {
        (i, y)
        for i, y in StatisticsShare.objects.regional().values_list("institution_id", "year")
        if i not in every_year
    }
    return every_year, years


def _regional_share_q(prefix: str) -> Q:
    import datetime

    every_year, years = shared_periods()
    q = Q(**{f"{prefix}institution_id__in": sorted(every_year)}) if every_year else Q(pk__in=[])
    for institution_id, year in sorted(years):
        q |= Q(
            **{
                f"{prefix}institution_id": institution_id,
                f"{prefix}incident_date__gte": datetime.date(year, 1, 1),
                f"{prefix}incident_date__lte": datetime.date(year, 12, 31),
            }
        )
    return q


def statistics_shares(institution):
    from cases.models import StatisticsShare

    return StatisticsShare.objects.for_institution(institution).select_related("shared_by")


def _terms(model):
    return [(obj.pk, obj.code, obj.tr("label")) for obj in model.objects.all()]


def mechanisms_for(institution):
    q = Q(institution__isnull=True)
    if institution is not None:
        q |= Q(institution=institution)
    return ProtectionMechanism.objects.filter(q, is_active=True).order_by("order", "name")


def cases_visible_to(institution, user):
    """The institution's cases this officer may see: all unrestricted ones, and restricted ones naming them."""
    from cases.models import CaseAccess

    named = CaseAccess.objects.for_institution(institution).filter(user=user).values("case_id")
    return Case.objects.for_institution(institution).filter(Q(restricted=False) | Q(pk__in=named))


def case_list(institution, user=None):
    base = Case.objects.for_institution(institution) if user is None else cases_visible_to(institution, user)
    return (
        base.prefetch_related("violation_types")
        .order_by("-urgent", "-received_at")
        .defer("payload", "sealed_key", "receipt_wrapped_key")
    )


def case_inbox(
    *,
    institution,
    user,
    status=None,
    urgency=None,
    violation_type=None,
    defender_group=None,
    assigned_to=None,
    unassigned=False,
    received_from=None,
    received_to=None,
    repeat_attack=None,
):
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
    if repeat_attack:
        qs = qs.filter(repeat_attack=True)
    return qs.order_by("-urgent", "status_changed_at" if status else "-received_at", "pk")


def case_officers(institution):
    """Users who may be assigned cases: the institution's case officers."""
    from django.contrib.auth import get_user_model

    from r2dr.models import Membership
    from r2dr.roles import Role

    ids = Membership.objects.filter(institution=institution, role=Role.CASE_OFFICER).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("email", "username")


def perpetrator_kinds() -> dict[str, str]:
    """{perpetrator type code: "state" | "non_state" | "unknown"}: taxonomy only, no case data
    (the regional dashboard's share of state perpetrators)."""
    return dict(PerpetratorType.objects.values_list("code", "kind"))


def consent_in_force(case, kind: str) -> str:
    """The answer in force for one consent kind ("no" unless the submitter's latest answer said yes). Exports,
    referrals (UN, protection organisations) and contact must check this before using a case."""
    from cases.models import ConsentAnswer

    latest = case.consents.filter(kind=kind).order_by("-recorded_at", "-pk").values_list("answer", flat=True).first()
    return latest or ConsentAnswer.NO


def accepting_institution_ids() -> set[int]:
    """Institutions whose public form is open (keys set up, intake not closed): public information, shown on the
    /report/ chooser. Reads only the existence of an active keyring, no case data."""
    from cases.models import Keyring

    keyed = set(Keyring.objects.regional().filter(is_active=True).values_list("institution_id", flat=True))
    closed = set(CaseSettings.objects.regional().filter(intake_open=False).values_list("institution_id", flat=True))
    return keyed - closed


def interventions_due(*, institution, user) -> list:
    """Interventions awaiting a response past their due date, on cases this officer may see (reminders)."""
    from django.utils import timezone

    from cases.models import Intervention, InterventionStatus

    visible = cases_visible_to(institution, user).values("pk")
    return list(
        Intervention.objects.for_institution(institution)
        .filter(status=InterventionStatus.SENT, response_due__lt=timezone.localdate(), case_id__in=visible)
        .select_related("case")
        .order_by("response_due", "pk")[:50]
    )


def duplicate_candidates(*, case, user, limit=20) -> list[dict]:
    """Possible duplicates of `case` the officer may see: the same keyed name digest (exact after normalisation),
    or the same country, an incident within 90 days, a shared violation type and the same perpetrator kind (the
    caller may then compare decrypted names). [{"case": Case, "same_name": bool}]"""
    import datetime

    from cases.models import CaseLink, NameDigest

    visible = cases_visible_to(case.institution, user).exclude(pk=case.pk)
    linked = CaseLink.objects.for_institution(case.institution).filter(case=case).values("other_id")
    visible = visible.exclude(pk__in=linked).defer("receipt_wrapped_key")
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


def cases_due_for_deletion(*, institution, now=None):
    """Closed cases past the institution's retention period, not under legal hold."""
    import datetime

    from django.utils import timezone

    from cases.services import settings_for

    now = now or timezone.now()
    years = settings_for(institution).retention_years
    cutoff = now - datetime.timedelta(days=365 * years + years // 4)
    return Case.objects.for_institution(institution).filter(
        status=Status.CLOSED, closed_at__lt=cutoff, legal_hold=False
    )
