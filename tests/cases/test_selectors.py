import datetime

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors, services
from cases.models import DefenderGroup, ViolationType
from tests.cases.helpers import CaseFactory

pytestmark = pytest.mark.django_db
D = datetime.date


class ReportedCase(CaseFactory):
    class Params:
        names = "SECRET NAME"
        date = D(2025, 5, 1)
        violation_codes = ("judicial-harassment",)

    clear__defender_groups = factory.LazyFunction(lambda: [DefenderGroup.objects.get(code="whrd")])
    private = factory.Dict({"affected_names": factory.SelfAttribute("..names")})
    consent_wording = factory.Dict({})


@pytest.fixture
def two(institution_a, institution_b, keyed, taxonomy):
    keyed(institution_a)
    keyed(institution_b, email="officer@b.example")
    return institution_a, institution_b


def test_verified_case_count(two):
    a, b = two
    ReportedCase(institution=a, violation_codes=("killing",), status="action", verified=True)
    ReportedCase(institution=a, violation_codes=("killing", "torture"), status="closed", verified=True)
    ReportedCase(institution=a, violation_codes=("threats",), status="action", verified=True)
    ReportedCase(institution=a, status="closed")  # closed without verification: not counted
    ReportedCase(institution=a, status="verification")
    ReportedCase(institution=a, status="action", verified=True, date=D(2020, 1, 1))  # out of range
    ReportedCase(institution=b, status="action", verified=True)
    with CaptureQueriesContext(connection) as ctx:
        n = selectors.verified_case_count(institution=a, date_from=D(2025, 1, 1), date_to=D(2025, 12, 31))
    assert n == 3 and len(ctx) == 1
    assert (
        selectors.verified_case_count(
            institution=a, date_from=D(2025, 1, 1), date_to=D(2025, 12, 31), violation_types=["killing", "torture"]
        )
        == 2
    )
    assert (
        selectors.verified_case_count(
            institution=a,
            date_from=D(2025, 1, 1),
            date_to=D(2025, 12, 31),
            violation_types=ViolationType.objects.filter(code="threats"),
        )
        == 1
    )
    assert (
        selectors.verified_case_count(
            institution=a, date_from=D(2025, 1, 1), date_to=D(2025, 12, 31), defender_groups=["whrd"]
        )
        == 3
    )


def test_open_urgent(two):
    a, _b = two
    ReportedCase(institution=a, urgent=True)
    ReportedCase(institution=a, urgent=True, status="closed")
    ReportedCase(institution=a)
    assert selectors.open_urgent_case_count(institution=a) == 1


def test_statistics_consent_suppression_and_queries(two):
    a, _b = two
    for _ in range(6):
        ReportedCase(institution=a, violation_codes=("judicial-harassment",))
    for _ in range(5):
        ReportedCase(institution=a, violation_codes=("arbitrary-detention",), clear__gender="man")
    ReportedCase(institution=a, violation_codes=("killing",), clear__gender="woman")  # 1: withheld
    for _ in range(3):
        ReportedCase(
            institution=a, violation_codes=("threats",), consents__statistics="no"
        )  # no consent: never counted
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.case_statistics(institution=a, group_by="violation_type")
    queries = len(ctx)
    assert queries <= 12
    by = {r["key"]: r for r in rows}
    assert "threats" not in by
    assert by["judicial-harassment"]["count"] == 6 and not by["judicial-harassment"]["suppressed"]
    assert by["killing"]["count"] is None and by["killing"]["suppressed"]
    # Violation types are multi-valued (a case may have several), so they do not add up to the total and the
    # year total cannot be subtracted: no complementary cell is needed here.
    assert by["arbitrary-detention"]["count"] == 5
    assert by["judicial-harassment"]["label"] == "Judicial harassment or criminalisation"
    assert all(r["year"] == 2025 for r in rows)
    # Gender is single-valued: its cells add up to the year total (12, published), so withholding the one woman
    # alone would give her away; the smallest other cell (5 men) is withheld with her.
    gender = {r["key"]: r["count"] for r in selectors.case_statistics(institution=a, group_by="gender")}
    assert gender == {"woman": None, "man": None, "undisclosed": 6}
    assert selectors.case_statistics(institution=a, group_by="year") == [
        {"key": "2025", "label": "2025", "year": 2025, "count": 12, "suppressed": False}
    ]
    for group in ("defender_group", "perpetrator_type", "right", "country", "subregion", "perpetrator_kind"):
        selectors.case_statistics(institution=a, group_by=group)
    with pytest.raises(ValueError):
        selectors.case_statistics(institution=a, group_by="name")
    # The query count does not grow with the data.
    for _ in range(10):
        ReportedCase(institution=a, violation_codes=("threats", "killing"), clear__gender="man", date=D(2024, 3, 1))
    with CaptureQueriesContext(connection) as ctx:
        selectors.case_statistics(institution=a, group_by="violation_type")
    assert len(ctx) == queries


def test_per_institution_min_cell(two):
    a, _ = two
    s = selectors.case_settings_get(institution=a)
    s.min_cell = 2
    s.save()
    ReportedCase(institution=a)
    ReportedCase(institution=a)
    rows = selectors.case_statistics(institution=a, group_by="violation_type")
    assert rows[0]["count"] == 2


def test_regional_only_shared(two):
    a, b = two
    for _ in range(5):
        ReportedCase(institution=a)
        ReportedCase(institution=b)
    s = selectors.case_settings_get(institution=a)
    s.share_regional_statistics = True
    s.save()
    rows = selectors.case_statistics(regional=True, group_by="violation_type")
    assert rows[0]["count"] == 5
    rows = selectors.case_statistics(regional=True, group_by="country", min_cell=1)
    assert len(rows) == 1
    assert selectors.case_statistics(regional=True, group_by="violation_type", subregion="pacific") == []


def test_statistics_rows_never_contain_identities(two):
    a, _ = two
    for _ in range(5):
        ReportedCase(institution=a)
    assert "SECRET" not in str(selectors.case_statistics(institution=a, group_by="violation_type"))


def test_consent_in_force_follows_latest_answer(two):
    a, _ = two
    case = ReportedCase(institution=a)
    assert selectors.consent_in_force(case, "statistics") == "yes"
    assert selectors.consent_in_force(case, "un") == "no"  # never answered yes
    services.consent_change(case=case, kind="un", answer="yes_named", wording="w", language="en")
    assert selectors.consent_in_force(case, "un") == "yes_named"
    services.consent_change(case=case, kind="un", answer="no", wording="w", language="en")
    assert selectors.consent_in_force(case, "un") == "no"
