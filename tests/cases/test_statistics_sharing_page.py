"""The page where an institution decides what the region may count of its cases: in the navigation of those who
decide it (the head and the admin), and saying one thing (issue 11, "Institution admins and accounts")."""

import datetime
import re

import pytest

from cases import selectors
from cases.models import CaseSettings
from r2dr.roles import Role
from tests.cases.helpers import CaseFactory

pytestmark = pytest.mark.django_db

URL = "/{slug}/cases/statistics/sharing/"


def _regional_years():
    return {r["key"]: r["count"] for r in selectors.case_statistics(regional=True, group_by="year", min_cell=1)}


@pytest.fixture
def cases_of_a(institution_a, keyed, taxonomy):
    keyed(institution_a)
    for year, n in ((2023, 2), (2024, 3)):
        for _ in range(n):
            CaseFactory(institution=institution_a, date=datetime.date(year, 5, 1))
    return institution_a


@pytest.mark.parametrize("role", [Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN])
def test_those_who_decide_find_the_page_in_their_navigation(member_client, institution_a, role):
    body = member_client(institution_a, role).get(f"/{institution_a.slug}/").content.decode()
    nav = re.search(r'<nav class="main-nav".*?</nav>', body, re.S).group(0)
    assert f'href="{URL.format(slug=institution_a.slug)}"' in nav and "Sharing with the region" in nav


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.DATA_OFFICER, Role.REVIEWER])
def test_others_do_not(member_client, institution_a, role):
    body = member_client(institution_a, role).get(f"/{institution_a.slug}/").content.decode()
    assert URL.format(slug=institution_a.slug) not in body


def _rows(body):
    """(year, shared cell) of each row of the table."""
    rows = re.findall(r'<th scope="row">(\d{4})</th><td>[^<]*</td>\s*<td>(.*?)</td>', body)
    return [(year, re.sub(r"<[^>]+>", "", cell)) for year, cell in rows]


def test_with_the_standing_decision_the_page_says_every_year_and_the_table_agrees(member_client, cases_of_a):
    institution = cases_of_a
    CaseSettings.all_objects.filter(institution=institution).update(share_regional_statistics=True)
    client = member_client(institution, Role.INSTITUTION_HEAD, email="head@a.example")
    body = client.get(URL.format(slug=institution.slug)).content.decode()
    rows = _rows(body)
    assert {year for year, _shared in rows} >= {"2023", "2024"}
    assert all(shared == "yes (every year)" for _year, shared in rows), rows
    assert "Share 2023 with the region" not in body, "a year cannot be shared on its own when every year is"
    assert _regional_years() == {"2023": 2, "2024": 3}, "what the page says is what the region counts"


def test_stopping_every_year_leaves_the_years_shared_one_by_one(member_client, cases_of_a):
    institution = cases_of_a
    client = member_client(institution, Role.INSTITUTION_ADMIN, email="admin@a.example")
    url = URL.format(slug=institution.slug)
    body = client.get(url).content.decode()
    assert "Nothing: no year is shared." in body
    assert all(shared == "no" for _year, shared in _rows(body))
    assert _regional_years() == {}

    client.post(url, {"action": "share_every_year"})
    assert _regional_years() == {"2023": 2, "2024": 3}
    client.post(url, {"year": "2024"})  # 2024 also shared on its own (a choice kept from before, say)
    response = client.post(url, {"action": "stop_every_year"}, follow=True)
    body = response.content.decode()
    assert "Only the years shared one by one: 2024." in body
    assert dict(_rows(body))["2023"] == "no" and dict(_rows(body))["2024"].startswith("yes, since")
    assert _regional_years() == {"2024": 3}
    actions = set(selectors.access_entries(institution).values_list("action", flat=True))
    assert {"cases.statistics.every_year_shared", "cases.statistics.every_year_unshared"} <= actions
