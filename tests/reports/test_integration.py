"""Reports on the real indicators selectors: figures, constant query counts, no confidential source."""

import datetime
import io
import random

import pytest
from pypdf import PdfReader

from r2dr.roles import Role
from reports import services
from reports.models import ReportKind, RunStatus
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

CONFIDENTIAL = "CONFIDENTIALWITNESSQ9"


@pytest.fixture
def framework(db):
    from indicators.framework_seed import ensure_framework
    from indicators.models import Area, Indicator, MonitoringRound

    version = ensure_framework()
    indicators = list(Indicator.objects.filter(version=version, is_retired=False).select_related("attribute"))
    areas = list(Area.objects.filter(version=version))
    rnd = MonitoringRound.objects.create(
        year=2025, title="Round 2025", version=version, due_date=datetime.date(2026, 3, 31)
    )
    return {"version": version, "indicators": indicators, "areas": areas, "round": rnd}


def _publish(framework, institution, year, monitoring_round=None):
    from indicators.demo import bulk_cycle

    return bulk_cycle(
        institution,
        version=framework["version"],
        indicators=framework["indicators"],
        areas=framework["areas"],
        title=f"Cycle {year}",
        year=year,
        monitoring_round=monitoring_round,
        rng=random.Random(f"{institution.slug}-{year}"),
    )


def _institutions(n, start=0):
    return [
        InstitutionFactory(slug=f"real-{i}", name=f"Real Commission {i}", country=f"Realland {i}", country_code="RL")
        for i in range(start, start + n)
    ]


def test_national_dashboard_counts_match_the_rating_rules(framework, member_client):
    from indicators.models import Value
    from indicators.rating import rate

    inst = _institutions(1)[0]
    _publish(framework, inst, 2024)
    cycle = _publish(framework, inst, 2025, framework["round"])
    response = member_client(inst, Role.DATA_OFFICER).get(f"/{inst.slug}/dashboard/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.cycle.pk == cycle.pk and data.previous is not None
    expected = {}
    for v in Value.objects.for_institution(inst).filter(cycle=cycle).select_related("indicator", "cycle_area__area"):
        counts = expected.setdefault(
            v.cycle_area.area.code, {"enabling": 0, "partly": 0, "restrictive": 0, "nodata": 0}
        )
        counts[rate(v.indicator.rating_rule, v.answer)] += 1
    got = {
        row[0].split()[0]: dict(zip(["enabling", "partly", "restrictive", "nodata"], row[1:], strict=True))
        for row in data.status_table.rows
    }
    assert got == expected
    assert sum(sum(c.values()) for c in expected.values()) == len(framework["indicators"])


def test_regional_dashboard_query_count_does_not_grow(framework, regional_admin, client, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(regional_admin)
    for inst in _institutions(2):
        _publish(framework, inst, 2025, framework["round"])
    with CaptureQueriesContext(connection) as small:
        assert client.get("/regional/dashboard/").status_code == 200
    for inst in _institutions(6, start=2):
        _publish(framework, inst, 2024)
        _publish(framework, inst, 2025, framework["round"])
    cache.clear()  # both measurements cold: the regional case statistics are cached for a while
    with CaptureQueriesContext(connection) as large:
        response = client.get("/regional/dashboard/")
    assert response.status_code == 200
    assert response.context["data"].institution_count == 8
    assert len(large.captured_queries) == len(small.captured_queries)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/regional/dashboard/", {"area": framework["areas"][0].code})


def test_national_pdf_never_prints_confidential_sources(
    framework, make_member, settings, django_capture_on_commit_callbacks
):
    from indicators.models import Source, Value

    inst = _institutions(1)[0]
    cycle = _publish(framework, inst, 2025, framework["round"])
    value = Value.objects.for_institution(inst).filter(cycle=cycle).select_related("indicator").first()
    Source.objects.create(institution=inst, value=value, kind="interview", citation=CONFIDENTIAL, confidential=True)
    Source.objects.create(institution=inst, value=value, kind="document", citation="PUBLICGAZETTE2025")
    head = make_member(inst, Role.INSTITUTION_HEAD)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_request(kind=ReportKind.NATIONAL, institution=inst, cycle_id=cycle.pk, by=head)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.failure_reason
    reader = PdfReader(io.BytesIO((settings.MEDIA_ROOT / run.file_path).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "PUBLICGAZETTE2025" in text
    assert CONFIDENTIAL not in text
    assert "Adopt a national protection law" in text  # recommendations entered by the institution


def test_national_dashboard_query_count_does_not_grow(framework, member_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inst = _institutions(1)[0]
    _publish(framework, inst, 2023)
    _publish(framework, inst, 2024)  # a previous cycle exists in both measurements
    from django.core.cache import cache

    client = member_client(inst, Role.CASE_OFFICER)
    cache.clear()  # both measurements build the case statistics release (the first request of its data)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/{inst.slug}/dashboard/").status_code == 200
    for year in (2020, 2021, 2022, 2025):
        _publish(framework, inst, year, framework["round"] if year == 2025 else None)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/{inst.slug}/dashboard/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # Every later request serves the precomputed release: fewer queries than building it.
    with CaptureQueriesContext(connection) as served:
        assert client.get(f"/{inst.slug}/dashboard/").status_code == 200
    assert len(served.captured_queries) < len(large.captured_queries)


def test_published_data_version_moves_with_publication(framework):
    from reports import sources

    inst = _institutions(1)[0]
    regional, own = sources.published_data_version(), sources.published_data_version(institution=inst)
    assert sources.published_data_version() == regional  # stable while nothing changes
    _publish(framework, inst, 2025, framework["round"])
    assert sources.published_data_version() != regional
    assert sources.published_data_version(institution=inst) != own
