import datetime

import pytest
from django.core.exceptions import ValidationError

from indicators import selectors, services
from indicators.framework_seed import ensure_framework
from tests.indicators.helpers import fill_area, open_cycle, publish

pytestmark = pytest.mark.django_db


def test_framework_areas_prefetched(django_assert_max_num_queries):
    ensure_framework()
    with django_assert_max_num_queries(4):
        areas = selectors.framework_areas()
        n = sum(attr.indicators.count() for a in areas for attr in a.attributes.all())
    assert len(areas) == 5 and n == 49


def test_regional_matrix_only_shows_published_cycles(institution_a, institution_b):
    published = open_cycle(institution_a, areas=("1", "2"))
    publish(published)
    draft = open_cycle(institution_b, areas=("1",))
    fill_area(draft.areas.get(), draft.test_users["respondent"])
    matrix = selectors.regional_status_matrix()
    assert [a["code"] for a in matrix["areas"]] == ["1", "2", "3", "4", "5"]
    rows = {r["institution"].slug: r for r in matrix["rows"]}
    assert rows["inst-a"]["cycle"] == published
    assert rows["inst-b"]["cycle"] is None
    assert all(c["status"] == "nodata" for c in rows["inst-b"]["cells"].values())
    cell = rows["inst-a"]["cells"]["1"]
    assert (
        cell["enabling"] + cell["partly"] + cell["restrictive"] + cell["nodata"]
        == published.areas.get(area__code="1").values.count()
    )
    assert rows["inst-a"]["cells"]["3"]["status"] == "nodata"  # not covered


def test_regional_matrix_filters(institution_a, institution_b):
    publish(open_cycle(institution_a))
    matrix = selectors.regional_status_matrix(country="Aland")
    assert [r["institution"].slug for r in matrix["rows"]] == ["inst-a"]


def test_regional_selectors_have_constant_query_counts(institution_a, institution_b, django_assert_max_num_queries):
    publish(open_cycle(institution_a, areas=("1", "2", "3")))
    publish(open_cycle(institution_b, areas=("1", "2", "3", "4", "5")))
    with django_assert_max_num_queries(5):
        selectors.regional_status_matrix()


def test_regional_completeness_and_on_time(institution_a, institution_b, regional_admin):
    rnd = services.round_open(
        year=2025, title="Round 2025", version=ensure_framework(), due_date=datetime.date(2099, 1, 1), by=regional_admin
    )
    cycle = open_cycle(institution_a, monitoring_round=rnd)
    publish(cycle)
    open_cycle(institution_b, monitoring_round=rnd)  # not published: invisible
    rows = selectors.regional_completeness(round_id=rnd.pk)
    assert [r["institution"] for r in rows] == [institution_a]
    assert rows[0]["completeness"] == 1.0 and rows[0]["on_time"] is True


def test_national_results_hide_confidential_sources_and_compare_with_previous(institution_a):
    first = open_cycle(institution_a, title="2024", period=(2024, 2024))
    publish(first)
    users = first.test_users
    second = open_cycle(institution_a, title="2025", period=(2025, 2025), **users)
    area = second.areas.get()
    fill_area(area, users["respondent"])
    value = area.values.get(indicator__code="1.1.S1")
    services.source_add(
        value=value, by=users["respondent"], kind="interview", citation="SECRET interview", confidential=True
    )
    services.value_save(value=value, by=users["respondent"], data={"answer": "no"})
    results = selectors.national_results(institution=institution_a, cycle=second)
    row = next(i for i in results[0]["indicators"] if i["code"] == "1.1.S1")
    assert row["value_display"] == "No" and row["status"] == "restrictive"
    assert row["previous_value_display"] == "Yes" and row["previous_status"] == "enabling"
    assert all(not s.confidential for s in row["sources"]) and row["sources"]
    assert selectors.previous_cycle(cycle=second) == first
    assert selectors.published_cycles(institution=institution_a) == [first]


def test_export_never_contains_confidential_sources(institution_a):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S1")
    services.source_add(
        value=value,
        by=cycle.test_users["respondent"],
        kind="interview",
        citation="Defender X at risk",
        confidential=True,
    )
    services.source_add(value=value, by=cycle.test_users["respondent"], kind="law", citation="Public law 12")
    rows = selectors.export_rows(institution=institution_a, cycle=cycle)
    text = repr(rows)
    assert "Public law 12" in text and "Defender X" not in text


def test_my_work_lists_assigned_returned_and_review(institution_a, institution_b):
    cycle = open_cycle(institution_a, areas=("1", "2"))
    users = cycle.test_users
    open_cycle(institution_b)  # B's work never appears
    area = cycle.areas.get(area__code="1")
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    work = selectors.my_work(institution=institution_a, user=users["reviewer"])
    assert [i["cycle_area"] for i in work["to_review"]] == [area]
    services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S1": "check"})
    work = selectors.my_work(institution=institution_a, user=users["respondent"])
    assert [i["cycle_area"].area.code for i in work["returned"]] == ["1"]
    assert [i["cycle_area"].area.code for i in work["to_fill"]] == ["2"]
    assert work["returned"][0]["completeness"] == 1.0


def test_my_work_flags_overdue_assignments(institution_a):
    cycle = open_cycle(institution_a, period=(2020, 2020))
    assert cycle.due_date < datetime.date.today()
    work = selectors.my_work(institution=institution_a, user=cycle.test_users["respondent"])
    assert [i["cycle_area"].area.code for i in work["overdue"]] == ["1"]


def test_findings_and_recommendations_feed_national_results(institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = cycle.areas.get()
    services.cycle_area_set_conclusions(
        cycle_area=area,
        by=users["reviewer"],
        findings="Laws used against defenders.",
        recommendations="Repeal article 27.",
    )
    publish(cycle)
    results = selectors.national_results(institution=institution_a, cycle=cycle)
    assert (
        results[0]["findings"] == "Laws used against defenders."
        and results[0]["recommendations"] == "Repeal article 27."
    )

    with pytest.raises(ValidationError):
        services.cycle_area_set_conclusions(cycle_area=area, by=users["head"], findings="late", recommendations="")


def test_previous_cycle_values_match_by_code_across_framework_versions(institution_a, regional_admin):
    first = open_cycle(institution_a, title="2024", period=(2024, 2024))
    publish(first)
    draft = services.framework_version_create_draft(based_on=first.version, by=regional_admin)
    services.framework_version_publish(version=draft, by=regional_admin)
    second = open_cycle(institution_a, title="2025", period=(2025, 2025), **first.test_users)
    assert second.version == draft and first.version != draft
    entry = selectors.area_entry(institution=institution_a, cycle_area=second.areas.get())
    rows = {r["indicator"].code: r for g in entry["groups"] for r in g["rows"]}
    assert rows["1.1.S1"]["previous"].cycle == first
    assert rows["1.1.S1"]["previous_display"] == "Yes"
