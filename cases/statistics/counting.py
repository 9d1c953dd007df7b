"""Unsuppressed counts of verified cases, for the institution's own staff and outcome indicators."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count

from cases.models import (
    Case,
    Status,
)
from cases.statistics.dimensions import (
    ADDITIVE,
    MULTI_VALUED,
    codes_of,
    verified_cases,
)
from cases.statistics.sdg import SDG_16_10_1_CATEGORIES, sdg_rank_subquery
from r2dr.models import Institution


def verified_case_count(
    *,
    institution: Institution,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    violation_types: Iterable | None = None,
    defender_groups: Iterable | None = None,
) -> int:
    """Cases that passed verification (status action/closed with verified_at set), incident date in range,
    duplicates left out. With violation types or defender groups, cases having any of them."""
    qs = verified_cases(institution, date_from, date_to)
    if violation_types:
        qs = qs.filter(violation_types__code__in=codes_of(violation_types))
    if defender_groups:
        qs = qs.filter(defender_groups__code__in=codes_of(defender_groups))
    return qs.values("pk").distinct().count()


def verified_case_counts(
    *,
    institution: Institution,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    group_by: str = "violation_type",
) -> dict:
    """{category code: verified cases} for one dimension (each case once per category; one query).

    `group_by` is one of the multi-valued dimensions, "gender", "perpetrator_kind" or "sdg_16_10_1" (cases under
    their most serious SDG 16.10.1 act; cases with none of the five are left out)."""
    qs = verified_cases(institution, date_from, date_to)
    if group_by in MULTI_VALUED:
        name, _model = MULTI_VALUED[group_by]
        rows = (
            qs.filter(**{f"{name}__isnull": False})
            .values_list(f"{name}__code")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
    elif group_by in ADDITIVE:
        rows = qs.values_list(ADDITIVE[group_by][0]).annotate(n=Count("pk")).order_by()
    elif group_by == "sdg_16_10_1":
        rank = sdg_rank_subquery()
        rows = [
            (SDG_16_10_1_CATEGORIES[r], n)
            for r, n in qs.annotate(rank=rank)
            .filter(rank__isnull=False)
            .values_list("rank")
            .annotate(n=Count("pk"))
            .order_by()
        ]
    else:
        raise ValueError(f"group_by must be one of {sorted([*MULTI_VALUED, *ADDITIVE, 'sdg_16_10_1'])}")
    return {code: n for code, n in rows if code is not None}


def open_urgent_case_count(*, institution: Institution) -> int:

    return Case.objects.for_institution(institution).filter(urgent=True).exclude(status=Status.CLOSED).count()
