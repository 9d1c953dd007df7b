"""Demo data of the indicators app (idempotent).

- the framework (version 1, published) and a 2025 regional monitoring round;
- Komnas HAM: a published 2024 baseline, and an open 2025 cycle with area 1 partly entered and area 2
  submitted for review (so the demo data officer and reviewer both have work);
- NHRCT: a 2025 cycle approved and published through the services (the full workflow);
- several other institutions: published 2024 cycles, so regional views have data;
- `scale=N`: 5*N extra published cycles for each of the 25 institutions on the full framework (bulk inserts).
"""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from indicators import selectors, services
from indicators.framework_seed import ensure_framework
from indicators.models import Area, Cycle, CycleArea, CycleEvent, Indicator, MonitoringRound, Source, Value
from r2dr.demo import demo_email
from r2dr.models import Institution

PUBLISHED_2024 = ["komnas-ham", "nhrct", "suhakam", "chr-ph", "nhrc-np", "hrcsl", "ahrc", "nhrcm", "fhradc"]
SOURCE_TEXT = {
    "ypn": ("law", "Official gazette and legislation database"),
    "categorical": ("law", "Law on associations and implementing regulation"),
    "count": ("case_data", "The institution's complaints and case register"),
    "percent": ("statistics", "Annual report of the responsible authority"),
    "narrative": ("interview", "Consultation with defenders (regional workshop)"),
}


def _answer(ind: Indicator, rng: random.Random) -> tuple[str, str]:
    vt = ind.value_type
    if vt == "ypn":
        return rng.choice(["yes", "partly", "partly", "no", "na"]), ""
    if vt == "categorical":
        return rng.choice(ind.categories)["code"], ""
    if vt == "count":
        return str(rng.choice([0, 1, 2, 3, 5, 8, 12, 20])), ""
    if vt == "percent":
        return str(rng.choice([10, 25, 40, 55, 70, 85])), ""
    return "", "Defenders describe long delays and refusals when asking for public information."


def bulk_cycle(institution, *, version, indicators, areas, title, year, monitoring_round=None, rng, by=None):
    """A published cycle with every area approved, answered and sourced, in a handful of bulk inserts."""
    now = timezone.now()
    cycle = Cycle.objects.create(
        institution=institution,
        version=version,
        round=monitoring_round,
        title=title,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        due_date=datetime.date(year + 1, 3, 31),
        status=Cycle.Status.PUBLISHED,
        published_at=now,
        published_by=by,
    )
    cycle_areas = CycleArea.objects.bulk_create(
        [
            CycleArea(
                institution=institution,
                cycle=cycle,
                area=a,
                status=CycleArea.Status.APPROVED,
                approved_at=now,
                submitted_at=now,
                findings=f"{a.title}: the situation remained mixed in {year}.",
                recommendations="Adopt a national protection law for defenders and fund the mechanism.",
            )
            for a in areas
        ]
    )
    by_area = {ca.area_id: ca for ca in cycle_areas}
    values = []
    for ind in indicators:
        answer, narrative = _answer(ind, rng)
        number = None
        if ind.value_type in ("count", "percent") and answer:
            number = answer
        values.append(
            Value(
                institution=institution,
                cycle=cycle,
                cycle_area=by_area[ind.attribute.area_id],
                indicator=ind,
                answer=answer,
                number=number,
                narrative=narrative or f"Assessment for {year} based on the sources listed.",
                confidence=rng.choice(["high", "medium"]),
                approved_snapshot={"answer": answer},
            )
        )
    values = Value.objects.bulk_create(values)
    Source.objects.bulk_create(
        [
            Source(
                institution=institution,
                value=v,
                kind=SOURCE_TEXT[v.indicator.value_type][0],
                citation=f"{SOURCE_TEXT[v.indicator.value_type][1]} ({year})",
                date=datetime.date(year, 12, 1),
            )
            for v in values
        ]
    )
    CycleEvent.objects.bulk_create(
        [
            CycleEvent(institution=institution, cycle=cycle, action="open", note=title),
            CycleEvent(institution=institution, cycle=cycle, action="publish"),
        ]
    )
    return cycle


def _user(prefix, slug):
    return get_user_model().objects.get(username=demo_email(prefix, slug))


def _fill(cycle_area, by, rng, *, count=None):
    for i, value in enumerate(cycle_area.values.select_related("indicator").order_by("indicator__order")):
        if count is not None and i >= count:
            break
        answer, narrative = _answer(value.indicator, rng)
        if value.indicator.total_code:
            answer = "0" if value.indicator.value_type == "count" else answer
        services.value_save(
            value=value,
            by=by,
            data={"answer": answer, "narrative": narrative or "See sources.", "confidence": "medium"},
        )
        kind, text = SOURCE_TEXT[value.indicator.value_type]
        services.source_add(
            value=value,
            by=by,
            kind=kind,
            citation=text,
            date=datetime.date(2025, 11, 30),
            confidential=kind == "interview",
        )
        if value.indicator.is_numeric:
            value.refresh_from_db()
            issues = [x for x in _issues(cycle_area, value) if x.code == "outlier"]
            if issues:
                services.value_save(value=value, by=by, data={"justification": "New reporting channel opened."})


