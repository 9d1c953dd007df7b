"""Course engine services: loading, lessons, quizzes (draw, grading, limits), completion, enrolment, reminders,
learner data."""

import datetime
import random
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from r2dr.models import Membership, Notification
from r2dr.roles import Role
from r2dr.services import membership_revoke
from r2dr.tenancy import scopes_disabled
from tests.factories import UserFactory
from tests.training.helpers import FIXTURE, enrol, fixture_course, open_cohort
from training import completion
from training.models import (
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonRevision,
    Module,
    ModuleTarget,
    Option,
    Question,
    QuizAttempt,
)
from training.selectors.learner import learner_progress
from training.selectors.learner_data import learner_data
from training.services import enrolment as enrolment_services
from training.services import learner_data as data_services
from training.services import progress
from training.services.content import course_load, lesson_revise
from training.services.errors import TrainingRefused
from training.services.reminders import reminders_send_due

pytestmark = pytest.mark.django_db


def right_answers(attempt):
    return {
        qid: list(Option.objects.filter(question_id=qid, correct=True).values_list("pk", flat=True))
        for qid in attempt.question_ids
    }


def wrong_answers(attempt):
    return {
        qid: list(Option.objects.filter(question_id=qid, correct=False).values_list("pk", flat=True)[:1])
        for qid in attempt.question_ids
    }


def test_load_is_idempotent_and_reads_translations(capsys):
    first = course_load(root=FIXTURE)
    assert len(first.created) == 11 and not first.conflicts
    second = course_load(root=FIXTURE)
    assert second.created == [] and second.updated == [] and second.unchanged == 11
    lesson = Lesson.objects.get(key="fx-m1-l1-who")
    assert lesson.tr("title", "id") == "Siapa pembela HAM"
    assert lesson.tr("title", "th") == "Who is a defender"  # falls back to English
    assert Question.objects.get(key="fx-m1-q2").options.get(position=0).tr("text", "id") == "Benar"
    assert lesson.reading_minutes >= 1
    call_command("training_load", path=str(FIXTURE))
    assert "0 created" in capsys.readouterr().out


def test_the_loader_never_overwrites_a_facilitators_revision(tmp_path, make_member):
    import shutil

    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    course_load(root=root)
    facilitator = make_member(None, Role.FACILITATOR)
    lesson = Lesson.objects.get(key="fx-m2-l1-respond")
    lesson_revise(lesson=lesson, by=facilitator, title="Responding", body="The facilitator's text.")
    path = root / "02-practice" / "01-respond.md"
    path.write_text(path.read_text().replace("Listen, record", "Listen first, record"))
    report = course_load(root=root)
    assert len(report.conflicts) == 1 and "fx-m2-l1-respond" in report.conflicts[0]
    lesson.refresh_from_db()
    assert lesson.body == "The facilitator's text."
    assert LessonRevision.objects.filter(lesson=lesson).count() == 2


def test_a_changed_file_updates_an_unrevised_lesson_and_keeps_history(tmp_path):
    import shutil

    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    course_load(root=root)
    path = root / "02-practice" / "01-respond.md"
    path.write_text(path.read_text().replace("Listen, record", "Listen first, record"))
    report = course_load(root=root)
    assert report.updated == ["fx-m2-l1-respond"] and not report.conflicts
    assert "Listen first" in Lesson.objects.get(key="fx-m2-l1-respond").body
    assert LessonRevision.objects.filter(lesson__key="fx-m2-l1-respond").count() == 2


def test_quiz_draw_is_frozen_graded_and_completes_the_course(institution_a, django_capture_on_commit_callbacks):
    cohort = open_cohort()
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    announced = []
    completion.on_completed.append(announced.append)
    try:
        m1, m2 = Module.objects.filter(course=cohort.course).order_by("number")
        attempt = progress.attempt_start(enrolment=enrolment, module=m1, rng=random.Random(1))
        assert len(attempt.question_ids) == 2
        assert progress.attempt_start(enrolment=enrolment, module=m1).pk == attempt.pk  # resumed, not redrawn
        attempt = progress.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
        assert attempt.score == 0 and not attempt.passed
        with pytest.raises(TrainingRefused):
            progress.attempt_submit(attempt=attempt, answers=right_answers(attempt))
        second = progress.attempt_start(enrolment=enrolment, module=m1, rng=random.Random(2))
        assert second.number == 2
        assert progress.attempt_submit(attempt=second, answers=right_answers(second)).passed
        for lesson in Lesson.objects.filter(module__course=cohort.course):
            progress.lesson_mark_done(enrolment=enrolment, lesson=lesson)
        assert enrolment.status == EnrolmentStatus.ACTIVE  # module 2's quiz is still to pass
        third = progress.attempt_start(enrolment=enrolment, module=m2)
        both = {
            third.question_ids[0]: list(
                Option.objects.filter(question_id=third.question_ids[0]).values_list("pk", flat=True)
            )
        }
        with pytest.raises(TrainingRefused):  # module 2 has single and true/false questions only
            progress.attempt_submit(attempt=third, answers=both)
        with django_capture_on_commit_callbacks(execute=True):
            progress.attempt_submit(attempt=third, answers=right_answers(third))
    finally:
        completion.on_completed.remove(announced.append)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_at is not None
    assert [e.pk for e in announced] == [enrolment.pk]
    assert progress.enrolment_completion_check(enrolment) is True and len(announced) == 1


