"""The dimensions statistics are grouped by, and the cases that count: never a duplicate; verified cases for
the institution's own outcome indicators."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import (
    VERIFIED_STATUSES,
    Case,
    CaseLink,
    DefenderGroup,
    Gender,
    PerpetratorKind,
    PerpetratorType,
    Right,
    ViolationType,
)
from r2dr.models import Institution

# Multi-valued dimensions: name -> (Case M2M field, taxonomy model).
MULTI_VALUED = {
    "violation_type": ("violation_types", ViolationType),
    "defender_group": ("defender_groups", DefenderGroup),
    "perpetrator_type": ("perpetrator_types", PerpetratorType),
    "right": ("rights", Right),
}


# Single-valued dimensions stored on the case: name -> (Case field, choices). Their cells add up to the total.
ADDITIVE = {
    "gender": ("gender", Gender),
    "perpetrator_kind": ("perpetrator_kind", PerpetratorKind),
}


GEOGRAPHY = ("country", "subregion")


GROUP_BY = (*MULTI_VALUED, *ADDITIVE, *GEOGRAPHY, "year")


TOTAL = "_total"


def codes_of(values: Iterable | None) -> list:
    if not values:
        return []
    return [getattr(v, "code", v) for v in values]


def not_duplicate_q(prefix: str = "") -> Q:
    """Cases an officer marked as a duplicate (duplicate_of, or a duplicate link from them) never count."""
    link = CaseLink.objects.regional().filter(
        case_id=OuterRef("case_id" if prefix == "case__" else "pk"), kind=CaseLink.Kind.DUPLICATE
    )
    return Q(**{f"{prefix}duplicate_of__isnull": True}) & ~Q(Exists(link))


def verified_cases(
    institution: Institution, date_from: datetime.date | None, date_to: datetime.date | None
) -> QuerySet:
    qs = Case.objects.for_institution(institution).filter(
        not_duplicate_q(),
        status__in=VERIFIED_STATUSES,
        verified_at__isnull=False,
        incident_date__isnull=False,
    )
    if date_from:
        qs = qs.filter(incident_date__gte=date_from)
    if date_to:
        qs = qs.filter(incident_date__lte=date_to)
    return qs
