"""Reads of the indicators app.

Institution selectors take `institution` explicitly; regional selectors (marked "Regional") read across
institutions only through `.regional()` and only published cycles, and never return confidential sources.
Each selector owns its prefetching: query counts do not grow with the number of indicators or values.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from indicators import computations, validation
from indicators.history import field_text, source_citation
from indicators.models import (
    Area,
    Attribute,
    Confidence,
    Cycle,
    CycleArea,
    CycleEvent,
    FrameworkVersion,
    Indicator,
    MonitoringRound,
    Source,
    Term,
    Value,
    ValueHistory,
)
from indicators.rating import NODATA, answer_display, answer_text, not_available_label, rate, summarise
from r2dr.models import Institution
from r2dr.selectors import institutions_in_service

# --- framework -------------------------------------------------------------------------------------------


def published_version() -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-number").first()


def framework_versions() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.annotate(n_indicators=Count("indicators")).order_by("-number")


def framework_areas(*, version: FrameworkVersion | None = None, include_retired: bool = False) -> list[Area]:
    """The areas of `version` (default: the latest published) with attributes and indicators prefetched."""
    if version is None:
        version = published_version()
        if version is None:
            return []
    indicators = Indicator.objects.order_by("order", "code")
    if not include_retired:
        indicators = indicators.filter(is_retired=False)
    return list(
        Area.objects.filter(version=version)
        .order_by("order", "code")
        .prefetch_related(
            Prefetch("attributes", queryset=Attribute.objects.order_by("order", "code")),
            Prefetch("attributes__indicators", queryset=indicators),
        )
    )


def terms_by_vocabulary() -> dict[str, list[Term]]:
    out = defaultdict(list)
    for term in Term.objects.filter(is_retired=False):
        out[term.vocabulary].append(term)
    return dict(out)


def framework_rows(*, version: FrameworkVersion) -> list[dict[str, Any]]:
    """Flat rows of a framework version for JSON/CSV download."""
    rows = []
    for area in framework_areas(version=version):
        for attribute in area.attributes.all():
            for ind in attribute.indicators.all():
                rows.append(
                    {
                        "version": version.number,
                        "area_code": area.code,
                        "area": area.tr("title"),
                        "attribute_code": attribute.code,
                        "attribute": attribute.tr("title"),
                        "code": ind.code,
                        "type": ind.type,
                        "title": ind.tr("title"),
                        "definition": ind.tr("definition"),
                        "rationale": ind.tr("rationale"),
                        "computation_method": ind.tr("computation_method"),
                        "value_type": ind.value_type,
                        "categories": ind.categories,
                        "guidance": ind.tr("guidance"),
                        "data_sources": ind.tr("data_sources"),
                        "disaggregation": ind.disaggregation,
                        "declaration_articles": ind.declaration_articles,
                        "treaty_articles": ind.treaty_articles,
                        "sdg_targets": ind.sdg_targets,
                        "rating_rule": ind.rating_rule,
                        "rating_note": ind.rating_note,
                        "computed_from_cases": ind.computation,
                    }
                )
    return rows


def areas_of(*, version: FrameworkVersion) -> list[Area]:
    return list(Area.objects.filter(version=version))


def area_get(*, version: FrameworkVersion, code: str) -> Area:
    return Area.objects.prefetch_related("attributes").get(version=version, code=code)


def indicator_get(*, version: FrameworkVersion, code: str) -> Indicator:
    return Indicator.objects.select_related("attribute__area").get(version=version, code=code)


def monitoring_round_get(*, round_id: int) -> MonitoringRound:
    return MonitoringRound.objects.get(pk=round_id)


def open_rounds() -> QuerySet[MonitoringRound]:
    return MonitoringRound.objects.filter(is_open=True).select_related("version")


def rounds() -> QuerySet[MonitoringRound]:
    return MonitoringRound.objects.select_related("version").annotate(n_cycles=Count("cycles"))


# --- cycles of one institution ---------------------------------------------------------------------------


def cycles_for(*, institution: Institution | int) -> list[Cycle]:
    return list(
        Cycle.objects.for_institution(institution)
        .select_related("round", "version", "reviewer")
        .annotate(
            n_areas=Count("areas", distinct=True),
            n_approved=Count("areas", filter=Q(areas__status=CycleArea.Status.APPROVED), distinct=True),
        )
    )


def cycle_get(*, institution: Institution | int, cycle_id: int) -> Cycle:
    return Cycle.objects.for_institution(institution).select_related("round", "version", "reviewer").get(pk=cycle_id)


def cycle_area_get(*, institution: Institution | int, cycle: Cycle, area_code: str) -> CycleArea:
    return (
        CycleArea.objects.for_institution(institution)
        .select_related("area", "cycle", "cycle__reviewer")
        .prefetch_related("respondents")
        .get(cycle=cycle, area__code=area_code)
    )


def value_get(*, institution: Institution | int, value_id: int) -> Value:
    return (
        Value.objects.for_institution(institution)
        .select_related("indicator", "cycle_area__area", "cycle_area__cycle", "cycle")
        .get(pk=value_id)
    )


def value_for_indicator(*, institution: Institution | int, cycle: Cycle, indicator_code: str) -> Value:
    return (
        Value.objects.for_institution(institution)
        .select_related("indicator", "cycle_area__area", "cycle_area__cycle", "cycle")
        .get(cycle=cycle, indicator__code=indicator_code)
    )


def source_get(*, institution: Institution | int, source_id: int) -> Source:
    return Source.objects.for_institution(institution).select_related("value__cycle_area__cycle").get(pk=source_id)


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    """The institution's latest published cycle that ended before this one started."""
    return (
        Cycle.objects.for_institution(cycle.institution_id)
        .filter(status=Cycle.Status.PUBLISHED, period_end__lt=cycle.period_start)
        .exclude(pk=cycle.pk)
        .order_by("-period_end", "-id")
        .first()
    )


