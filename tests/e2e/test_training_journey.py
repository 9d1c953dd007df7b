"""A trainee's journey through the course in the browser, with JavaScript on and off: open the course, read a
lesson, mark it done, answer a quiz wrongly then rightly, see progress move, and "Continue" resume at the right
lesson. Screenshots of the course page and a quiz at 360 and 1280 px go to test-artifacts/."""

import pytest

from r2dr.roles import Role
from tests.e2e.conftest import shot, staff_user
from tests.e2e.training_steps import answer_quiz
from tests.factories import InstitutionFactory
from tests.training.helpers import enrol, open_cohort
from training.models import Lesson, Module, QuizAttempt

pytestmark = pytest.mark.django_db(transaction=True)


def _journey(page, live_server, e2e_login, suffix):
    institution = InstitutionFactory(slug=f"e2e-train-{suffix}", name=f"E2E Training Commission {suffix}")
    user = staff_user(f"trainee-{suffix}@e2e.example", institution, Role.TRAINEE, mfa=False)
    cohort = open_cohort(title=f"E2E cohort {suffix}")
    enrolment = enrol(cohort, institution, user, membership=False)
    e2e_login(page, live_server, user.email)
    page.goto(f"{live_server.url}/{institution.slug}/training/")
    page.get_by_role("link", name=cohort.course.title).click()
    assert "Done: 0%" in page.content()
    page.get_by_role("link", name="Start").click()
    first, second = Lesson.objects.filter(module__number=1, module__course=cohort.course).order_by("position")
    assert page.get_by_role("heading", level=1).inner_text() == first.title
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == second.title  # on to the next lesson
    page.goto(f"{live_server.url}/{institution.slug}/training/enrolments/{enrolment.pk}/")
    assert "1 of 2 lessons done" in page.content()
    page.get_by_role("link", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == second.title  # resumes at the unfinished lesson
    module = Module.objects.get(course=cohort.course, number=1)
    page.goto(f"{live_server.url}/{institution.slug}/training/enrolments/{enrolment.pk}/modules/{module.pk}/quiz/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_load_state()
    attempt = QuizAttempt.objects.for_institution(institution).get(enrolment=enrolment, number=1)
    if suffix == "js":
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"training-quiz-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})
    answer_quiz(page, attempt, right=False)
    assert "Not passed yet" in page.content() and "Your answer" in page.content()
    if suffix == "js":
        shot(page, "training-review-1280")
    page.get_by_role("button", name="Try again").click()
    page.wait_for_load_state()
    attempt = QuizAttempt.objects.for_institution(institution).get(enrolment=enrolment, number=2)
    answer_quiz(page, attempt, right=True)
    assert "Passed: 100%" in page.content()
    page.get_by_role("link", name="Back to the course").click()
    assert "quiz passed (100%)" in page.content() and "1 of 2 lessons done" in page.content()
    page.get_by_role("link", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == second.title
    if suffix == "js":
        page.goto(f"{live_server.url}/{institution.slug}/training/enrolments/{enrolment.pk}/")
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"training-course-{width}")


def test_trainee_journey(page, live_server, e2e_login):
    _journey(page, live_server, e2e_login, "js")


def test_trainee_journey_without_javascript(nojs_page, live_server, e2e_login):
    _journey(nojs_page, live_server, e2e_login, "nojs")
