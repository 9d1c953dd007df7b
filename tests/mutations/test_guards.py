"""Mutation tests: patch a guard out and the access matrix must fail.

Each test removes one tenant check (monkeypatch, undone after the test) and runs the matrix's own checking
function, `route_violations`, on a representative subset of routes. With the guard in place the same routes have
no violations (tests/test_access_matrix.py); without it the matrix must report some, or it proves nothing.
"""

import pytest
from django.shortcuts import get_object_or_404

import cases.selectors
import cases.services
import cases.views._common
from cases.models import Case
from r2dr.permissions import Access
from tests.test_access_matrix import patterns_named, route_violations

pytestmark = pytest.mark.django_db


def violations_of(client, *names):
    found = []
    for route, entry in patterns_named(*names):
        found += route_violations(route, entry, client)
    return found


def test_matrix_holds_on_the_subset_with_every_guard_in_place(client):
    assert violations_of(client, "cases_list", "cases_detail", "cases_assign", "indicators_cycle") == []


def test_matrix_fails_without_the_tenant_check_of_the_permission_layer(client, monkeypatch):
    # The middleware asks which roles the user holds in the URL's institution: answer with every role they hold
    # anywhere, as a check that forgot to compare institutions would.
    monkeypatch.setattr(Access, "roles_in", lambda self, institution: {m.role for m in self.memberships})
    found = violations_of(client, "cases_list", "indicators_cycle")
    assert any("not refused" in v for v in found), found


def test_matrix_fails_when_the_case_lookup_ignores_the_tenant(client, monkeypatch):
    def case_or_404_any_institution(request, case_id):
        return get_object_or_404(Case.objects.regional(), pk=case_id)

    monkeypatch.setattr(cases.views._common, "case_or_404", case_or_404_any_institution)
    found = violations_of(client, "cases_detail")
    assert any("B's object was found under A" in v or "raised" in v for v in found), found


def test_matrix_fails_when_cases_assign_ignores_the_tenant(client, monkeypatch):
    def cases_assign_any_institution(*, institution, case_ids, officer, by):
        # The red team's deliberate bug: the ids are taken as they come, whoever's cases they are.
        return Case.objects.regional().filter(pk__in=list(case_ids)).update(assigned_to=officer)

    monkeypatch.setattr(cases.services, "cases_assign", cases_assign_any_institution)
    found = violations_of(client, "cases_assign")
    assert any("changed B's rows" in v and "cases.Case" in v for v in found), found


def test_matrix_fails_when_the_heads_case_lookup_ignores_the_tenant(client, monkeypatch):
    # The head reaches a case's pages through cases_readable_by (escalated cases only): one that forgot the tenant.
    monkeypatch.setattr(
        cases.selectors,
        "cases_readable_by",
        lambda institution, user, *, case_officer: Case.objects.regional().filter(escalated_at__isnull=False),
    )
    found = violations_of(client, "cases_escalation")
    assert any("B's object was found under A" in v and "institution_head" in v for v in found), found