def published_cycles(*, institution: Institution | int) -> list[Cycle]:
    return list(
        Cycle.objects.for_institution(institution)
        .filter(status=Cycle.Status.PUBLISHED)
        .select_related("round", "version")
        .order_by("-period_end", "-id")
    )


def _previous_values(cycle: Cycle) -> dict[str, Value]:
    previous = previous_cycle(cycle=cycle)
    if previous is None:
        return {}
    return {
        v.indicator.code: v
        for v in Value.objects.for_institution(cycle.institution_id).filter(cycle=previous).select_related("indicator")
    }


def _totals(cycle: Cycle) -> dict[str, Decimal]:
    """Numbers of the cycle's indicators referenced by consistency rules, by code."""
    codes = set(
        Indicator.objects.filter(version_id=cycle.version_id)
        .exclude(total_code="")
        .values_list("total_code", flat=True)
    )
    if not codes:
        return {}
    return dict(
        Value.objects.for_institution(cycle.institution_id)
        .filter(cycle=cycle, indicator__code__in=codes, number__isnull=False)
        .values_list("indicator__code", "number")
    )


def _issues(
    value: Value, *, sources: list[Source], totals: dict[str, Decimal], previous: Value | None, for_submit: bool
) -> list[validation.Issue]:
    prev_number = previous.number if previous is not None else None
    return validation.check(
        value.indicator,
        answer=value.answer,
        narrative=value.narrative,
        disaggregation=value.disaggregation,
        justification=value.justification,
        source_count=len(sources),
        totals=totals,
        previous=prev_number,
        for_submit=for_submit,
    )


def area_issues(*, institution: Institution | int, cycle_area: CycleArea) -> dict[str, list[validation.Issue]]:
    """Issues of every value of an area as submission sees them, by indicator code."""
    cycle = cycle_area.cycle
    totals = _totals(cycle)
    previous = _previous_values(cycle)
    values = (
        Value.objects.for_institution(institution)
        .filter(cycle_area=cycle_area)
        .select_related("indicator")
        .prefetch_related("sources")
    )
    return {
        v.indicator.code: _issues(
            v, sources=list(v.sources.all()), totals=totals, previous=previous.get(v.indicator.code), for_submit=True
        )
        for v in values
    }


