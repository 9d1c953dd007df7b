"""case_statistics against counts computed independently in Python from the same random cases."""

import datetime
import random
from collections import Counter

import pytest

from cases import selectors, services
from cases.models import DefenderGroup, PerpetratorType, Right, ViolationType

pytestmark = pytest.mark.django_db

M2M = {
    "violation_type": ("violation_types", ViolationType),
    "defender_group": ("defender_groups", DefenderGroup),
    "perpetrator_type": ("perpetrator_types", PerpetratorType),
    "right": ("rights", Right),
}


@pytest.fixture
def random_cases(institution_a, institution_b, keyed, taxonomy):
    keyed(institution_a)
    keyed(institution_b, email="officer@b.example")
    services.settings_for(institution_a).__class__.all_objects.filter(institution=institution_a).update(
        share_regional_statistics=True
    )
    rng = random.Random(5)
    truth = []
    taxonomies = {name: list(model.objects.all()) for name, (_f, model) in M2M.items()}
    for i in range(60):
        inst = institution_a if i % 3 else institution_b
        date = None if i % 17 == 0 else datetime.date(rng.choice([2022, 2023, 2024]), rng.randint(1, 12), 1)
        stats = rng.random() < 0.8
        picks = {name: rng.sample(terms, rng.randint(0, 3)) for name, terms in taxonomies.items()}
        country = rng.choice(["TL", "ID", "ZZ"])
        case, _code = services.case_submit(
            institution=inst,
            clear={"incident_date": date, "country_code": country, **{M2M[n][0]: v for n, v in picks.items()}},
            private={"affected_names": "x"},
            consents={"statistics": "yes" if stats else "no"},
            consent_wording={},
            language="en",
        )
        truth.append({"inst": inst.pk, "year": date.year if date else None, "stats": stats, "country": country,
                      **{n: {t.code for t in v} for n, v in picks.items()}})  # fmt: skip
    return institution_a, institution_b, truth


def expected(truth, group_by, institutions):
    counter = Counter()
    for row in truth:
        if not row["stats"] or row["year"] is None or row["inst"] not in institutions:
            continue
        if group_by == "year":
            counter[(str(row["year"]), row["year"])] += 1
        elif group_by == "country":
            counter[(row["country"], row["year"])] += 1
        else:
            for code in row[group_by]:
                counter[(code, row["year"])] += 1
    return counter


@pytest.mark.parametrize("group_by", ["year", "country", *M2M])
def test_counts_match_independent_expectations(random_cases, group_by):
    a, b, truth = random_cases
    got = {
        (r["key"], r["year"]): r["count"]
        for r in selectors.case_statistics(institution=a, group_by=group_by, min_cell=1)
    }
    assert got == dict(expected(truth, group_by, {a.pk}))
    # Regional: only A shares.
    got = {
        (r["key"], r["year"]): r["count"]
        for r in selectors.case_statistics(regional=True, group_by=group_by, min_cell=1)
    }
    assert got == dict(expected(truth, group_by, {a.pk}))


def test_explicit_period_sharing(client, random_cases, make_member):
    from r2dr.roles import Role

    a, b, truth = random_cases
    head = make_member(b, Role.INSTITUTION_HEAD, email="head@b.example")
    assert expected(truth, "year", {b.pk}), "fixture has cases of B"

    def regional():
        return {r["key"]: r["count"] for r in selectors.case_statistics(regional=True, group_by="year", min_cell=1)}

    before = regional()
    client.force_login(head)
    page = client.get(f"/{b.slug}/cases/statistics/sharing/")
    assert page.status_code == 200 and "Share 2023 with the region" in page.content.decode()
    client.post(f"/{b.slug}/cases/statistics/sharing/", {"year": "2023"})
    after = regional()
    b_2023 = expected(truth, "year", {b.pk})[("2023", 2023)]
    assert after["2023"] == before.get("2023", 0) + b_2023
    assert after["2022"] == before["2022"] and after["2024"] == before["2024"]
    # By-dimension tables honour the same periods.
    got = sum(
        r["count"] for r in selectors.case_statistics(regional=True, group_by="country", min_cell=1, institution=b)
    )
    assert got == b_2023
    client.post(f"/{b.slug}/cases/statistics/sharing/", {"year": "2023", "action": "unshare"})
    assert regional() == before
    actions = set(services.access_entries(b).values_list("action", flat=True))
    assert {"cases.statistics.shared", "cases.statistics.unshared"} <= actions
    # A case officer cannot decide this.
    officer = make_member(b, Role.CASE_OFFICER, email="co@b.example")
    client.force_login(officer)
    assert client.post(f"/{b.slug}/cases/statistics/sharing/", {"year": "2023"}).status_code == 403
