"""Mutation tests of the training pages: with a tenant filter patched out, the access matrix must fail."""

import pytest

import training.selectors.cohort
import training.views._common
from tests.test_access_matrix import patterns_named, route_violations
from training.models import Enrolment

pytestmark = pytest.mark.django_db


def violations_of(client, *names):
    found = []
    for route, entry in patterns_named(*names):
        found += route_violations(route, entry, client)
    return found


def test_matrix_holds_on_the_training_subset(client):
    assert violations_of(client, "training_staff_cohort", "training_staff_cohort_csv", "training_course") == []


def test_matrix_fails_when_the_staff_progress_table_reads_every_institution(client, monkeypatch):
    # The admin's table asks for its own institution's learners; a selector that ignored it reads them all.
    original = training.selectors.cohort.cohort_enrolments
    monkeypatch.setattr(
        training.selectors.cohort,
        "cohort_enrolments",
        lambda *, cohort, institution: original(cohort=cohort, institution=None),
    )
    found = violations_of(client, "training_staff_cohort", "training_staff_cohort_csv")
    assert any("B's data leaked" in v for v in found), found


def test_matrix_fails_when_the_learner_lookup_ignores_the_tenant_and_the_learner(client, monkeypatch):
    monkeypatch.setattr(
        training.views._common,
        "learner_enrolment",
        lambda *, institution, user, enrolment_id: (
            Enrolment.objects.regional().select_related("cohort__course", "institution").get(pk=enrolment_id)
        ),
    )
    found = violations_of(client, "training_course")
    assert any("B's object was found under A" in v for v in found), found
