"""Two institutions with identical framework codes: nothing done or read for A touches or shows B."""

import pytest
from django.urls import reverse

from indicators import selectors, services
from indicators.models import CycleEvent, Value, ValueHistory
from tests.indicators.helpers import fill_area, open_cycle, publish, trail

pytestmark = pytest.mark.django_db


def test_a_workflow_never_touches_b(institution_a, institution_b):
    cycle_a = open_cycle(institution_a)
    cycle_b = open_cycle(institution_b)
    fill_area(cycle_b.areas.get(), cycle_b.test_users["respondent"], narrative="B ONLY narrative")
    b_values = list(Value.objects.for_institution(institution_b).order_by("pk").values_list("answer", "narrative"))
    b_history = ValueHistory.objects.for_institution(institution_b).count()
    b_events = CycleEvent.objects.for_institution(institution_b).count()

    publish(cycle_a)

    assert (
        list(Value.objects.for_institution(institution_b).order_by("pk").values_list("answer", "narrative")) == b_values
    )
    assert ValueHistory.objects.for_institution(institution_b).count() == b_history
    assert CycleEvent.objects.for_institution(institution_b).count() == b_events
    cycle_b.refresh_from_db()
    assert not cycle_b.is_published and cycle_b.areas.get().status == "draft"

    # A's selectors show only A's rows, even with B's objects passed in by mistake.
    entry = selectors.area_entry(institution=institution_a, cycle_area=cycle_b.areas.get())
    assert entry["total"] == 0
    assert selectors.export_rows(institution=institution_a, cycle=cycle_b) == []
    assert all(not a["indicators"] for a in selectors.national_results(institution=institution_a, cycle=cycle_b))
    assert "B ONLY" not in repr(selectors.export_rows(institution=institution_a, cycle=cycle_a))
    assert selectors.previous_cycle(cycle=cycle_b) is None


def test_urls_with_the_other_institutions_ids_are_not_found(client, institution_a, institution_b):
    cycle_a = open_cycle(institution_a)
    cycle_b = open_cycle(institution_b)
    value_b = cycle_b.values.first()
    source_b = services.source_add(value=value_b, by=cycle_b.test_users["respondent"], kind="law", citation="B law")
    client.force_login(cycle_a.test_users["respondent"])
    before = (trail(institution_a), trail(institution_b))
    for name, kwargs in [
        ("indicators_cycle", {"cycle_id": cycle_b.pk}),
        ("indicators_area", {"cycle_id": cycle_b.pk, "area_code": "1"}),
        ("indicators_cycle_export_csv", {"cycle_id": cycle_b.pk}),
        ("indicators_value_history", {"value_id": value_b.pk}),
        ("indicators_source_file", {"source_id": source_b.pk}),
    ]:
        response = client.get(reverse(name, kwargs={"institution_slug": institution_a.slug, **kwargs}))
        assert response.status_code == 404, name
    response = client.post(
        reverse(
            "indicators_value",
            kwargs={"institution_slug": institution_a.slug, "cycle_id": cycle_b.pk, "indicator_code": "1.1.S1"},
        ),
        {f"v{value_b.pk}-answer": "no"},
    )
    assert response.status_code == 404
    value_b.refresh_from_db()
    assert value_b.answer == ""
    assert (trail(institution_a), trail(institution_b)) == before
