"""Pages for those who run a cohort. Facilitators (regional) see every institution's learners, filter by
institution, export CSV, read the quiz item analysis and enrol institutions in bulk; an institution's admins see
and enrol their own staff only. Both read through the same selectors, scoped by the institution passed."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from r2dr import permissions as scope
from r2dr.models import Institution
from r2dr.roles import Role
from training.forms import BulkEnrolForm, StaffEnrolForm
from training.models import Cohort
from training.selectors import cohort as selectors
from training.services import enrolment as enrolment_services
from training.services import practice as practice_services
from training.services.errors import TrainingRefused

STATUS_LABELS = {"complete": _("complete"), "started": _("started"), "not_started": _("not started")}


def _cohort(cohort_id):
    try:
        return selectors.cohort_get(cohort_id=cohort_id)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


def _csv(cohort, table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-progress.csv"'
    writer = csv.writer(response)
    header = [_("Learner"), _("E-mail"), _("Institution"), _("Status")]
    for module in table.modules:
        header += [
            _("Module %(n)d: status") % {"n": module.number},
            _("Module %(n)d: best score") % {"n": module.number},
            _("Module %(n)d: last activity (UTC)") % {"n": module.number},
        ]
    writer.writerow(header)
    for row in table.rows:
        user = row.enrolment.user
        line = [user.get_full_name(), user.email, row.enrolment.institution.name, row.enrolment.get_status_display()]
        for cell in row.cells:
            line += [
                STATUS_LABELS[cell.status],
                "" if cell.best_score is None else cell.best_score,
                cell.last_activity.strftime("%Y-%m-%d %H:%M") if cell.last_activity else "",
            ]
        writer.writerow(line)
    return response


@scope.regional(Role.FACILITATOR)
def training_cohorts(request):
    return render(request, "training/cohorts.html", {"cohorts": selectors.cohorts_all()})


@scope.regional(Role.FACILITATOR, tenant_data=True)
def training_cohort(request, cohort_id):
    cohort = _cohort(cohort_id)
    form = BulkEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = enrolment_services.enrolments_create_for_institution(
                cohort=cohort, institution=form.cleaned_data["institution"], by=request.user
            )
        except TrainingRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(count)d trainees enrolled.") % {"count": len(made)})
        return redirect("training_cohort", cohort_id=cohort.pk)
    institutions = selectors.cohort_institutions(cohort=cohort)
    chosen = next((i for i in institutions if i.slug == request.GET.get("institution")), None)
    table = selectors.cohort_progress_table(cohort=cohort, institution=chosen)
    return render(
        request,
        "training/cohort.html",
        {
            "cohort": cohort,
            "table": table,
            "institutions": institutions,
            "chosen": chosen,
            "form": form,
            "regional": True,
        },
    )


@scope.regional(Role.FACILITATOR)
def training_cohort_practice(request, cohort_id):
    """Open the cohort's practice institution for module 3 (POST; once)."""
    cohort = _cohort(cohort_id)
    if request.method == "POST":
        try:
            practice_services.cohort_practice_open(cohort=cohort, by=request.user)
        except TrainingRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The practice institution is open; every learner of the cohort works in it."))
    return redirect("training_cohort", cohort_id=cohort.pk)


@scope.regional(Role.FACILITATOR, tenant_data=True)
def training_cohort_csv(request, cohort_id):
    cohort = _cohort(cohort_id)
    chosen = Institution.objects.filter(slug=request.GET.get("institution") or "", is_active=True).first()
    return _csv(cohort, selectors.cohort_progress_table(cohort=cohort, institution=chosen))


@scope.regional(Role.FACILITATOR, tenant_data=True)
def training_cohort_items(request, cohort_id):
    cohort = _cohort(cohort_id)
    return render(
        request,
        "training/items.html",
        {"cohort": cohort, "modules": selectors.cohort_item_analysis(cohort=cohort, institution=None)},
    )


@scope.institution(Role.INSTITUTION_ADMIN)
def training_staff_cohort(request, institution_slug, cohort_id):
    cohort = _cohort(cohort_id)
    institution = request.institution
    members = (
        get_user_model()
        .objects.filter(memberships__institution=institution, is_active=True)
        .distinct()
        .order_by("email")
    )
    form = StaffEnrolForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            made = enrolment_services.enrolments_create_for_staff(
                cohort=cohort,
                institution=institution,
                user_ids=[int(u) for u in form.cleaned_data["users"]],
                by=request.user,
            )
        except TrainingRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(count)d staff enrolled.") % {"count": len(made)})
        return redirect("training_staff_cohort", institution_slug=institution.slug, cohort_id=cohort.pk)
    table = selectors.cohort_progress_table(cohort=cohort, institution=institution)
    return render(request, "training/cohort.html", {"cohort": cohort, "table": table, "form": form, "regional": False})


@scope.institution(Role.INSTITUTION_ADMIN)
def training_staff_cohort_csv(request, institution_slug, cohort_id):
    cohort = _cohort(cohort_id)
    return _csv(cohort, selectors.cohort_progress_table(cohort=cohort, institution=request.institution))
