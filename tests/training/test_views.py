"""The training pages through the Django client: learner journey, facilitator and admin tables, query counts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from r2dr.models import Membership
from r2dr.roles import Role
from tests.factories import UserFactory
from tests.training.helpers import enrol, open_cohort
from training.models import Enrolment, Lesson, LessonCompletion, Module, Option, QuizAttempt

pytestmark = pytest.mark.django_db


def course_path(enrolment):
    return reverse("training_course", args=[enrolment.institution.slug, enrolment.pk])


def test_learner_reads_marks_done_and_takes_a_quiz(client, institution_a):
    cohort = open_cohort()
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    client.force_login(user)
    first = Lesson.objects.filter(module__number=1, module__course=cohort.course).order_by("position").first()
    page = client.get(course_path(enrolment)).content.decode()
    assert "Start" in page and f"/lessons/{first.pk}/" in page
    # The window's last minute (not the midnight after it), labelled with the learner's zone.
    last_day = f"{cohort.ends_on.day} {cohort.ends_on:%b} {cohort.ends_on.year}, 23:59 UTC+07"
    assert "Open until <time" in page and f">{last_day}</time>" in page and "Asia/Bangkok" in page
    lesson = client.get(reverse("training_lesson", args=[institution_a.slug, enrolment.pk, first.pk]))
    body = lesson.content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body  # raw HTML in a lesson is text, not markup
    assert "tracker.example" not in body and 'src="/static/training/diagram.png"' in body
    assert "[tracker]" in body and '<img alt="tracker">' not in body  # a refused image leaves its description
    assert 'class="callout callout-note"' in body
    print(f"lesson page weight: {len(lesson.content)} bytes")
    done = client.post(reverse("training_lesson_done", args=[institution_a.slug, enrolment.pk, first.pk]))
    assert done.status_code == 302 and "/lessons/" in done["Location"]
    page = client.get(course_path(enrolment)).content.decode()
    assert "Continue" in page and "1 of 2 lessons done" in page
    module = Module.objects.get(course=cohort.course, number=1)
    started = client.post(reverse("training_quiz", args=[institution_a.slug, enrolment.pk, module.pk]))
    attempt = QuizAttempt.objects.for_institution(institution_a).get(enrolment=enrolment)
    assert started["Location"] == reverse("training_attempt", args=[institution_a.slug, attempt.pk])
    form = client.get(started["Location"]).content.decode()
    assert all(f'name="q{qid}"' in form for qid in attempt.question_ids)
    answers = {}
    for qid in attempt.question_ids:
        right = list(Option.objects.filter(question_id=qid, correct=True).values_list("pk", flat=True))
        answers[f"q{qid}"] = [str(o) for o in right]
    client.post(started["Location"], answers)
    review = client.get(started["Location"]).content.decode()
    assert "Passed" in review and "100%" in review and "Correct answer" in review
    feedback = Option.objects.filter(question_id=attempt.question_ids[0]).first().feedback
    assert feedback.split(";")[0][:20] in review.replace("&#x27;", "'")


def test_before_the_start_only_the_syllabus(client, institution_a):
    cohort = open_cohort(days_before=-5, days_after=20)
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    client.force_login(user)
    page = client.get(course_path(enrolment)).content.decode()
    assert "has not started yet" in page and "/lessons/" not in page
    lesson = Lesson.objects.filter(module__course=cohort.course).first()
    assert client.get(reverse("training_lesson", args=[institution_a.slug, enrolment.pk, lesson.pk])).status_code == 302


def _big_cohort(institutions, learners=500):
    cohort = open_cohort(title="Big cohort")
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"learner{n}@big.example", email=f"learner{n}@big.example") for n in range(learners)]
    )
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(cohort=cohort, institution=institutions[n % len(institutions)], user=u) for n, u in enumerate(users)]
    )
    lessons = list(Lesson.objects.filter(module__course=cohort.course))
    module = Module.objects.get(course=cohort.course, number=1)
    questions = list(module.questions.values_list("pk", flat=True))[:2]
    wrong = {
        q: Option.objects.filter(question_id=q, correct=False).values_list("pk", flat=True).first() for q in questions
    }
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(institution_id=e.institution_id, enrolment=e, lesson=lessons[0]) for e in enrolments]
    )
    QuizAttempt.objects.bulk_create(
        [
            QuizAttempt(
                institution_id=e.institution_id,
                enrolment=e,
                module=module,
                number=1,
                question_ids=questions,
                option_order={},
                answers={str(q): [wrong[q]] for q in questions},
                score=0,
                submitted_at=e.enrolled_at,
            )
            for e in enrolments
        ]
    )
    return cohort


def test_facilitator_table_csv_and_items_keep_a_constant_query_count(
    client, institution_a, institution_b, make_member, django_assert_max_num_queries
):
    cohort = _big_cohort([institution_a, institution_b])
    client.force_login(make_member(None, Role.FACILITATOR))
    with django_assert_max_num_queries(14) as captured:
        page = client.get(reverse("training_cohort", args=[cohort.pk]))
    assert page.status_code == 200 and page.content.decode().count('<th scope="row">') == 500
    print(f"facilitator table, 500 learners: {len(captured)} queries")
    with django_assert_max_num_queries(14) as captured:
        filtered = client.get(reverse("training_cohort", args=[cohort.pk]), {"institution": institution_b.slug})
    assert filtered.content.decode().count('<th scope="row">') == 250
    with django_assert_max_num_queries(12):
        csv = client.get(reverse("training_cohort_csv", args=[cohort.pk]))
    assert len(csv.content.decode().strip().splitlines()) == 501
    with django_assert_max_num_queries(12) as captured:
        items = client.get(reverse("training_cohort_items", args=[cohort.pk])).content.decode()
    print(f"item analysis, 500 attempts: {len(captured)} queries")
    assert "0%" in items and "(500×)" in items


def test_institution_admin_sees_and_enrols_own_staff_only(client, institution_a, institution_b, make_member):
    cohort = open_cohort()
    enrol(cohort, institution_b, UserFactory(username="b-learner@test.example", first_name="Bee"))
    mine = enrol(cohort, institution_a, UserFactory(username="a-learner@test.example", first_name="Ay"))
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    officer = make_member(institution_a, Role.DATA_OFFICER)
    client.force_login(admin)
    path = reverse("training_staff_cohort", args=[institution_a.slug, cohort.pk])
    page = client.get(path).content.decode()
    assert "a-learner@test.example" in page and "b-learner@test.example" not in page
    client.post(path, {"users": [officer.pk]})
    assert Enrolment.objects.for_institution(institution_a).filter(cohort=cohort, user=officer).exists()
    assert Membership.objects.filter(user=officer, institution=institution_a, role=Role.TRAINEE).exists()
    csv = client.get(reverse("training_staff_cohort_csv", args=[institution_a.slug, cohort.pk])).content.decode()
    assert "a-learner@test.example" in csv and "b-learner" not in csv
    assert mine.pk


def test_training_link_in_the_navigation(client, institution_a, make_member):
    trainee = make_member(institution_a, Role.TRAINEE)
    client.force_login(trainee)
    page = client.get(reverse("institution_home", args=[institution_a.slug])).content.decode()
    assert re.search(r'href="/inst-a/training/"[^>]*>Training<', page)
    client.force_login(make_member(None, Role.FACILITATOR))
    page = client.get(reverse("training_cohorts")).content.decode()
    assert 'href="/training/cohorts/"' in page


def test_my_data_download_and_erasure(client, institution_a):
    cohort = open_cohort()
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    client.force_login(user)
    data = client.get(reverse("training_my_data", args=[institution_a.slug])).json()
    assert data["enrolments"][0]["cohort"] == cohort.title
    client.post(reverse("training_erase", args=[institution_a.slug]), {"confirm": "erase"})
    assert not Enrolment.objects.for_institution(institution_a).filter(pk=enrolment.pk).exists()