# What `value_is_complete` reads of the indicator, for selectors that load only some columns.
_VALIDITY_FIELDS = ("indicator__value_type", "indicator__categories", "indicator__min_value", "indicator__max_value")


def value_is_complete(value: Value, n_sources: int) -> bool:
    """Answered validly (an invalid answer stored before saving refused them never counts) and with a source."""
    return validation.is_answered(value.indicator, value.answer, value.narrative) and n_sources > 0


def _diff(value: Value, sources: list[Source]) -> list[str]:
    """Fields changed since the last approval (empty if never approved)."""
    snap = value.approved_snapshot or {}
    if not snap:
        return []
    current = {
        "answer": value.answer,
        "narrative": value.narrative,
        "confidence": value.confidence,
        "disaggregation": value.disaggregation,
        "justification": value.justification,
        "sources": sorted(s.citation for s in sources),
    }
    return [field for field, now in current.items() if snap.get(field) != now]


def area_entry(
    *, institution: Institution | int, cycle_area: CycleArea, live_computations: bool = True
) -> dict[str, Any]:
    """Everything the data-entry and review pages of one area show, in a constant number of queries."""
    cycle = cycle_area.cycle
    values = list(
        Value.objects.for_institution(institution)
        .filter(cycle_area=cycle_area)
        .select_related("indicator", "indicator__attribute", "updated_by")
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.for_institution(institution).order_by("created_at", "id"))
        )
        .order_by("indicator__order", "indicator__code")
    )
    previous = _previous_values(cycle)
    totals = _totals(cycle)
    terms = terms_by_vocabulary()
    computed_live = {}
    if live_computations and cycle_area.is_editable:
        for value in values:
            key = value.indicator.computation
            if key and key not in computed_live:
                computed_live[key] = computations.compute(
                    key, institution=cycle.institution, date_from=cycle.period_start, date_to=cycle.period_end
                )
    groups, by_attribute = [], {}
    complete = 0
    for value in values:
        sources = list(value.sources.all())
        prev = previous.get(value.indicator.code)
        is_complete = value_is_complete(value, len(sources))
        complete += is_complete
        computed = value.computed_value if value.computed_at else computed_live.get(value.indicator.computation)
        row = {
            "value": value,
            "indicator": value.indicator,
            "sources": sources,
            "issues": _issues(value, sources=sources, totals=totals, previous=prev, for_submit=False),
            "previous": prev,
            "previous_status": rate(prev.indicator.rating_rule, prev.answer) if prev else None,
            "status": rate(value.indicator.rating_rule, value.answer),
            "display": answer_display(value),
            "previous_display": answer_display(prev) if prev else "",
            "computed": computed,
            "has_computation": bool(value.indicator.computation),
            "changed_since_approval": _diff(value, sources),
            "changed_since_previous": bool(prev and value.answer and prev.answer != value.answer),
            "complete": is_complete,
            "dimensions": [(dim, terms.get(dim, [])) for dim in value.indicator.disaggregation],
        }
        attribute = value.indicator.attribute
        if attribute.pk not in by_attribute:
            by_attribute[attribute.pk] = {"attribute": attribute, "rows": []}
            groups.append(by_attribute[attribute.pk])
        by_attribute[attribute.pk]["rows"].append(row)
    return {
        "groups": groups,
        "total": len(values),
        "complete": complete,
        "completeness": (complete / len(values)) if values else 0.0,
    }


# The fields of a value a reviewer compares, in the order the comparison lists them.
_COMPARED_FIELDS = ("answer", "narrative", "confidence", "disaggregation", "justification")