def test_attempt_limit_and_progress_continue(institution_a):
    cohort = open_cohort()
    enrolment = enrol(cohort, institution_a, UserFactory())
    m1 = Module.objects.get(course=cohort.course, number=1)
    m1.attempt_limit = 1
    m1.save()
    attempt = progress.attempt_start(enrolment=enrolment, module=m1)
    progress.attempt_submit(attempt=attempt, answers={})
    with pytest.raises(TrainingRefused):
        progress.attempt_start(enrolment=enrolment, module=m1)
    first, second = Lesson.objects.filter(module=m1).order_by("position")
    assert learner_progress(enrolment=enrolment).next_step == ("lesson", first)
    progress.lesson_mark_done(enrolment=enrolment, lesson=first)
    assert learner_progress(enrolment=enrolment).next_step == ("lesson", second)


def test_before_the_start_nothing_is_recorded_and_after_the_end_quizzes_close(institution_a):
    early = open_cohort(days_before=-3, days_after=10)
    enrolment = enrol(early, institution_a, UserFactory())
    lesson = Lesson.objects.filter(module__course=early.course).first()
    with pytest.raises(TrainingRefused):
        progress.lesson_mark_done(enrolment=enrolment, lesson=lesson)
    late = open_cohort(days_before=30, days_after=-2)
    enrolment = enrol(late, institution_a, UserFactory())
    progress.lesson_mark_done(enrolment=enrolment, lesson=lesson)  # lessons stay open
    with pytest.raises(TrainingRefused):
        progress.attempt_start(enrolment=enrolment, module=lesson.module)


def test_enrolment_by_admin_facilitator_and_offboarding(institution_a, institution_b, make_member):
    cohort = open_cohort()
    staff = make_member(institution_a, Role.DATA_OFFICER)
    outsider = make_member(institution_b, Role.DATA_OFFICER, email="b-officer@test.example")
    made = enrolment_services.enrolments_create_for_staff(
        cohort=cohort, institution=institution_a, user_ids=[staff.pk], by=None
    )
    assert [e.user_id for e in made] == [staff.pk]
    assert Membership.objects.filter(user=staff, institution=institution_a, role=Role.TRAINEE).exists()
    with pytest.raises(TrainingRefused):
        enrolment_services.enrolments_create_for_staff(
            cohort=cohort, institution=institution_a, user_ids=[outsider.pk], by=None
        )
    trainee_b = make_member(institution_b, Role.TRAINEE, email="b-trainee@test.example")
    made = enrolment_services.enrolments_create_for_institution(cohort=cohort, institution=institution_b, by=None)
    assert [e.user_id for e in made] == [trainee_b.pk]
    assert enrolment_services.enrolments_create_for_institution(cohort=cohort, institution=institution_b, by=None) == []
    membership = Membership.objects.get(user=trainee_b, institution=institution_b, role=Role.TRAINEE)
    membership_revoke(membership=membership, by=None)
    ended = Enrolment.objects.for_institution(institution_b).get(user=trainee_b)
    assert ended.status == EnrolmentStatus.ENDED and ended.ended_at is not None


def test_reminders_at_nine_local_time_once_and_never_after_completion_or_opt_out(institution_a):
    institution_a.time_zone = "Asia/Kathmandu"  # UTC+5:45
    institution_a.save()
    cohort = open_cohort(days_before=20, days_after=20)
    module = Module.objects.get(course=cohort.course, number=1)
    zone = zoneinfo.ZoneInfo("Asia/Kathmandu")
    local_nine = datetime.datetime.combine(timezone.now().date(), datetime.time(9, 10), tzinfo=zone)
    ModuleTarget.objects.create(cohort=cohort, module=module, target_on=local_nine.date() + datetime.timedelta(days=1))
    idle = enrol(cohort, institution_a, UserFactory())
    opted_out = enrol(cohort, institution_a, UserFactory())
    done = enrol(cohort, institution_a, UserFactory())
    with scopes_disabled():
        Enrolment.objects.filter(pk__in=[idle.pk, opted_out.pk, done.pk]).update(
            enrolled_at=local_nine - datetime.timedelta(days=10)
        )
        Enrolment.objects.filter(pk=opted_out.pk).update(reminders=False)
        Enrolment.objects.filter(pk=done.pk).update(status=EnrolmentStatus.COMPLETED)
    assert reminders_send_due(now=local_nine - datetime.timedelta(hours=1)) == 0  # 08:10 there
    assert reminders_send_due(now=local_nine) == 2  # the nudge and the target, for the idle learner only
    assert reminders_send_due(now=local_nine) == 0  # a second run of the hour sends nothing twice
    kinds = set(Notification.objects.for_institution(institution_a).values_list("kind", "recipient_id"))
    assert kinds == {("training.nudge", idle.user_id), ("training.target", idle.user_id)}


def test_learner_data_download_and_erasure(institution_a):
    cohort = open_cohort()
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    lesson = Lesson.objects.filter(module__course=cohort.course).first()
    progress.lesson_mark_done(enrolment=enrolment, lesson=lesson)
    attempt = progress.attempt_start(enrolment=enrolment, module=lesson.module)
    progress.attempt_submit(attempt=attempt, answers={})
    data = learner_data(institution=institution_a, user=user)
    assert data["enrolments"][0]["lessons_done"][0]["lesson"] == lesson.key
    assert data["enrolments"][0]["attempts"][0]["score"] == 0
    data_services.learner_erase(institution=institution_a, user=user)
    assert not QuizAttempt.objects.for_institution(institution_a).filter(enrolment__user=user).exists()
    assert not Enrolment.objects.for_institution(institution_a).filter(user=user).exists()


def test_fixture_course_shape():
    course = fixture_course()
    assert list(course.modules.values_list("number", flat=True)) == [1, 2]
