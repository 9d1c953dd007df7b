"""Facilitators revise lessons in the UI; every revision is kept, and the content loader leaves revised lessons be."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from r2dr import permissions as scope
from r2dr.roles import Role
from training.forms import LessonEditForm
from training.models import Lesson
from training.rendering import markdown_html
from training.selectors import cohort as selectors
from training.services.content import lesson_revise


@scope.regional(Role.FACILITATOR)
def training_lessons(request):
    return render(request, "training/lessons.html", {"lessons": selectors.lessons_for_editing()})


@scope.regional(Role.FACILITATOR)
def training_lesson_edit(request, lesson_id):
    try:
        lesson = selectors.lesson_get(lesson_id=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise Http404 from exc
    form = LessonEditForm(request.POST or None, initial={"title": lesson.title, "body": lesson.body})
    if request.method == "POST" and form.is_valid():
        lesson_revise(lesson=lesson, by=request.user, **form.cleaned_data)
        messages.success(request, _("Lesson saved; the earlier text is kept in its history."))
        return redirect("training_lesson_edit", lesson_id=lesson.pk)
    return render(
        request,
        "training/lesson_edit.html",
        {
            "lesson": lesson,
            "form": form,
            "preview": markdown_html(lesson.body),
            "revisions": lesson.revisions.select_related("by")[:20],
        },
    )
