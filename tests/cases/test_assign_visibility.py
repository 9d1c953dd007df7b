"""Bulk assignment acts only on cases the acting officer may see: a restricted case that does not name them is
out of their reach, as another institution's case is."""

import pytest

from cases import services
from cases.models import Case
from r2dr.roles import Role
from tests.cases.helpers import CaseFactory, unlock_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(client, institution_a, keyed, taxonomy, make_member):
    officer, _kit = keyed(institution_a)
    colleague = make_member(institution_a, Role.CASE_OFFICER, email="colleague@a.example")
    case = CaseFactory(institution=institution_a, un_named=True, names="CANARY Restricted")
    # The colleague restricts the case to themself: the officer no longer sees it.
    services.case_restrict(case=case, by=colleague, officers=[colleague])
    return institution_a, officer, colleague, case


def test_an_officer_cannot_assign_a_restricted_case_they_cannot_see(client, restricted):
    institution, officer, _colleague, case = restricted
    client.force_login(officer)
    unlock_client(client, institution)
    r = client.post(f"/{institution.slug}/cases/assign/", {"cases": [case.pk], "officer": str(officer.pk)})
    assert r.status_code == 302
    assert Case.objects.for_institution(institution).get(pk=case.pk).assigned_to_id is None
    assert "CANARY" not in client.get(r["Location"]).content.decode()


def test_the_service_assigns_only_cases_visible_to_the_acting_officer(restricted):
    institution, officer, colleague, case = restricted
    open_case = CaseFactory(institution=institution, un_named=True, names="CANARY Open")
    n = services.cases_assign(institution=institution, case_ids=[case.pk, open_case.pk], officer=officer, by=officer)
    assert n == 1
    assigned = dict(Case.objects.for_institution(institution).values_list("pk", "assigned_to_id"))
    assert assigned == {case.pk: None, open_case.pk: officer.pk}
    # The officer the case names can still assign it.
    assert services.cases_assign(institution=institution, case_ids=[case.pk], officer=colleague, by=colleague) == 1
