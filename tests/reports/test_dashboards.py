"""Dashboards show the right figures for a known data set (expected values computed here)."""

import csv
import io

import pytest

from r2dr.roles import Role
from reports import case_release, selectors, services

pytestmark = pytest.mark.django_db


def _status_counts(indicators):
    counts = {"enabling": 0, "partly": 0, "restrictive": 0, "nodata": 0}
    for ind in indicators:
        counts[ind["status"]] += 1
    return counts


def test_national_dashboard_figures(fake_sources, world, member_client):
    client = member_client(world.a, Role.DATA_OFFICER)
    response = client.get(f"/{world.a.slug}/dashboard/")
    assert response.status_code == 200
    data = response.context["data"]
    expected = [
        [f"{area['code']} {area['title']}", *_status_counts(area["indicators"]).values()]
        for area in fake_sources.results
    ]
    assert data.status_table.rows == expected
    # Case total: distinct cases per year (a case with two violation types counts once).
    assert data.case_total == 20 + 25 and not data.case_total_partial
    body = response.content.decode()
    assert "Improved" in body and "Worsened" in body
    assert "75 %" in body  # completeness of the cycle
    assert "Open urgent cases" not in body  # data officers do not see case counts of urgent cases


def test_urgent_count_only_for_case_officers(fake_sources, world, member_client):
    response = member_client(world.a, Role.CASE_OFFICER).get(f"/{world.a.slug}/dashboard/")
    assert response.status_code == 200
    assert response.context["data"].urgent_count == fake_sources.urgent
    assert "Open urgent cases" in response.content.decode()


def test_change_since_previous_cycle(fake_sources, world, member_client):
    response = member_client(world.a, Role.REVIEWER).get(f"/{world.a.slug}/dashboard/")
    rows = {r[0].split()[0]: r[-1] for r in response.context["data"].comparison.rows}
    assert rows == {"A1.1": "Improved", "A1.2": "Worsened", "A2.1": "No earlier data", "A3.1": "No data"}


