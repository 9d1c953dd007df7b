"""The officers' inbox and case-handling views: filters, bulk assignment, constant query counts, workflow steps
through the views, refusals for other institutions and locked keys."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors, services
from cases.models import Case, Status, Urgency
from r2dr.roles import Role
from tests.cases.helpers import CaseFactory, clone_cases, unlock_client
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, institution_a, keyed, taxonomy, make_member):
    officer, _kit = keyed(institution_a)
    colleague = make_member(institution_a, Role.CASE_OFFICER, email="colleague@a.example")
    case = CaseFactory(institution=institution_a, urgent=True, names="CANARY Person", un_named=True)
    client.force_login(officer)
    return institution_a, officer, colleague, case


INBOX_QUERIES = (
    "",
    "?status=received&urgency=high",
    "?violation_type=judicial-harassment&assigned=none",
    "?page=7",
    "?incident_from=2020-01-01&escalated=on&overdue=on",
)


@pytest.fixture
def crowded_inbox(staff):
    """The inbox URL of an institution with 3,001 cases, 500 of them assigned."""
    institution, officer, colleague, case = staff
    created = clone_cases(case, 3000, urgency=Urgency.HIGH)
    services.cases_assign(
        institution=institution, case_ids=[c.pk for c in created[:500]], officer=colleague, by=officer
    )
    return f"/{institution.slug}/cases/"


def test_inbox_query_count_is_constant_with_thousands_of_cases(client, crowded_inbox, django_assert_max_num_queries):
    for query in INBOX_QUERIES:
        with django_assert_max_num_queries(24):  # includes the audit entry and the saved views
            r = client.get(crowded_inbox + query)
        assert r.status_code == 200
    assert "CANARY" not in r.content.decode()


@pytest.mark.bench
def test_inbox_timings_with_thousands_of_cases(client, crowded_inbox):
    for query in INBOX_QUERIES:
        start = time.perf_counter()
        r = client.get(crowded_inbox + query)
        elapsed = time.perf_counter() - start
        assert r.status_code == 200
        print(f"inbox{query or ' (all)'}: {elapsed * 1000:.0f} ms")  # noqa: T201
    with CaptureQueriesContext(connection) as ctx:
        client.get(crowded_inbox)
    print(f"inbox queries with 3001 cases: {len(ctx.captured_queries)}")  # noqa: T201


def test_inbox_filters(client, staff):
    institution, officer, colleague, case = staff
    created = clone_cases(case, 30)
    services.cases_assign(institution=institution, case_ids=[created[0].pk], officer=colleague, by=officer)
    Case.objects.for_institution(institution).filter(pk=created[1].pk).update(status=Status.ASSESSMENT)
    Case.objects.for_institution(institution).filter(pk=created[2].pk).update(repeat_attack=True)
    url = f"/{institution.slug}/cases/"

    def refs(query):
        body = client.get(url + query).content.decode()
        return {c.reference for c in [case, *created] if f">{c.reference}<" in body}

    assert refs("?status=assessment") == {created[1].reference}
    assert refs(f"?assigned={colleague.pk}") == {created[0].reference}
    assert created[0].reference not in refs("?assigned=none")
    assert refs("?repeat_attack=on") == {created[2].reference}
    assert refs("?urgency=urgent") == {case.reference}
    assert refs("?violation_type=judicial-harassment") == {c.reference for c in created[::2]}
    assert refs("?defender_group=land-environment") == {c.reference for c in created[::3]}
    assert refs("?received_from=2000-01-01&received_to=2999-01-01") == {c.reference for c in [case, *created]}
    assert refs("?received_to=2000-01-01") == set()
    assert client.get(url + "?status=bogus&received_from=notadate").status_code == 200


def test_bulk_assignment(client, staff):
    institution, officer, colleague, case = staff
    created = clone_cases(case, 5)
    ids = [str(c.pk) for c in created[:3]]
    r = client.post(f"/{institution.slug}/cases/assign/", {"cases": ids, "officer": str(colleague.pk)})
    assert r.status_code == 302
    assert set(
        Case.objects.for_institution(institution).filter(assigned_to=colleague).values_list("pk", flat=True)
    ) == {int(i) for i in ids}
    actions = list(
        selectors.access_entries(institution).filter(action="cases.assigned").values_list("object_ref", flat=True)
    )
    assert sorted(actions) == sorted(c.reference for c in created[:3])
    # Unassign.
    client.post(f"/{institution.slug}/cases/assign/", {"cases": ids[:1], "officer": "none"})
    assert Case.objects.for_institution(institution).get(pk=ids[0]).assigned_to is None


def test_cannot_assign_to_a_non_officer_or_other_institutions_case(client, staff, institution_b, keyed, make_member):
    institution, officer, colleague, case = staff
    outsider = make_member(institution, Role.DATA_OFFICER, email="data@a.example")
    client.post(f"/{institution.slug}/cases/assign/", {"cases": [case.pk], "officer": str(outsider.pk)})
    assert Case.objects.for_institution(institution).get(pk=case.pk).assigned_to is None
    keyed(institution_b, email="officer@b.example")
    b_case = CaseFactory(institution=institution_b, un_named=True)
    client.post(f"/{institution.slug}/cases/assign/", {"cases": [b_case.pk], "officer": str(colleague.pk)})
    assert Case.objects.for_institution(institution_b).get(pk=b_case.pk).assigned_to is None


def test_workflow_through_the_views(client, staff):
    institution, officer, _colleague, case = staff
    base = f"/{institution.slug}/cases/{case.pk}/"
    # Locked: a step needs the key (the reason is encrypted).
    r = client.post(base + "transition/", {"to_status": "assessment", "reason": "start"})
    assert r.status_code == 302 and "/cases/unlock/" in r["Location"]
    unlock_client(client, institution)
    client.post(base + "transition/", {"to_status": "assessment", "reason": "Within our mandate, CANARY"})
    r = client.post(base + "transition/", {"to_status": "verification", "reason": "admissible", "respondent_type": "non_state", "within_time_limit": "yes", "sub_judice": "no"}, follow=True)  # fmt: skip
    assert "not admissible" in r.content.decode()
    client.post(base + "transition/", {"to_status": "verification", "reason": "admissible", "respondent_type": "state", "within_time_limit": "yes", "sub_judice": "no"})  # fmt: skip
    client.post(base + "sources/", {"kind": "witness", "reliability": "reliable", "description": "Neighbour saw it"})
    client.post(base + "transition/", {"to_status": "action", "reason": "corroborated", "reasonable_grounds": "yes"})
    client.post(base + "triage/", {"urgency": "high", "repeat_attack": "on"})
    case.refresh_from_db()
    assert case.status == Status.ACTION and case.verified_at and case.urgency == Urgency.HIGH and case.repeat_attack
    body = client.get(base).content.decode()
    assert "Within our mandate, CANARY" in body and "Neighbour saw it" in body and "repeat attack" in body
    # An illegal step through the view is refused with a message, nothing changes.
    r = client.post(base + "transition/", {"to_status": "received", "reason": "back"}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.ACTION
    client.post(base + "transition/", {"to_status": "closed", "reason": "done", "outcome": "referred"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "referred"


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.TRAINEE, Role.INSTITUTION_ADMIN])
def test_other_roles_cannot_handle_cases(client, staff, make_member, role):
    institution, _officer, _colleague, case = staff
    user = make_member(institution, role, email=f"{role}@a.example")
    client.force_login(user)
    base = f"/{institution.slug}/cases/"
    for path in ("", f"{case.pk}/", f"{case.pk}/transition/", f"{case.pk}/triage/", "assign/"):
        refused_request(client.post, base + path, {"to_status": "assessment", "reason": "x", "urgency": "routine"})
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_officer_of_another_institution_cannot_touch_the_case(client, staff, institution_b, keyed):
    institution, _officer, _colleague, case = staff
    other, _kit = keyed(institution_b, email="officer@b.example")
    client.force_login(other)
    for path in (f"{case.pk}/", f"{case.pk}/transition/", f"{case.pk}/triage/", f"{case.pk}/sources/"):
        r = refused_request(
            client.post, f"/{institution_b.slug}/cases/{path}", {"urgency": "routine"}, status=(302, 404)
        )
        assert "CANARY" not in r.content.decode()
    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT


def test_status_change_emails_identified_submitter_without_content(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    institution, officer, _colleague, _case = staff
    case = CaseFactory(
        institution=institution,
        private__submitter_email="sub@example.org",
        names="CANARY Mail",
        consents={"contact": "yes"},
        consent_wording={},
    )
    unlock_client(client, institution)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the e-mail leaves once the step is committed
        client.post(
            f"/{institution.slug}/cases/{case.pk}/transition/", {"to_status": "assessment", "reason": "CANARY why"}
        )
        assert not mailoutbox
    assert callbacks
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sub@example.org"]
    assert "CANARY" not in mailoutbox[0].body and case.reference not in mailoutbox[0].body


def test_status_email_is_in_the_language_the_defender_reported_in(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    institution, _officer, _colleague, _case = staff
    case = CaseFactory(
        institution=institution,
        private__submitter_email="ani@example.org",
        names="Ani",
        consents={"contact": "yes"},
        consent_wording={},
        language="id",
    )
    unlock_client(client, institution)  # the officer works in English
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{institution.slug}/cases/{case.pk}/", {"body": "Kami sudah menerima laporan Anda."})
    assert mailoutbox[-1].subject == "Perkembangan laporan Anda"
    assert "receipt code" not in mailoutbox[-1].body  # the body is Indonesian too
