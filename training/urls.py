"""URLs of this app: `urlpatterns` at the top level (facilitators' regional pages), `institution_urlpatterns`
under /<institution-slug>/ (learners, and their institution's admins), wired in r2dr/urls.py."""

from django.urls import path

from training.views import cohort, content, learner, quiz

urlpatterns = [
    path("training/cohorts/", cohort.training_cohorts, name="training_cohorts"),
    path("training/cohorts/<int:cohort_id>/", cohort.training_cohort, name="training_cohort"),
    path("training/cohorts/<int:cohort_id>/progress.csv", cohort.training_cohort_csv, name="training_cohort_csv"),
    path("training/cohorts/<int:cohort_id>/items/", cohort.training_cohort_items, name="training_cohort_items"),
    path(
        "training/cohorts/<int:cohort_id>/practice/", cohort.training_cohort_practice, name="training_cohort_practice"
    ),
    path("training/lessons/", content.training_lessons, name="training_lessons"),
    path("training/lessons/<int:lesson_id>/edit/", content.training_lesson_edit, name="training_lesson_edit"),
]
institution_urlpatterns = [
    path("training/", learner.training_home, name="training_home"),
    path("training/my-data.json", learner.training_my_data, name="training_my_data"),
    path("training/erase/", learner.training_erase, name="training_erase"),
    path("training/enrolments/<int:enrolment_id>/", learner.training_course, name="training_course"),
    path(
        "training/enrolments/<int:enrolment_id>/lessons/<int:lesson_id>/",
        learner.training_lesson,
        name="training_lesson",
    ),
    path(
        "training/enrolments/<int:enrolment_id>/lessons/<int:lesson_id>/done/",
        learner.training_lesson_done,
        name="training_lesson_done",
    ),
    path("training/enrolments/<int:enrolment_id>/reminders/", learner.training_reminders, name="training_reminders"),
    path(
        "training/enrolments/<int:enrolment_id>/modules/<int:module_id>/quiz/", quiz.training_quiz, name="training_quiz"
    ),
    path("training/attempts/<int:attempt_id>/", quiz.training_attempt, name="training_attempt"),
    path("training/cohorts/<int:cohort_id>/", cohort.training_staff_cohort, name="training_staff_cohort"),
    path(
        "training/cohorts/<int:cohort_id>/progress.csv",
        cohort.training_staff_cohort_csv,
        name="training_staff_cohort_csv",
    ),
]
