"""Restricted cases and interventions / referrals."""

import datetime

import pytest

from cases import selectors, services
from cases.models import Case, Intervention, ProtectionMechanism
from r2dr.roles import Role
from tests.cases.helpers import CaseFactory, unlock_client
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, institution_a, keyed, taxonomy, make_member):
    officer, _kit = keyed(institution_a)
    colleague = make_member(institution_a, Role.CASE_OFFICER, email="colleague@a.example")
    case = CaseFactory(institution=institution_a, names="CANARY Person", un_named=True)
    return institution_a, officer, colleague, case


def test_restricted_case_hidden_from_other_officers(client, staff):
    institution, officer, colleague, case = staff
    client.force_login(officer)
    r = client.post(f"/{institution.slug}/cases/{case.pk}/restrict/", {"officers": [officer.pk]})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.restricted
    assert case.reference in client.get(f"/{institution.slug}/cases/").content.decode()
    client.force_login(colleague)
    assert case.reference not in client.get(f"/{institution.slug}/cases/").content.decode()
    for path in ("", "triage/", "transition/", "sources/", "restrict/", "interventions/"):
        refused_request(
            client.post, f"/{institution.slug}/cases/{case.pk}/{path}", {"officers": [colleague.pk]}, status=404
        )
    refused_request(client.get, f"/{institution.slug}/cases/{case.pk}/", status=404)
    # Lifting the restriction (by a named officer) shows it again.
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/{case.pk}/restrict/", {})
    client.force_login(colleague)
    assert case.reference in client.get(f"/{institution.slug}/cases/").content.decode()
    actions = set(selectors.access_entries(institution).values_list("action", flat=True))
    assert {"cases.restricted", "cases.unrestricted"} <= actions


def test_restricting_always_names_the_restricting_officer(staff):
    institution, officer, colleague, case = staff
    services.case_restrict(case=case, by=officer, officers=[colleague])
    named = set(case.named_officers.values_list("user_id", flat=True))
    assert named == {officer.pk, colleague.pk}


def test_interventions_with_reminders(client, staff):
    institution, officer, _colleague, case = staff
    client.force_login(officer)
    unlock_client(client, institution)
    past = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    r = client.post(
        f"/{institution.slug}/cases/{case.pk}/interventions/",
        {"kind": "letter", "status": "sent", "addressee": "Chief of Police CANARY", "date_sent": past,
         "response_due": past, "details": "Asked for release"},
    )  # fmt: skip
    assert r.status_code == 302
    intervention = Intervention.objects.for_institution(institution).get()
    assert b"CANARY" not in bytes(intervention.text) and intervention.response_overdue
    inbox = client.get(f"/{institution.slug}/cases/").content.decode()
    assert "Responses overdue" in inbox and "CANARY" not in inbox
    detail = client.get(f"/{institution.slug}/cases/{case.pk}/").content.decode()
    assert "Chief of Police CANARY" in detail and "overdue" in detail
    page = client.get(f"/{institution.slug}/cases/{case.pk}/interventions/{intervention.pk}/")
    assert page.status_code == 200 and "Asked for release" in page.content.decode()
    client.post(
        f"/{institution.slug}/cases/{case.pk}/interventions/{intervention.pk}/",
        {"kind": "letter", "status": "responded", "addressee": "Chief of Police CANARY", "response": "Released",
         "outcome": "Released on bail"},
    )  # fmt: skip
    intervention.refresh_from_db()
    assert intervention.status == "responded" and intervention.response_received and not intervention.response_overdue
    assert "Responses overdue" not in client.get(f"/{institution.slug}/cases/").content.decode()
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert {"cases.intervention.added", "cases.intervention.changed"} <= set(
        selectors.access_entries(institution).values_list("action", flat=True)
    )


def test_referral_needs_protection_consent_and_a_mechanism(client, staff):
    institution, officer, _colleague, case = staff
    client.force_login(officer)
    unlock_client(client, institution)
    mechanism = ProtectionMechanism.objects.create(name="Shelter", description="d", institution=institution)
    url = f"/{institution.slug}/cases/{case.pk}/interventions/"
    r = client.post(url, {"kind": "referral", "status": "sent", "mechanism": mechanism.pk}, follow=True)
    assert "not agreed" in r.content.decode()  # the submitter said no to protection organisations
    services.consent_change(case=case, kind="protection", answer="yes", wording="w", language="en")
    r = client.post(url, {"kind": "referral", "status": "sent"}, follow=True)
    assert "from the directory" in r.content.decode()
    client.post(url, {"kind": "referral", "status": "sent", "mechanism": mechanism.pk})
    assert Intervention.objects.for_institution(institution).get().mechanism == mechanism


def test_interventions_of_another_institution_not_reachable(client, staff, institution_b, keyed):
    institution, officer, _colleague, case = staff
    other, _kit = keyed(institution_b, email="b@b.example")
    client.force_login(officer)
    unlock_client(client, institution)
    client.post(f"/{institution.slug}/cases/{case.pk}/interventions/", {"kind": "visit", "status": "planned"})
    intervention = Intervention.objects.for_institution(institution).get()
    b_case = CaseFactory(institution=institution_b, un_named=True)
    path = f"/{institution.slug}/cases/{b_case.pk}/interventions/{intervention.pk}/"
    refused_request(client.get, path, status=404)
    refused_request(client.post, path, {"kind": "visit", "status": "done"}, status=404)
    assert Case.objects.for_institution(institution).count() == 1
