"""Module 3 is practised on the platform: a facilitator opens the cohort's practice institution, every learner
becomes a data officer there answering for one area of a practice cycle, and reaches it from the course page."""

import pytest
from django.core.exceptions import ValidationError

from indicators.framework_seed import ensure_framework
from indicators.models import Cycle, CycleArea
from r2dr.models import Membership
from r2dr.roles import Role
from r2dr.services import membership_grant
from tests.factories import UserFactory
from tests.training.helpers import enrol, open_cohort
from training.models import Enrolment
from training.services import enrolment as enrolment_services
from training.services.practice import cohort_practice_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_with_learners(institution_a, make_member):
    ensure_framework()
    cohort = open_cohort()
    learners = [make_member(institution_a, Role.TRAINEE, email=f"learner{n}@a.example") for n in range(7)]
    for user in learners:
        enrol(cohort, institution_a, user)
    facilitator = make_member(None, Role.FACILITATOR)
    return cohort, learners, facilitator


def _roles(user, institution):
    return set(Membership.objects.filter(user=user, institution=institution).values_list("role", flat=True))


def test_the_practice_cycle_deals_every_area_out_and_learners_reach_it(
    client, cohort_with_learners, institution_a, make_member
):
    cohort, learners, facilitator = cohort_with_learners
    client.force_login(facilitator)
    page = client.get(f"/training/cohorts/{cohort.pk}/").content.decode()
    assert "Open the practice institution" in page
    client.post(f"/training/cohorts/{cohort.pk}/practice/")
    cohort.refresh_from_db()
    practice = cohort.practice_institution
    assert practice.is_practice and practice.time_zone == cohort.time_zone
    assert cohort_practice_open(cohort=cohort, by=facilitator) == practice  # once only

    cycle = Cycle.objects.for_institution(practice).get()
    areas = list(CycleArea.objects.for_institution(practice).filter(cycle=cycle).prefetch_related("respondents"))
    assert len(areas) == 5 and cycle.reviewer == facilitator
    answering = [set(a.respondents.all()) for a in areas]
    assert all(answering), "every area has someone to answer it"
    for user in learners:
        assert _roles(user, practice) == {Role.DATA_OFFICER}
        assert sum(user in people for people in answering) == 1, "each learner answers for one area"
    assert _roles(facilitator, practice) == {Role.INSTITUTION_HEAD}

    # A learner finds it from module 3 and works there through the real data-entry pages.
    client.force_login(learners[0])
    enrolment = Enrolment.objects.for_institution(institution_a).get(user=learners[0])
    course = client.get(f"/{institution_a.slug}/training/enrolments/{enrolment.pk}/").content.decode()
    assert f'href="/{practice.slug}/indicators/my-work/"' in course
    work = client.get(f"/{practice.slug}/indicators/my-work/")
    assert work.status_code == 200 and cycle.title in work.content.decode()
    assert client.get(f"/{practice.slug}/cases/").status_code == 403  # no case role, and none can be given

    # Enrolled later: joins the least staffed area; an ended enrolment takes the practice role with it.
    late = make_member(institution_a, Role.TRAINEE, email="late@a.example")
    (made,) = enrolment_services.enrolments_create_for_staff(
        cohort=cohort, institution=institution_a, user_ids=[late.pk], by=None
    )
    assert _roles(late, practice) == {Role.DATA_OFFICER}
    assert CycleArea.objects.for_institution(practice).filter(respondents=late).count() == 1
    enrolment_services.enrolment_end(enrolment=made)
    assert _roles(late, practice) == set()


def test_a_learner_without_a_practice_institution_is_told_it_is_not_open(client, cohort_with_learners, institution_a):
    cohort, learners, _facilitator = cohort_with_learners
    enrolment = Enrolment.objects.for_institution(institution_a).get(user=learners[0])
    client.force_login(learners[0])
    course = client.get(f"/{institution_a.slug}/training/enrolments/{enrolment.pk}/").content.decode()
    assert "Practice monitoring opens when your facilitator sets up" in course


def test_a_practice_institution_takes_no_case_officer(cohort_with_learners):
    cohort, _learners, facilitator = cohort_with_learners
    practice = cohort_practice_open(cohort=cohort, by=facilitator)
    with pytest.raises(ValidationError):
        membership_grant(user=UserFactory(), role=Role.CASE_OFFICER, institution=practice)