def test_suppressed_cells_never_show_a_number(fake_sources, world, member_client):
    client = member_client(world.a, Role.DATA_OFFICER)
    response = client.get(f"/{world.a.slug}/dashboard/")
    table = next(t for t in response.context["data"].case_tables if t.key == "cases_by_violation_type")
    by_label = {row[0]: row[1:] for row in table.rows}
    # Threats: 9 in 2024, withheld in 2025, so its total is withheld as well.
    assert by_label["Threats and intimidation"] == [9, None, None]
    assert by_label["Arbitrary detention"] == [12, 15, 27]
    assert by_label["Killing"] == [0, None, None]
    assert "withheld" in table.note
    csv_response = client.get(f"/{world.a.slug}/dashboard/cases_by_violation_type.csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows[0] == ["Category", "2024", "2025", "Total"]
    assert ["Threats and intimidation", "9", "", ""] in rows


def test_institution_without_published_cycle(fake_sources, world, member_client):
    response = member_client(world.b, Role.DATA_OFFICER).get(f"/{world.b.slug}/dashboard/")
    assert response.status_code == 200
    assert "No cycle has been published yet" in response.content.decode()


def test_regional_dashboard_figures(fake_sources, world, regional_admin, client):
    client.force_login(regional_admin)
    response = client.get("/regional/dashboard/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.round_id is None  # each institution's latest published cycle by default
    assert data.completeness_round == 2  # completeness: the newest round
    assert data.comparison_table is None
    assert data.institution_count == 3
    # Distribution per area, computed from the fixture's cells.
    for row in data.area_table.rows:
        code = row[0].split()[0]
        statuses = [cells[code] for cells in fake_sources.matrix_cells.values()]
        assert row[1:] == [statuses.count(s) for s in ("enabling", "partly", "restrictive", "nodata")]
    # Share of state perpetrators over the cells not withheld: police / (police + companies).
    police = 10 + 14
    assert data.state_share == pytest.approx(police / (police + 6))
    # Comparison between rounds: enabling areas per institution, previous round then this one.
    comparison = {
        r[0]: r[1:] for r in client.get("/regional/dashboard/", {"round": "2"}).context["data"].comparison_table.rows
    }
    assert comparison[str(world.a)] == [0, 1, "+1"]
    assert comparison[str(world.c)] == [2, 2, "+0"]
    body = response.content.decode()
    assert "cell-restrictive" in body and "80 %" in body
    # completeness table: sorted by completeness
    assert [r[0] for r in data.completeness_table.rows] == [str(world.a), str(world.b)]
    assert data.completeness_table.rows[0][2] == "75 %"


def test_regional_filters_reach_the_selectors(fake_sources, world, regional_admin, client):
    client.force_login(regional_admin)
    response = client.get("/regional/dashboard/", {"subregion": "south_asia", "round": "2", "area": "A2"})
    data = response.context["data"]
    assert [r["institution"] for r in data.rows] == [world.b]
    assert [a["code"] for a in data.areas] == ["A2"]
    assert ("regional_status_matrix", 2, "south_asia", None) in fake_sources.calls
    assert [r[0] for r in data.completeness_table.rows] == [str(world.b)]
    response = client.get("/regional/dashboard/", {"country": "AL"})
    assert [r["institution"] for r in response.context["data"].rows] == [world.a]
    assert ("case_statistics", "country", True, "AL") in fake_sources.calls


@pytest.mark.parametrize(
    "key",
    [
        "status_matrix",
        "institutions_by_status",
        "completeness",
        "round_comparison",
        "cases_by_violation_type",
        "cases_by_subregion",
        "cases_by_country",
        "cases_by_defender_group",
        "cases_by_right",
        "cases_by_perpetrator_type",
    ],
)
def test_every_regional_chart_has_a_csv(fake_sources, regional_admin, client, key):
    client.force_login(regional_admin)
    response = client.get(f"/regional/dashboard/{key}.csv", {"round": "2"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) >= 2
    assert client.get("/regional/dashboard/no-such-chart.csv").status_code == 404


def test_every_chart_has_a_table_alternative(fake_sources, regional_admin, client):
    client.force_login(regional_admin)
    body = client.get("/regional/dashboard/").content.decode()
    assert body.count('<svg class="chart"') >= 8
    # every chart is followed by its table
    for chunk in body.split('<svg class="chart"')[1:]:
        assert 'class="table-alt"' in chunk.split("</figure>")[0]
    assert "<script>" not in body and 'style="' not in body


def test_csv_cells_cannot_inject_formulas(fake_sources, world, regional_admin, client):
    fake_sources.cases["right"] = [("x", "=HYPERLINK(1)", 2025, 30)]
    client.force_login(regional_admin)
    text = client.get("/regional/dashboard/cases_by_right.csv").content.decode()
    assert "'=HYPERLINK(1)" in text


def test_no_data_yet_before_anything_is_published(world, regional_admin, client):
    """On the real selectors, with no framework, round, cycle or case yet: notices, never an error."""
    client.force_login(regional_admin)
    response = client.get("/regional/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No data yet" in body
    assert "No published results for this selection." in body


def test_dashboards_query_count_is_constant(fake_sources, world, regional_admin, client, django_assert_max_num_queries):
    client.force_login(regional_admin)
    with django_assert_max_num_queries(12):
        assert client.get("/regional/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "query", [{"round": "x'; drop"}, {"round": "999999"}, {"subregion": "nowhere"}, {"country": "<b>"}, {"area": "Z9"}]
)
def test_odd_filters_never_fail(fake_sources, regional_admin, client, query):
    client.force_login(regional_admin)
    response = client.get("/regional/dashboard/", query)
    assert response.status_code == 200
    assert "<b>" not in response.content.decode().split("<main", 1)[1].replace("&lt;b&gt;", "")


def test_odd_cycle_parameter(fake_sources, world, member_client):
    client = member_client(world.a, Role.DATA_OFFICER)
    assert client.get(f"/{world.a.slug}/dashboard/", {"cycle": "abc"}).status_code == 200
    assert client.get(f"/{world.a.slug}/dashboard/", {"cycle": "424242"}).status_code == 200


def test_regional_case_statistics_are_cached_briefly_but_never_for_pdfs(fake_sources, regional_admin, client):

    client.force_login(regional_admin)
    client.get("/regional/dashboard/")
    calls = len([c for c in fake_sources.calls if c[0] == "case_statistics_release"])
    assert calls == 1  # one release per page, sliced into every table
    fake_sources.cases["right"] = [("assembly", "Freedom of peaceful assembly", 2025, 99)]
    data = client.get("/regional/dashboard/").context["data"]
    assert len([c for c in fake_sources.calls if c[0] == "case_statistics_release"]) == calls  # from the cache
    assert next(t for t in data.case_tables if t.key == "cases_by_right").rows == [["Freedom of peaceful assembly", 21]]
    fresh = selectors.regional_dashboard(for_pdf=True)
    assert next(t for t in fresh.case_tables if t.key == "cases_by_right").rows == [
        ["Freedom of peaceful assembly", 99]
    ]


def test_beat_keeps_regional_case_statistics_warm(fake_sources, regional_admin, client):
    from r2dr.celery import app
    from reports import tasks

    assert app.conf.beat_schedule[tasks.WARM_SCHEDULE_NAME]["task"] == "reports.tasks.warm_regional_case_statistics"
    fake_sources.calls.clear()
    tasks.warm_regional_case_statistics.delay().get()
    warmed = len([c for c in fake_sources.calls if c[0] == "case_statistics_release"])
    assert warmed == 1
    client.force_login(regional_admin)
    client.get("/regional/dashboard/")
    assert len([c for c in fake_sources.calls if c[0] == "case_statistics_release"]) == warmed  # from the cache


def test_an_old_release_is_served_while_a_refresh_is_queued(
    fake_sources, regional_admin, client, monkeypatch, django_capture_on_commit_callbacks
):
    """Stale-while-revalidate: past its freshness the release still answers at once; one refresh is queued."""
    import time

    client.force_login(regional_admin)
    client.get("/regional/dashboard/")
    built = len([c for c in fake_sources.calls if c[0] == "case_statistics_release"])
    fake_sources.cases["right"] = [("assembly", "Freedom of peaceful assembly", 2025, 77)]
    later = time.time() + case_release.CASE_STATISTICS_CACHE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        data = client.get("/regional/dashboard/").context["data"]
        client.get("/regional/dashboard/")  # a second request does not queue a second refresh
    assert next(t for t in data.case_tables if t.key == "cases_by_right").rows == [["Freedom of peaceful assembly", 21]]
    assert len([c for c in fake_sources.calls if c[0] == "case_statistics_release"]) == built  # nothing inline
    assert len(queued) == 1
    queued[0]()  # the Celery task (eager here) rebuilds the release
    data = client.get("/regional/dashboard/").context["data"]
    assert next(t for t in data.case_tables if t.key == "cases_by_right").rows == [["Freedom of peaceful assembly", 77]]


def test_changing_what_an_institution_shares_drops_the_precomputed_release(
    institution_a, make_member, django_capture_on_commit_callbacks
):
    """A release cached before a change in what is shared is never served after it: the key holds the cases app's
    statistics version, which the change moves (no signal from cases into reports)."""
    import time

    from django.core.cache import cache

    from cases import selectors as case_selectors
    from cases import services as case_services

    head = make_member(institution_a, Role.INSTITUTION_HEAD)

    def cache_a_release():
        # Only under the current key: a release cached for an earlier state may be served again when the data is
        # back to that state (it was built from exactly that data), so none is left from earlier steps.
        cache.clear()
        key = case_release.regional_case_release_key()
        cache.set(key, (time.time(), "a release"), 600)
        assert services.regional_case_release_serve() == "a release"  # fresh: served from the cache
        return key

    for share in (True, False):
        key = cache_a_release()
        with django_capture_on_commit_callbacks(execute=True):
            case_services.statistics_share(institution=institution_a, year=2025, by=head, share=share)
        assert case_release.regional_case_release_key() != key
        assert services.regional_case_release_serve() != "a release"
    key = cache_a_release()
    settings_row = case_selectors.case_settings_get(institution=institution_a)
    settings_row.share_regional_statistics = True
    settings_row.save()
    assert case_release.regional_case_release_key() != key
    assert services.regional_case_release_serve() != "a release"


def test_case_total_with_a_withheld_year_reads_as_a_lower_bound(fake_sources, world, member_client):
    fake_sources.cases["year"] = [("2024", "2024", 2024, 20), ("2025", "2025", 2025, None)]
    response = member_client(world.a, Role.DATA_OFFICER).get(f"/{world.a.slug}/dashboard/")
    data = response.context["data"]
    assert data.case_total == 20 and data.case_total_partial
    body = response.content.decode()
    assert "at least 20" in body and "some years are withheld" in body


def test_the_national_dashboard_serves_a_precomputed_case_release(fake_sources, world, member_client):
    """Issue 11: the national dashboard rebuilt its case statistics on every request; now, like the regional one,
    it serves the release built last for the institution's current data, and PDFs still build their own."""
    client = member_client(world.a, Role.DATA_OFFICER)

    def builds():
        return len([c for c in fake_sources.calls if c[0] == "case_statistics_release" and c[2] == world.a])

    client.get(f"/{world.a.slug}/dashboard/")
    assert builds() == 1
    before = fake_sources.cases["violation_type"]
    fake_sources.cases["violation_type"] = [("killing", "Killing", 2025, 40)]
    again = client.get(f"/{world.a.slug}/dashboard/").context["data"]
    client.get(f"/{world.a.slug}/dashboard/cases_by_violation_type.csv")  # the CSV slices the same release
    assert builds() == 1
    table = next(t for t in again.case_tables if t.key == "cases_by_violation_type")
    assert "Killing" in [row[0] for row in table.rows] and [0, None, None] == next(
        row[1:] for row in table.rows if row[0] == "Killing"
    )
    # Another institution has its own release, and a PDF never uses the cached one.
    member_client(world.b, Role.DATA_OFFICER).get(f"/{world.b.slug}/dashboard/")
    assert builds() == 1
    pdf = selectors.national_dashboard(institution=world.a, for_pdf=True)
    assert builds() == 2
    assert [row[0] for row in next(t for t in pdf.case_tables if t.key == "cases_by_violation_type").rows] == [
        "Killing"
    ]
    fake_sources.cases["violation_type"] = before
