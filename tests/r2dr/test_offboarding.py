"""The offboarding registry: every app's step runs in the transaction that ends a membership."""

import pytest
from django.core.exceptions import ValidationError

from r2dr import offboarding, services
from r2dr.models import Membership
from r2dr.roles import Role


@pytest.fixture
def steps(monkeypatch):
    """The registry with only the steps a test registers (the apps' own steps are put back afterwards)."""
    monkeypatch.setattr(offboarding, "_steps", {})
    return offboarding


def test_removing_a_role_runs_every_step_with_the_ended_membership(steps, institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    member = make_member(institution_a, Role.DATA_OFFICER, email="member@a.example")
    seen = []

    def step(*, membership, by):
        seen.append((membership.user_id, membership.institution_id, membership.role, by))
        # The row is already gone when a step runs, so a step sees the roles that remain.
        assert not Membership.objects.filter(user=member, institution=institution_a, role=membership.role).exists()

    steps.offboarding_step_register(name="test.record", step=step)
    membership = Membership.objects.get(user=member, institution=institution_a)
    services.membership_revoke(membership=membership, by=admin)
    assert seen == [(member.pk, institution_a.pk, Role.DATA_OFFICER, admin)]


def test_a_failing_step_keeps_the_membership(steps, institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    member = make_member(institution_a, Role.CASE_OFFICER, email="member@a.example")

    def fails(*, membership, by):
        raise RuntimeError("could not end the grant")

    steps.offboarding_step_register(name="test.fails", step=fails)
    membership = Membership.objects.get(user=member, institution=institution_a)
    with pytest.raises(RuntimeError):
        services.membership_revoke(membership=membership, by=admin)
    assert Membership.objects.filter(user=member, institution=institution_a, role=Role.CASE_OFFICER).exists()


def test_a_refused_removal_runs_no_step(steps, institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    seen = []
    steps.offboarding_step_register(name="test.record", step=lambda *, membership, by: seen.append(membership))
    with pytest.raises(ValidationError):
        services.membership_revoke(membership=Membership.objects.get(user=admin), by=admin)
    assert seen == []


def test_the_cases_app_registers_its_key_step():
    assert "cases.keys" in dict(offboarding.offboarding_steps())