def _field_label(field: str) -> str:
    return str(
        {
            "answer": gettext_lazy("Answer"),
            "narrative": gettext_lazy("Narrative"),
            "confidence": gettext_lazy("Confidence"),
            "disaggregation": gettext_lazy("Breakdown"),
            "justification": gettext_lazy("Justification"),
            "sources": gettext_lazy("Sources"),
        }[field]
    )


def _shown(indicator: Indicator, field: str, text: str) -> str:
    """A field's history text as people read it (labels for choices)."""
    if field == "answer":
        return answer_text(indicator, text)
    if field == "confidence":
        return str(dict(Confidence.choices).get(text, text))
    return text


def changes_since_return(*, institution: Institution | int, cycle_area: CycleArea) -> dict[str, Any] | None:
    """What the respondents changed since the reviewer last returned the area, per value: each changed field as
    it was at the return and as it is now, and the sources added and removed. None when the area was never returned
    or was approved since (the comparison with the approval then applies).

    Read from the values' history, which records every change of a field and every source added or removed with
    its time: the first change of a field after the return holds, as `old`, the value the reviewer saw. Two
    queries, whatever the number of values or changes."""
    returned_at = cycle_area.returned_at
    if returned_at is None or (cycle_area.approved_at is not None and cycle_area.approved_at > returned_at):
        return None
    history = list(
        ValueHistory.objects.for_institution(institution)
        .filter(value__cycle_area=cycle_area, at__gt=returned_at)
        .order_by("at", "id")
        .select_related("by")
    )
    values = {
        v.pk: v
        for v in Value.objects.for_institution(institution)
        .filter(pk__in={h.value_id for h in history})
        .select_related("indicator")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.for_institution(institution)))
    }
    by_value: defaultdict[int, list[ValueHistory]] = defaultdict(list)
    for entry in history:
        by_value[entry.value_id].append(entry)
    out: dict[int, dict[str, Any]] = {}
    for value_id, entries in by_value.items():
        value = values[value_id]
        indicator = value.indicator
        rows: list[dict[str, Any]] = []
        for field in _COMPARED_FIELDS:
            recorded = [e for e in entries if e.field == field]
            if not recorded:
                continue
            then, now = recorded[0].old, field_text(getattr(value, field))
            if then != now:
                rows.append(
                    {
                        "field": field,
                        "label": _field_label(field),
                        "then": _shown(indicator, field, then),
                        "now": _shown(indicator, field, now),
                    }
                )
        current = [(s.citation, s.confidential) for s in value.sources.all()]
        added = [source_citation(e.new) for e in entries if e.field == "source" and e.new and not e.old]
        removed = [source_citation(e.old) for e in entries if e.field == "source" and e.old and not e.new]
        at_return = [c for c, _conf in current]
        for citation in added:
            if citation in at_return:
                at_return.remove(citation)
        at_return += removed
        if sorted(at_return) != sorted(c for c, _conf in current):
            still = list(at_return)
            now_sources = []
            for citation, confidential in current:
                kept = citation in still
                if kept:
                    still.remove(citation)
                now_sources.append({"citation": citation, "confidential": confidential, "added": not kept})
            now_citations = [c for c, _conf in current]
            then_sources = []
            for citation in at_return:
                kept = citation in now_citations
                if kept:
                    now_citations.remove(citation)
                then_sources.append({"citation": citation, "removed": not kept})
            rows.append(
                {
                    "field": "sources",
                    "label": _field_label("sources"),
                    "then_sources": then_sources,
                    "now_sources": now_sources,
                }
            )
        if rows:
            reasons = list(dict.fromkeys(e.reason for e in entries if e.reason))
            out[value_id] = {"rows": rows, "reasons": reasons, "labels": [r["label"] for r in rows]}
    return {"returned_at": returned_at, "by_value": out}


def entry_row(*, institution: Institution | int, value: Value) -> dict[str, Any]:
    """One indicator's row (after a save), using the same rules as the full page."""
    entry = area_entry(institution=institution, cycle_area=value.cycle_area)
    for group in entry["groups"]:
        for row in group["rows"]:
            if row["value"].pk == value.pk:
                row["area_entry"] = entry
                return row
    raise Value.DoesNotExist


