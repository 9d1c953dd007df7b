"""The public report form (no account, no JavaScript needed): every step posts to one URL; the flow is in
cases/intake_flow.py."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from cases import intake_flow, selectors
from cases.views._common import (
    encrypting_uploads,
    no_store,
    page_response,
    request_uploads,
)
from r2dr import languages as offered
from r2dr import permissions as scope
from r2dr.selectors import institutions_in_service


@scope.public
@no_store
def report_choose(request):
    institutions = institutions_in_service().order_by("country", "name")
    return render(
        request,
        "cases/report_choose.html",
        {
            "institutions": institutions,
            "accepting": selectors.accepting_institution_ids(),
            "quick_exit_url": intake_flow.quick_exit_url(),
            "mechanisms": selectors.mechanisms_for(None),
        },
    )


@scope.public
@sensitive_post_parameters()
@no_store
@encrypting_uploads
def report_form(request, institution_slug):
    institution = request.institution
    if request.method != "POST":
        languages = offered.language_choices(institution.languages or [])
        return render(
            request,
            "cases/report_intro.html",
            intake_flow.public_context(institution, accepting=intake_flow.accepting(institution), languages=languages),
        )
    files, file_errors = request_uploads(request)
    try:
        return page_response(request, intake_flow.report_post(request, institution, files, file_errors))
    except BaseException:
        intake_flow.discard_files(files)
        raise