def _issues(cycle_area, value):
    return selectors.area_issues(institution=cycle_area.institution_id, cycle_area=cycle_area).get(
        value.indicator.code, []
    )


def seed(*, scale: int = 0, stdout=None) -> None:
    started = time.monotonic()
    version = ensure_framework()
    indicators = list(Indicator.objects.filter(version=version, is_retired=False).select_related("attribute"))
    areas = list(Area.objects.filter(version=version))
    rnd, _ = MonitoringRound.objects.get_or_create(
        year=2025,
        title="APF regional round 2025",
        defaults={"version": version, "due_date": datetime.date(2026, 12, 31), "opens_on": datetime.date(2025, 11, 1)},
    )
    institutions = {i.slug: i for i in Institution.objects.all()}
    with transaction.atomic():
        for slug in PUBLISHED_2024:
            inst = institutions.get(slug)
            if inst is None or Cycle.objects.for_institution(inst).filter(title="R2DR baseline 2024").exists():
                continue
            bulk_cycle(
                inst,
                version=version,
                indicators=indicators,
                areas=areas,
                title="R2DR baseline 2024",
                year=2024,
                rng=random.Random(slug),
            )
    with services.notifications_suppressed():
        _seed_staffed(institutions, rnd)
    if scale > 0:
        _seed_scale(scale, institutions, version, indicators, areas, stdout)
    if stdout:
        stdout.write(
            f"  indicators: framework v{version.number} ({len(indicators)} indicators), round 2025, "
            f"{Cycle.objects.regional().count()} cycles ({time.monotonic() - started:.1f}s)"
        )


def _seed_staffed(institutions, rnd):
    komnas = institutions.get("komnas-ham")
    if komnas and not Cycle.objects.for_institution(komnas).filter(round=rnd).exists():
        with transaction.atomic():
            data, reviewer, head, admin = (_user(p, "komnas-ham") for p in ("data", "reviewer", "head", "admin"))
            cycle = services.cycle_open(
                institution=komnas,
                by=head,
                title="R2DR assessment 2025",
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                due_date=rnd.due_date,
                area_codes=["1", "2", "3", "4", "5"],
                reviewer=reviewer,
                respondents={"1": [data], "2": [data], "3": [data, admin], "4": [data], "5": [data, admin]},
                monitoring_round=rnd,
            )
            rng = random.Random("komnas-2025")
            _fill(cycle.areas.get(area__code="1"), data, rng, count=6)
            area2 = cycle.areas.get(area__code="2")
            _fill(area2, data, rng)
            services.cycle_area_submit(cycle_area=area2, by=data)
    nhrct = institutions.get("nhrct")
    if nhrct and not Cycle.objects.for_institution(nhrct).filter(round=rnd).exists():
        with transaction.atomic():
            data, reviewer, head = (_user(p, "nhrct") for p in ("data", "reviewer", "head"))
            cycle = services.cycle_open(
                institution=nhrct,
                by=head,
                title="R2DR assessment 2025",
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                due_date=rnd.due_date,
                area_codes=["1", "2", "3", "4", "5"],
                reviewer=reviewer,
                respondents={code: [data] for code in "12345"},
                monitoring_round=rnd,
            )
            rng = random.Random("nhrct-2025")
            for cycle_area in cycle.areas.all():
                _fill(cycle_area, data, rng)
                services.cycle_area_submit(cycle_area=cycle_area, by=data)
                services.cycle_area_approve(cycle_area=cycle_area, by=reviewer)
                services.cycle_area_set_conclusions(
                    cycle_area=cycle_area,
                    by=reviewer,
                    findings="Laws protecting defenders exist on paper; their use against defenders continues.",
                    recommendations="Review laws used against defenders; fund the protection mechanism.",
                )
            services.cycle_publish(cycle=cycle, by=head)


def _seed_scale(scale, institutions, version, indicators, areas, stdout):
    started = time.monotonic()
    created = 0
    for slug, inst in sorted(institutions.items()):
        existing = set(
            Cycle.objects.for_institution(inst)
            .filter(title__startswith="Benchmark cycle")
            .values_list("title", flat=True)
        )
        with transaction.atomic():
            for k in range(5 * scale):
                title = f"Benchmark cycle {k + 1}"
                if title in existing:
                    continue
                bulk_cycle(
                    inst,
                    version=version,
                    indicators=indicators,
                    areas=areas,
                    title=title,
                    year=2000 + k,
                    rng=random.Random(f"{slug}-{k}"),
                )
                created += 1
    if stdout:
        stdout.write(f"  indicators scale: {created} benchmark cycles in {time.monotonic() - started:.1f}s")
