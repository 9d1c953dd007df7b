"""A module's quiz: start (or resume) an attempt, answer it in a plain form, submit, review with feedback."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from r2dr import permissions as scope
from r2dr.roles import Role
from training.forms import quiz_form
from training.models import Module, QuizAttempt
from training.selectors.learner import attempt_questions, learner_attempt, learner_progress, module_in_course
from training.services import progress as progress_services
from training.services.errors import TrainingRefused
from training.views._common import own_enrolment, window_context


def _attempt_redirect(attempt):
    return redirect("training_attempt", institution_slug=attempt.enrolment.institution.slug, attempt_id=attempt.pk)


@scope.institution(Role.TRAINEE)
@own_enrolment
def training_quiz(request, enrolment, module_id):
    try:
        module = module_in_course(course=enrolment.cohort.course, module_id=module_id)
    except Module.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            attempt = progress_services.attempt_start(enrolment=enrolment, module=module)
        except TrainingRefused as exc:
            messages.error(request, str(exc))
        else:
            return _attempt_redirect(attempt)
    progress = learner_progress(enrolment=enrolment)
    item = progress.module(module.pk)
    used = len(item.submitted) if item else 0
    return render(
        request,
        "training/quiz.html",
        {
            **window_context(enrolment),
            "module": module,
            "item": item,
            "left": None if module.attempt_limit is None else max(0, module.attempt_limit - used),
        },
    )


@scope.institution(Role.TRAINEE)
def training_attempt(request, institution_slug, attempt_id):
    try:
        attempt = learner_attempt(institution=request.institution, user=request.user, attempt_id=attempt_id)
    except QuizAttempt.DoesNotExist as exc:
        raise Http404 from exc
    questions = attempt_questions(attempt=attempt)
    form = quiz_form(questions, request.POST if request.method == "POST" and attempt.submitted_at is None else None)
    if form.is_bound and form.is_valid():
        answers = {}
        for item in questions:
            value = form.cleaned_data.get(f"q{item.question.pk}")
            values = value if isinstance(value, list) else ([value] if value else [])
            answers[item.question.pk] = [int(v) for v in values]
        try:
            attempt = progress_services.attempt_submit(attempt=attempt, answers=answers)
        except TrainingRefused as exc:
            messages.error(request, str(exc))
            return redirect(
                "training_course", institution_slug=request.institution.slug, enrolment_id=attempt.enrolment_id
            )
        if attempt.passed:
            messages.success(request, _("You passed this quiz with %(score)d%%.") % {"score": attempt.score})
        else:
            messages.warning(
                request,
                _("You scored %(score)d%%; the pass mark is %(mark)d%%. Read the feedback, then try again.")
                % {"score": attempt.score, "mark": attempt.module.pass_mark},
            )
        return _attempt_redirect(attempt)
    enrolment = attempt.enrolment
    return render(
        request,
        "training/attempt.html",
        {
            **window_context(enrolment),
            "attempt": attempt,
            "module": attempt.module,
            "questions": questions,
            "form": form,
        },
    )
