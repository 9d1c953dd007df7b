"""The learner's pages: their courses, a course page with progress and "Continue", lessons and "Mark as done",
the reminder opt-out, their data download and erasure."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from r2dr import permissions as scope
from r2dr.roles import Role
from training.completion import earned_for
from training.models import Lesson
from training.rendering import markdown_html
from training.selectors import cohort as cohort_selectors
from training.selectors.learner import learner_enrolments, learner_progress, lesson_in_course, local_today
from training.selectors.learner_data import learner_data
from training.selectors.practice import practice_link
from training.services import enrolment as enrolment_services
from training.services import learner_data as data_services
from training.services import progress as progress_services
from training.services.errors import TrainingRefused
from training.views._common import own_enrolment, window_context


def course_url(enrolment) -> str:
    return reverse(
        "training_course", kwargs={"institution_slug": enrolment.institution.slug, "enrolment_id": enrolment.pk}
    )


@scope.institution(Role.TRAINEE, Role.INSTITUTION_ADMIN)
def training_home(request, institution_slug):
    """A trainee's courses; for the institution's admins, the cohorts their staff can join."""
    is_trainee = request.access.has(request.institution, Role.TRAINEE)
    is_admin = request.access.has(request.institution, Role.INSTITUTION_ADMIN)
    context = {
        "enrolments": list(learner_enrolments(institution=request.institution, user=request.user))
        if is_trainee
        else [],
        "cohorts": list(cohort_selectors.cohorts_open_for_enrolment()) if is_admin else [],
        "is_trainee": is_trainee,
        "is_admin": is_admin,
    }
    return render(request, "training/home.html", context)


@scope.institution(Role.TRAINEE)
@own_enrolment
def training_course(request, enrolment):
    progress = learner_progress(enrolment=enrolment)
    step = progress.next_step
    continue_url = None
    if step and step[0] == "lesson":
        continue_url = reverse(
            "training_lesson",
            kwargs={
                "institution_slug": enrolment.institution.slug,
                "enrolment_id": enrolment.pk,
                "lesson_id": step[1].pk,
            },
        )
    elif step:
        continue_url = reverse(
            "training_quiz",
            kwargs={
                "institution_slug": enrolment.institution.slug,
                "enrolment_id": enrolment.pk,
                "module_id": step[1].pk,
            },
        )
    return render(
        request,
        "training/course.html",
        {
            **window_context(enrolment),
            "progress": progress,
            "continue_url": continue_url,
            "today": local_today(),
            "practice_slug": practice_link(cohort=enrolment.cohort, user=request.user),
            "earned": earned_for(enrolment),
        },
    )


@scope.institution(Role.TRAINEE)
@own_enrolment
def training_lesson(request, enrolment, lesson_id):
    context = window_context(enrolment)
    if context["phase"] == "before":
        messages.info(request, _("The course has not started yet: only the syllabus is shown until its first day."))
        return redirect(course_url(enrolment))
    try:
        lesson = lesson_in_course(course=enrolment.cohort.course, lesson_id=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise Http404 from exc
    progress = learner_progress(enrolment=enrolment)
    module = progress.module(lesson.module_id)
    lessons = module.lessons if module else []
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), 0)
    return render(
        request,
        "training/lesson.html",
        {
            **context,
            "lesson": lesson,
            "module": module,
            "body": markdown_html(lesson.tr("body")),
            "transcript": markdown_html(lesson.tr("transcript")) if lesson.transcript else "",
            "translated": lesson.tr("body") != lesson.body or request.LANGUAGE_CODE.split("-")[0] == "en",
            "done": lesson.pk in (module.done if module else set()),
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        },
    )


@scope.institution(Role.TRAINEE)
@require_POST
@own_enrolment
def training_lesson_done(request, enrolment, lesson_id):
    try:
        lesson = lesson_in_course(course=enrolment.cohort.course, lesson_id=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise Http404 from exc
    try:
        progress_services.lesson_mark_done(enrolment=enrolment, lesson=lesson)
    except TrainingRefused as exc:
        messages.error(request, str(exc))
        return redirect(course_url(enrolment))
    messages.success(request, _("“%(title)s” is marked as done.") % {"title": lesson.tr("title")})
    progress = learner_progress(enrolment=enrolment)
    module = progress.module(lesson.module_id)
    following = next((item for item in module.lessons if item.pk not in module.done), None) if module else None
    if following is not None:
        return redirect(
            "training_lesson",
            institution_slug=enrolment.institution.slug,
            enrolment_id=enrolment.pk,
            lesson_id=following.pk,
        )
    return redirect(course_url(enrolment))


@scope.institution(Role.TRAINEE)
@require_POST
@own_enrolment
def training_reminders(request, enrolment):
    on = request.POST.get("reminders") == "on"
    enrolment_services.enrolment_reminders_set(enrolment=enrolment, on=on)
    messages.success(
        request,
        _("You will get reminders for this course.") if on else _("You will get no more reminders for this course."),
    )
    return redirect(course_url(enrolment))


@scope.institution(Role.TRAINEE)
def training_my_data(request, institution_slug):
    data = learner_data(institution=request.institution, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-training-data.json"'
    return response


@scope.institution(Role.TRAINEE)
def training_erase(request, institution_slug):
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        data_services.learner_erase(institution=request.institution, user=request.user)
        messages.success(request, _("Your course data here has been erased."))
        return redirect("training_home", institution_slug=request.institution.slug)
    return render(request, "training/erase.html")
