"""SDG indicator 16.10.1 (killings, enforced disappearances, torture, arbitrary detention and kidnapping of
journalists, trade unionists and human rights defenders) from verified cases. Which violation type is which act
is data on the violation-type taxonomy (`ViolationType.sdg_16101_act`), set by the regional admin."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value, When

from cases.models import (
    Case,
    Gender,
    SdgAct,
)
from cases.statistics.dimensions import (
    verified_cases,
)
from r2dr.models import Institution

# The five acts of SDG indicator 16.10.1, most serious first (the order of SdgAct). A victim of several counts once,
# under the first one that applies; the order is the one in which the indicator's working definition lists the acts.
SDG_16_10_1_CATEGORIES = tuple(SdgAct.values)


# Victim groups of the indicator, each victim once: a case naming several groups counts under the first that
# applies (the order of the indicator's title); a defender of any other group is a human rights defender.
SDG_16_10_1_VICTIM_GROUPS = ("journalist", "trade_unionist", "human_rights_defender")


SDG_16_10_1_GROUP_CODES = {
    "journalist": ("journalists",),
    "trade_unionist": ("trade-unionists",),
}


def _rank_case(codes_by_category: dict, categories: tuple, field_name: str) -> When_:
    whens = [
        When(**{f"{field_name}__in": codes_by_category[c]}, then=Value(i))
        for i, c in enumerate(categories)
        if c in codes_by_category
    ]
    return When_(*whens, default=Value(None), output_field=IntegerField())


def sdg_rank_subquery() -> Subquery:
    """The index in SDG_16_10_1_CATEGORIES of a case's most serious 16.10.1 act (NULL if it has none), from the act
    its violation types are mapped to in the taxonomy."""
    through = Case.violation_types.through
    acts = {category: (category,) for category in SDG_16_10_1_CATEGORIES}
    return Subquery(
        through.objects.filter(case_id=OuterRef("pk"))
        .annotate(rank=_rank_case(acts, SDG_16_10_1_CATEGORIES, "violationtype__sdg_16101_act"))
        .filter(rank__isnull=False)
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )


def _victim_group_subquery() -> Subquery:
    """The index in SDG_16_10_1_VICTIM_GROUPS of a case's first listed victim group (NULL: a defender)."""
    through = Case.defender_groups.through
    return Subquery(
        through.objects.filter(case_id=OuterRef("pk"))
        .annotate(rank=_rank_case(SDG_16_10_1_GROUP_CODES, SDG_16_10_1_VICTIM_GROUPS, "defendergroup__code"))
        .filter(rank__isnull=False)
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )


@dataclass
class Sdg16101:
    """Victims of SDG 16.10.1 acts in verified cases, each victim once."""

    total: int = 0
    cases: int = 0
    by_category: dict = field(default_factory=dict)
    by_victim_group: dict = field(default_factory=dict)
    by_sex: dict = field(default_factory=dict)
    # (category, victim group, gender) -> victims: the full cross-tabulation the marginals come from.
    cells: dict = field(default_factory=dict)


def sdg_16_10_1(
    *, institution: Institution, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> Sdg16101:
    """SDG 16.10.1 for one institution and period, from verified cases, in one query.

    Victims, not cases: a case counts `affected_count` people. Each victim once: a case with several of the five
    acts counts under the most serious (SDG_16_10_1_CATEGORIES order), a case naming several victim groups under
    the first of journalists, trade unionists, defenders, and duplicates never count. Sex is the case's clear
    `gender` field as given (a case about several people of different genders is "mixed"): nothing is decrypted.
    """
    qs = (
        verified_cases(institution, date_from, date_to)
        .annotate(category=sdg_rank_subquery(), group=_victim_group_subquery())
        .filter(category__isnull=False)
        .values_list("category", "group", "gender")
        .annotate(victims=Sum("affected_count"), n=Count("pk"))
        .order_by()
    )
    result = Sdg16101(
        by_category=dict.fromkeys(SDG_16_10_1_CATEGORIES, 0),
        by_victim_group=dict.fromkeys(SDG_16_10_1_VICTIM_GROUPS, 0),
        by_sex=dict.fromkeys(Gender.values, 0),
    )
    for category, group, gender, victims, n in qs:
        category = SDG_16_10_1_CATEGORIES[category]
        group = SDG_16_10_1_VICTIM_GROUPS[group if group is not None else len(SDG_16_10_1_VICTIM_GROUPS) - 1]
        victims = int(victims or 0)
        result.total += victims
        result.cases += n
        result.by_category[category] += victims
        result.by_victim_group[group] += victims
        result.by_sex[gender] = result.by_sex.get(gender, 0) + victims
        key = (category, group, gender)
        result.cells[key] = result.cells.get(key, 0) + victims
    return result


def sdg_16_10_1_victims(
    *,
    institution: Institution,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    victim_groups: Iterable[str] | None = None,
) -> int:
    """The SDG 16.10.1 figure (victims), optionally of some victim groups only (e.g. ["journalist"])."""
    result = sdg_16_10_1(institution=institution, date_from=date_from, date_to=date_to)
    if not victim_groups:
        return result.total
    return sum(result.by_victim_group.get(g, 0) for g in victim_groups)