def _completeness_by_area(institution: Institution | int, cycle_ids: Iterable[int]) -> dict[int, list[int]]:
    """{cycle_area_id: (complete, total)} for the given cycles in two queries."""
    values = (
        Value.objects.for_institution(institution)
        .filter(cycle_id__in=cycle_ids)
        .select_related("indicator")
        .annotate(n_sources=Count("sources"))
        .only("id", "answer", "narrative", "cycle_area_id", *_VALIDITY_FIELDS)
    )
    out: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    for v in values:
        out[v.cycle_area_id][1] += 1
        out[v.cycle_area_id][0] += value_is_complete(v, v.n_sources)
    return out


def cycle_overview(*, institution: Institution | int, cycle: Cycle) -> dict[str, Any]:
    areas = list(
        CycleArea.objects.for_institution(institution)
        .filter(cycle=cycle)
        .select_related("area", "submitted_by", "approved_by")
        .prefetch_related("respondents")
    )
    counts = _completeness_by_area(institution, [cycle.pk])
    rows, done, total = [], 0, 0
    for cycle_area in areas:
        c, t = counts.get(cycle_area.pk, (0, 0))
        done, total = done + c, total + t
        rows.append({"cycle_area": cycle_area, "complete": c, "total": t, "completeness": c / t if t else 0.0})
    events = list(
        CycleEvent.objects.for_institution(institution)
        .filter(cycle=cycle)
        .select_related("by", "cycle_area__area")[:30]
    )
    return {
        "areas": rows,
        "complete": done,
        "total": total,
        "completeness": done / total if total else 0.0,
        "all_approved": bool(areas) and all(a.status == CycleArea.Status.APPROVED for a in areas),
        "events": events,
    }


def value_history(*, institution: Institution | int, value: Value) -> list[ValueHistory]:
    return list(ValueHistory.objects.for_institution(institution).filter(value=value).select_related("by"))


def my_work(*, institution: Institution | int, user: User) -> dict[str, list[Any]]:
    """What is assigned to `user` in the institution's open cycles: to fill, returned, to review; with due dates."""
    today = timezone.localdate()
    areas = list(
        CycleArea.objects.for_institution(institution)
        .filter(cycle__status=Cycle.Status.OPEN)
        .filter(Q(respondents=user) | Q(cycle__reviewer=user))
        .select_related("area", "cycle")
        .distinct()
        .order_by("cycle__due_date", "area__order")
    )
    counts = _completeness_by_area(institution, {a.cycle_id for a in areas})
    to_fill, returned, to_review, waiting = [], [], [], []
    respondent_of = set(
        CycleArea.objects.for_institution(institution)
        .filter(pk__in=[a.pk for a in areas], respondents=user)
        .values_list("pk", flat=True)
    )
    for ca in areas:
        c, t = counts.get(ca.pk, (0, 0))
        item = {
            "cycle_area": ca,
            "cycle": ca.cycle,
            "complete": c,
            "total": t,
            "completeness": c / t if t else 0.0,
            "overdue": ca.cycle.due_date < today and ca.status != CycleArea.Status.APPROVED,
        }
        if ca.pk in respondent_of:
            if ca.status == CycleArea.Status.RETURNED:
                returned.append(item)
            elif ca.status == CycleArea.Status.DRAFT:
                to_fill.append(item)
            elif ca.status == CycleArea.Status.SUBMITTED:
                waiting.append(item)
        if ca.cycle.reviewer_id == user.pk and ca.status == CycleArea.Status.SUBMITTED:
            to_review.append(item)
    ready_to_publish = [
        c
        for c in cycles_for(institution=institution)
        if c.status == Cycle.Status.OPEN and c.n_areas and c.n_areas == c.n_approved
    ]
    return {
        "to_fill": to_fill,
        "returned": returned,
        "to_review": to_review,
        "waiting": waiting,
        "overdue": [i for i in to_fill + returned + to_review if i["overdue"]],
        "ready_to_publish": ready_to_publish,
    }


