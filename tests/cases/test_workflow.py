"""The complaint-handling workflow: every legal step, every illegal one refused, who/when/why recorded."""

import itertools

import pytest

from cases import plaintext, selectors, services
from cases.models import Case, CaseTransition, Outcome, Status, Urgency
from r2dr.audit import audit_verify
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import ADMISSIBLE, CaseFactory, move, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    case = CaseFactory(institution=institution_a, urgent=True, un_named=True)
    return institution_a, officer, case, plaintext.case_key_for_officer(case, private)


def test_happy_path_records_who_when_why_and_verifies(world):
    institution, officer, case, key = world
    assert case.urgency == Urgency.URGENT and case.first_response_at is None
    case = walk_to(case, key, officer, Status.CLOSED)
    assert case.status == Status.CLOSED and case.outcome == Outcome.RESOLVED and case.closed_at
    assert case.verified_at is not None and case.is_verified and case.first_response_at is not None
    steps = list(case.transitions.all())
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("received", "assessment"),
        ("assessment", "verification"),
        ("verification", "action"),
        ("action", "closed"),
    ]
    assert all(s.by == officer and s.at for s in steps)
    assert plaintext.transition_reason(case, key, steps[0]) == "why assessment"
    assert b"why" not in bytes(steps[0].reason)  # encrypted at rest
    assert steps[1].respondent_type == "state" and steps[2].reasonable_grounds is True
    actions = set(selectors.access_entries(institution).values_list("action", flat=True))
    assert {"cases.transition.assessment", "cases.transition.closed", "cases.source_added"} <= actions
    assert audit_verify(institution=institution)[0]


ALL = [s.value for s in Status]
LEGAL = {
    ("received", "assessment"),
    ("assessment", "verification"),
    ("assessment", "closed"),
    ("verification", "action"),
    ("verification", "closed"),
    ("action", "closed"),
}
ILLEGAL = [(a, b) for a, b in itertools.product(ALL, ALL + ["bogus"]) if (a, b) not in LEGAL]


@pytest.mark.parametrize(("start", "target"), ILLEGAL)
def test_illegal_transitions_refused(world, start, target):
    _institution, officer, case, key = world
    case = walk_to(case, key, officer, start)
    before = CaseTransition.objects.for_institution(case.institution).count()
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, target, **ADMISSIBLE, reasonable_grounds=True, outcome=Outcome.RESOLVED)
    case.refresh_from_db()
    assert case.status == start
    assert CaseTransition.objects.for_institution(case.institution).count() == before


def test_reason_is_required(world):
    _institution, officer, case, key = world
    with pytest.raises(services.TransitionRefused):
        services.case_transition(case=case, case_key=key, by=officer, to_status="assessment", reason="  ")


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"respondent_type": "non_state", "within_time_limit": True, "sub_judice": False},
        {"respondent_type": "state", "within_time_limit": False, "sub_judice": False},
        {"respondent_type": "state", "within_time_limit": True, "sub_judice": True},
    ],
)
def test_inadmissible_cannot_go_to_verification(world, facts):
    _institution, officer, case, key = world
    case = walk_to(case, key, officer, Status.ASSESSMENT)
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, Status.VERIFICATION, **facts)


def test_closing_as_inadmissible_needs_the_ground(world):
    _institution, officer, case, key = world
    case = walk_to(case, key, officer, Status.ASSESSMENT)
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, Status.CLOSED, outcome=Outcome.INADMISSIBLE)
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, Status.CLOSED, outcome=Outcome.RESOLVED, inadmissibility="sub_judice")
    step = move(case, key, officer, Status.CLOSED, outcome=Outcome.INADMISSIBLE, inadmissibility="out_of_mandate")
    case.refresh_from_db()
    assert case.outcome == Outcome.INADMISSIBLE and step.inadmissibility == "out_of_mandate"
    assert case.verified_at is None


def test_verification_needs_sources_and_reasonable_grounds(world):
    _institution, officer, case, key = world
    case = walk_to(case, key, officer, Status.VERIFICATION)
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, Status.ACTION, reasonable_grounds=True)  # no source yet
    services.source_add(case=case, case_key=key, by=officer, kind="media", reliability="fairly", description="x")
    with pytest.raises(services.TransitionRefused):
        move(case, key, officer, Status.ACTION, reasonable_grounds=False)
    move(case, key, officer, Status.CLOSED, outcome=Outcome.NOT_SUBSTANTIATED)
    case.refresh_from_db()
    assert case.verified_at is None and not case.is_verified


def test_verified_cases_feed_the_selectors(world):
    import datetime

    from cases import selectors

    institution, officer, case, key = world
    Case.objects.for_institution(institution).filter(pk=case.pk).update(incident_date=datetime.date(2025, 3, 1))
    case.refresh_from_db()
    span = {"date_from": datetime.date(2025, 1, 1), "date_to": datetime.date(2025, 12, 31)}
    assert selectors.verified_case_count(institution=institution, **span) == 0
    walk_to(case, key, officer, Status.ACTION)
    assert selectors.verified_case_count(institution=institution, **span) == 1


def test_triage_urgency_and_repeat_flag(world):
    institution, officer, case, _key = world
    services.case_triage(case=case, by=officer, urgency=Urgency.ROUTINE, repeat_attack=True)
    case.refresh_from_db()
    assert case.urgency == Urgency.ROUTINE and not case.urgent and case.repeat_attack
    assert "cases.triaged" in set(selectors.access_entries(institution).values_list("action", flat=True))


def test_response_timer(world):
    import datetime

    from django.utils import timezone

    _institution, _officer, case, _key = world
    assert case.response_timer["state"] == "due"  # urgent: 48 hours
    case.received_at = timezone.now() - datetime.timedelta(hours=50)
    assert case.response_overdue and case.response_timer["state"] == "overdue"
    case.urgency = Urgency.ROUTINE
    assert not case.response_overdue and "days" in case.response_timer["text"]
    case.first_response_at = timezone.now()
    assert case.response_timer["state"] == "done"
