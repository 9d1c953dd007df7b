"""A training cohort's practice institution (issue 12, module 3) is in no public, regional, receipt-lookup or API
path, accepts no cases and has no case roles. One test walks every such path with a practice institution that
has published data, set up keys and a case from before it became one (so each exclusion is what hides it)."""

import pytest
from django.core.exceptions import ValidationError

from cases import plaintext
from cases.services.keys import KeysNotReady
from indicators import selectors as indicator_selectors
from indicators.models import Cycle
from r2dr import selectors as r2dr_selectors
from r2dr import services
from r2dr.models import Institution
from r2dr.roles import Role
from reports.selectors import regional as regional_reports
from tests.cases.helpers import CaseFactory
from tests.factories import InstitutionFactory, UserFactory
from tests.indicators.helpers import open_cycle, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(institution_a, keyed, taxonomy):
    """A practice institution with what a real one would show: a published cycle and a case with its receipt."""
    institution = InstitutionFactory(slug="practice-april", name="Practice Commission", country="Practiceland")
    keyed(institution)
    case = CaseFactory(institution=institution)
    publish(open_cycle(institution, areas=("1",)))
    publish(open_cycle(institution_a, areas=("1",)))
    Institution.objects.filter(pk=institution.pk).update(is_practice=True)
    institution.refresh_from_db()
    return institution, case


def test_a_practice_institution_is_on_no_public_regional_receipt_or_api_path(client, practice, institution_a):
    institution, case = practice
    # Public pages under its slug, and the lists of institutions a defender chooses from.
    for path in ("report/", "follow-up/", "results/", "results/report.pdf"):
        assert client.get(f"/{institution.slug}/{path}").status_code == 404, path
    for path in ("report/", "follow-up/"):  # the same pages of a real institution exist
        assert client.get(f"/{institution_a.slug}/{path}").status_code == 200, path
    chooser = client.get("/report/").content.decode()
    assert institution_a.name in chooser and institution.name not in chooser
    # The receipt code alone finds no report in it (it would have before it became a practice institution).
    assert plaintext.case_for_receipt_anywhere(code=case.receipt_code) is None
    # The API's directory.
    slugs = [i["slug"] for i in client.get("/api/v1/institutions/").json()]
    assert institution_a.slug in slugs and institution.slug not in slugs
    # Regional reads: institutions, cycles, the status matrix, completeness, the country filters.
    assert institution not in r2dr_selectors.regional_institutions()
    assert institution not in r2dr_selectors.institutions_in_service()
    assert not Cycle.objects.regional().filter(institution=institution).exists()
    assert Cycle.objects.regional().filter(institution=institution_a).exists()
    matrix = indicator_selectors.regional_status_matrix()
    assert {r["institution"].slug for r in matrix["rows"]} == {institution_a.slug}
    assert institution.slug not in {r["institution"].slug for r in indicator_selectors.regional_completeness()}
    assert "Practiceland" not in {name for _code, name in regional_reports.countries()}


def test_a_practice_institution_accepts_no_cases_and_no_case_roles(practice, make_member):
    institution, _case = practice
    with pytest.raises(KeysNotReady):
        CaseFactory(institution=institution)
    with pytest.raises(ValidationError, match="no case roles"):
        services.membership_grant(user=UserFactory(), role=Role.CASE_OFFICER, institution=institution)
    with pytest.raises(ValidationError, match="no case roles"):
        services.invitation_create(
            email="new@practice.example", role=Role.CASE_OFFICER, institution=institution, by=None, request=None
        )
    assert services.membership_grant(user=UserFactory(), role=Role.DATA_OFFICER, institution=institution)