def export_rows(*, institution: Institution | int, cycle: Cycle) -> list[dict[str, Any]]:
    """A cycle's values for offline work; confidential sources never leave the platform this way."""
    values = (
        Value.objects.for_institution(institution)
        .filter(cycle=cycle)
        .select_related("indicator", "cycle_area__area")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=Source.objects.for_institution(institution).filter(confidential=False).order_by("id"),
            )
        )
        .order_by("indicator__order", "indicator__code")
    )
    rows = []
    for v in values:
        ind = v.indicator
        allowed = (
            "yes | partly | no | na"
            if ind.value_type == "ypn"
            else (
                " | ".join([c["code"] for c in ind.categories] + ["na"])
                if ind.value_type == "categorical"
                else ind.get_value_type_display()
            )
        )
        rows.append(
            {
                "indicator_code": ind.code,
                "area": v.cycle_area.area.code,
                "indicator": ind.tr("title"),
                "allowed_answers": allowed,
                "answer": v.answer,
                "narrative": v.narrative,
                "confidence": v.confidence,
                "justification": v.justification,
                "sources": " | ".join(s.citation + (f" <{s.url}>" if s.url else "") for s in v.sources.all()),
                "new_source": "",
                "new_source_kind": "",
                "new_source_url": "",
                "new_source_date": "",
            }
        )
    return rows


# --- regional (published cycles only) ---------------------------------------------------------------------


def validation_label_na() -> str:
    return not_available_label()


def _latest_published(cycles: Iterable[Cycle]) -> dict[int, Cycle]:
    latest: dict[int, Cycle] = {}
    for cycle in cycles:
        current = latest.get(cycle.institution_id)
        if current is None or (cycle.period_end, cycle.pk) > (current.period_end, current.pk):
            latest[cycle.institution_id] = cycle
    return latest


