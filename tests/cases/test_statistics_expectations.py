"""case_statistics against counts computed independently in Python from the same random cases."""

import datetime
import random
from collections import Counter

import pytest

from cases import selectors
from cases.models import DefenderGroup, PerpetratorType, Right, ViolationType
from tests.cases.helpers import CaseFactory
from tests.refusals import refused_request

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
    selectors.case_settings_get(institution=institution_a).__class__.all_objects.filter(
        institution=institution_a
    ).update(share_regional_statistics=True)
    rng = random.Random(5)
    truth = []
    taxonomies = {name: list(model.objects.all()) for name, (_f, model) in M2M.items()}
    for i in range(60):
        inst = institution_a if i % 3 else institution_b
        date = None if i % 17 == 0 else datetime.date(rng.choice([2022, 2023, 2024]), rng.randint(1, 12), 1)
        stats = rng.random() < 0.8
        picks = {name: rng.sample(terms, rng.randint(0, 3)) for name, terms in taxonomies.items()}
        country = rng.choice(["TL", "ID", "ZZ"])
        CaseFactory(
            institution=inst,
            clear={"incident_date": date, "country_code": country, **{M2M[n][0]: v for n, v in picks.items()}},
            names="x",
            consents={"statistics": "yes" if stats else "no"},
            consent_wording={},
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
    actions = set(selectors.access_entries(b).values_list("action", flat=True))
    assert {"cases.statistics.shared", "cases.statistics.unshared"} <= actions
    # A case officer cannot decide this.
    officer = make_member(b, Role.CASE_OFFICER, email="co@b.example")
    client.force_login(officer)
    refused_request(client.post, f"/{b.slug}/cases/statistics/sharing/", {"year": "2023"}, status=403)


# --- SDG 16.10.1, verified counts and gender, against a hand-written reading of the indicator ------------------

# Written out here on purpose, not imported: the test states the rules the selectors must follow.
ACTS_MOST_SERIOUS_FIRST = [
    ("killing", {"killing"}),
    ("enforced_disappearance", {"enforced-disappearance"}),
    ("torture", {"torture"}),
    ("arbitrary_detention", {"arbitrary-detention"}),
    ("kidnapping", {"abduction"}),
]


def _victim_group(groups):
    if "journalists" in groups:
        return "journalist"
    if "trade-unionists" in groups:
        return "trade_unionist"
    return "human_rights_defender"


@pytest.fixture
def verified_cases(institution_a, institution_b, keyed, taxonomy):
    from cases.models import Case, CaseLink

    keyed(institution_a)
    keyed(institution_b, email="officer@b.example")
    rng = random.Random(16101)
    violation_codes = ["killing", "enforced-disappearance", "torture", "arbitrary-detention", "abduction",
                       "other-harm", "threats", "judicial-harassment"]  # fmt: skip
    group_codes = ["journalists", "trade-unionists", "whrd", "land-environment"]
    truth, cases = [], []
    for i in range(70):
        inst = institution_b if i % 7 == 0 else institution_a
        year = rng.choice([2024, 2025])
        codes = set(rng.sample(violation_codes, rng.randint(0, 3)))
        groups = set(rng.sample(group_codes, rng.randint(0, 2)))
        gender = rng.choice(["woman", "man", "mixed", "undisclosed"])
        affected = rng.choice([1, 1, 1, 2, 5])
        case = CaseFactory(
            institution=inst,
            clear={
                "incident_date": datetime.date(year, rng.randint(1, 12), 1),
                "violation_types": list(ViolationType.objects.filter(code__in=codes)),
                "defender_groups": list(DefenderGroup.objects.filter(code__in=groups)),
                "gender": gender,
                "affected_count": affected,
            },
            names="x",
            consents={"statistics": "yes" if rng.random() < 0.7 else "no"},
            consent_wording={},
        )
        verified = rng.random() < 0.75
        status = rng.choice(["action", "closed"]) if verified else rng.choice(["received", "verification", "closed"])
        Case.objects.for_institution(inst).filter(pk=case.pk).update(
            status=status, verified_at=case.received_at if verified else None
        )
        cases.append(case)
        truth.append({"inst": inst.pk, "year": year, "codes": codes, "groups": groups, "gender": gender,
                      "affected": affected, "verified": verified, "duplicate": False})  # fmt: skip
    # Two duplicates of verified cases of A: one marked with duplicate_of, one only by a duplicate link.
    a_verified = [i for i, t in enumerate(truth) if t["verified"] and t["inst"] == institution_a.pk]
    first, second, main = a_verified[0], a_verified[1], a_verified[2]
    Case.objects.for_institution(institution_a).filter(pk=cases[first].pk).update(duplicate_of=cases[main])
    CaseLink.objects.create(institution=institution_a, case=cases[second], other=cases[main], kind="duplicate")
    truth[first]["duplicate"] = truth[second]["duplicate"] = True
    return institution_a, institution_b, truth


def _expected_sdg(truth, institution, year):
    total, by_act, by_group, by_sex = 0, Counter(), Counter(), Counter()
    for t in truth:
        if t["inst"] != institution.pk or t["year"] != year or not t["verified"] or t["duplicate"]:
            continue
        act = next((name for name, codes in ACTS_MOST_SERIOUS_FIRST if codes & t["codes"]), None)
        if act is None:
            continue
        total += t["affected"]
        by_act[act] += t["affected"]
        by_group[_victim_group(t["groups"])] += t["affected"]
        by_sex[t["gender"]] += t["affected"]
    return total, by_act, by_group, by_sex


@pytest.mark.parametrize("year", [2024, 2025])
def test_sdg_16_10_1_counts_each_victim_once(verified_cases, year):
    a, _b, truth = verified_cases
    span = {"date_from": datetime.date(year, 1, 1), "date_to": datetime.date(year, 12, 31)}
    result = selectors.sdg_16_10_1(institution=a, **span)
    total, by_act, by_group, by_sex = _expected_sdg(truth, a, year)
    assert total > 0
    assert result.total == total
    assert {k: v for k, v in result.by_category.items() if v} == dict(by_act)
    assert {k: v for k, v in result.by_victim_group.items() if v} == dict(by_group)
    assert {k: v for k, v in result.by_sex.items() if v} == dict(by_sex)
    # The marginals are a partition of the victims: each victim appears once in each.
    assert sum(result.by_category.values()) == sum(result.by_victim_group.values()) == total
    assert sum(result.cells.values()) == total
    # The indicator framework's computations read the same figures.
    from indicators import computations

    assert computations.compute("sdg_16_10_1", institution=a, **span) == total
    assert computations.compute("journalists_16_10_1", institution=a, **span) == by_group["journalist"]
    assert computations.compute("trade_unionists_16_10_1", institution=a, **span) == by_group["trade_unionist"]


def test_verified_counts_by_dimension(verified_cases):
    a, _b, truth = verified_cases
    span = {"date_from": datetime.date(2024, 1, 1), "date_to": datetime.date(2025, 12, 31)}
    kept = [t for t in truth if t["inst"] == a.pk and t["verified"] and not t["duplicate"]]
    assert selectors.verified_case_count(institution=a, **span) == len(kept)
    assert selectors.verified_case_counts(institution=a, group_by="gender", **span) == Counter(
        t["gender"] for t in kept
    )
    by_type = Counter(code for t in kept for code in t["codes"])
    assert selectors.verified_case_counts(institution=a, group_by="violation_type", **span) == by_type
    by_act = Counter(
        next(name for name, codes in ACTS_MOST_SERIOUS_FIRST if codes & t["codes"])
        for t in kept
        if any(codes & t["codes"] for _n, codes in ACTS_MOST_SERIOUS_FIRST)
    )
    assert selectors.verified_case_counts(institution=a, group_by="sdg_16_10_1", **span) == by_act


def test_gender_statistics_match_the_cases(verified_cases):
    from cases.models import Case

    a, _b, truth = verified_cases
    consented = Case.objects.for_institution(a).filter(consent_statistics=True, duplicate_of__isnull=True)
    linked = {t_index for t_index, t in enumerate(truth) if t["duplicate"]}
    assert linked
    expected_cells = Counter(
        (gender, date.year)
        for gender, date in consented.exclude(links_from__kind="duplicate").values_list("gender", "incident_date")
    )
    got = {
        (r["key"], r["year"]): r["count"]
        for r in selectors.case_statistics(institution=a, group_by="gender", min_cell=1)
    }
    assert got == dict(expected_cells)


def test_a_violation_type_a_regional_admin_adds_counts_by_its_sdg_act(institution_a, keyed, taxonomy):
    """The act is data on the taxonomy: a new code counts once its act is set, and no code names it anywhere."""

    keyed(institution_a)
    new = ViolationType.objects.create(code="extrajudicial-execution", label="Extrajudicial execution")
    span = {"date_from": datetime.date(2025, 1, 1), "date_to": datetime.date(2025, 12, 31)}

    def verified_case(violation):
        CaseFactory(
            institution=institution_a,
            clear={"incident_date": datetime.date(2025, 5, 1), "violation_types": [violation], "affected_count": 3},
            names="x",
            consents={"statistics": "yes"},
            consent_wording={},
            status="action",
            verified=True,
        )

    verified_case(new)
    assert selectors.sdg_16_10_1(institution=institution_a, **span).total == 0  # no act set: not counted
    new.sdg_16101, new.sdg_16101_act = True, "killing"
    new.save()
    result = selectors.sdg_16_10_1(institution=institution_a, **span)
    assert result.total == 3 and result.cases == 1 and result.by_category["killing"] == 3
    assert selectors.verified_case_counts(institution=institution_a, group_by="sdg_16_10_1", **span) == {"killing": 1}
    # A case with the new code and a less serious act counts once, under the most serious.
    verified_case(ViolationType.objects.get(code="arbitrary-detention"))
    result = selectors.sdg_16_10_1(institution=institution_a, **span)
    assert result.by_category["killing"] == 3 and result.by_category["arbitrary_detention"] == 3


def test_the_taxonomy_form_sets_the_sdg_act(client, regional_admin, taxonomy):
    client.force_login(regional_admin)
    r = client.post(
        "/regional/cases/taxonomies/violation-types/new/",
        {"code": "extrajudicial-execution", "label": "Extrajudicial execution", "description": "",
         "sdg_16101": "on", "sdg_16101_act": "killing", "order": "30", "is_active": "on"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    assert ViolationType.objects.get(code="extrajudicial-execution").sdg_16101_act == "killing"