def regional_status_matrix(
    *, round_id: int | str | None = None, subregion: str | None = None, country: str | None = None
) -> dict[str, Any]:
    """Regional. Per institution, the status of each area in its published cycle (of the round, or latest)."""
    active = institutions_in_service().order_by("country", "name")
    if subregion:
        active = active.filter(subregion=subregion)
    if country:
        active = active.filter(Q(country__iexact=country) | Q(country_code__iexact=country))
    institutions = list(active)
    cycles = Cycle.objects.regional().filter(status=Cycle.Status.PUBLISHED, institution__in=institutions)
    if round_id:
        cycles = cycles.filter(round_id=round_id)
    chosen = _latest_published(list(cycles))
    version = published_version()
    if round_id:
        rnd = MonitoringRound.objects.filter(pk=round_id).select_related("version").first()
        version = rnd.version if rnd else version
    areas = (
        [
            {"code": a.code, "title": a.tr("title")}
            for a in Area.objects.filter(version=version).order_by("order", "code")
        ]
        if version
        else []
    )
    statuses: defaultdict[int, defaultdict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Plain tuples, not model instances: 25 institutions x the full framework is thousands of rows.
    values = (
        Value.objects.regional()
        .filter(cycle_id__in=[c.pk for c in chosen.values()])
        .values_list("cycle_id", "cycle_area__area__code", "indicator__rating_rule", "answer")
    )
    for cycle_id, area_code, rule, answer in values:
        statuses[cycle_id][area_code].append(rate(rule, answer))
    rows = []
    empty = summarise([])
    for inst in institutions:
        cycle = chosen.get(inst.pk)
        cells = {}
        for area in areas:
            found = statuses[cycle.pk].get(area["code"]) if cycle else None
            cells[area["code"]] = summarise(found) if found else dict(empty, status=NODATA)
        rows.append({"institution": inst, "cycle": cycle, "cells": cells})
    return {"areas": areas, "rows": rows}


def regional_completeness(*, round_id: int | str | None = None) -> list[dict[str, Any]]:
    """Regional. Completeness of the published cycles of a round (or, without a round, of each institution's
    latest published cycle); unpublished cycles stay private."""
    cycles = Cycle.objects.regional().filter(status=Cycle.Status.PUBLISHED).select_related("institution", "round")
    if round_id:
        cycles = list(cycles.filter(round_id=round_id).order_by("institution__country"))
    else:
        cycles = sorted(_latest_published(list(cycles)).values(), key=lambda c: c.institution.country)
    counts: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    values = (
        Value.objects.regional()
        .filter(cycle__in=cycles)
        .select_related("indicator")
        .annotate(n_sources=Count("sources"))
        .only("id", "cycle_id", "answer", "narrative", *_VALIDITY_FIELDS)
    )
    for v in values:
        counts[v.cycle_id][1] += 1
        counts[v.cycle_id][0] += value_is_complete(v, v.n_sources)
    out = []
    for cycle in cycles:
        c, t = counts[cycle.pk]
        submitted = cycle.published_at
        # The round's due date is the regional deadline; the cycle's own date is the institution's plan.
        due = cycle.round.due_date if cycle.round_id else cycle.due_date
        out.append(
            {
                "institution": cycle.institution,
                "cycle": cycle,
                "completeness": c / t if t else 0.0,
                "submitted_at": submitted,
                "due_date": due,
                "on_time": (timezone.localtime(submitted).date() <= due) if submitted else None,
            }
        )
    return out


def national_results(*, institution: Institution | int, cycle: Cycle) -> list[dict[str, Any]]:
    """A published (or the institution's own) cycle's results by area, without confidential sources."""
    cycle_areas = list(
        CycleArea.objects.for_institution(institution)
        .filter(cycle=cycle)
        .select_related("area")
        .order_by("area__order")
    )
    values = (
        Value.objects.for_institution(institution)
        .filter(cycle=cycle)
        .select_related("indicator")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=Source.objects.for_institution(institution).filter(confidential=False).order_by("id"),
            )
        )
        .order_by("indicator__order", "indicator__code")
    )
    by_area = defaultdict(list)
    previous = _previous_values(cycle)
    for v in values:
        prev = previous.get(v.indicator.code)
        by_area[v.cycle_area_id].append(
            {
                "code": v.indicator.code,
                "title": v.indicator.tr("title"),
                "type": v.indicator.type,
                "value_display": answer_display(v),
                "status": rate(v.indicator.rating_rule, v.answer),
                "narrative": v.narrative,
                "sources": list(v.sources.all()),
                "computed": v.computed_value if v.computed_at else None,
                "previous_value_display": answer_display(prev) if prev else "",
                "previous_status": rate(prev.indicator.rating_rule, prev.answer) if prev else None,
            }
        )
    return [
        {
            "code": ca.area.code,
            "title": ca.area.tr("title"),
            "findings": ca.findings,
            "recommendations": ca.recommendations,
            "indicators": by_area[ca.pk],
        }
        for ca in cycle_areas
    ]


def published_data_version(*, institution: Institution | None = None) -> str:
    """A token that changes whenever published indicator data may have changed: which cycles are published (and
    when), the latest change to a value of a published cycle, the published framework versions and the rounds.
    Regional (every institution) without `institution`. Three small queries."""
    cycles = Cycle.objects.regional() if institution is None else Cycle.objects.for_institution(institution)
    published = cycles.filter(status=Cycle.Status.PUBLISHED)
    state = published.aggregate(
        n=Count("pk", distinct=True),
        ids=Sum("pk", distinct=True),
        last_published=Max("published_at"),
        last_value=Max("values__updated_at"),
    )
    frameworks = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).aggregate(
        n=Count("pk"), ids=Sum("pk"), last_published=Max("published_at")
    )
    rounds_state = MonitoringRound.objects.aggregate(n=Count("pk"), ids=Sum("pk"), last=Max("created_at"))
    payload = repr((sorted(state.items()), sorted(frameworks.items()), sorted(rounds_state.items())))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
