"""A cycle as a whole: the list, opening and assigning it, its page, publication, results, export and import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services, tabular
from indicators.forms import CycleForm, ImportForm, staff_querysets
from indicators.models import Cycle
from indicators.rating import STATUS_LABELS
from indicators.views._common import MANAGERS, STAFF, cycle_or_404, cycle_url, error_messages
from r2dr import permissions as scope
from r2dr.forms import add_service_errors
from r2dr.roles import Role


@scope.institution(*STAFF)
def cycles(request, institution_slug):
    return render(
        request,
        "indicators/cycles.html",
        {
            "cycles": selectors.cycles_for(institution=request.institution),
            "can_open": request.access.has(request.institution, *MANAGERS),
            "today": timezone.localdate(),
        },
    )


@scope.institution(*STAFF)
def my_work(request, institution_slug):
    return render(
        request,
        "indicators/my_work.html",
        {"work": selectors.my_work(institution=request.institution, user=request.user)},
    )


@scope.institution(*MANAGERS)
def cycle_create(request, institution_slug):
    institution = request.institution
    version = selectors.published_version()
    areas = selectors.areas_of(version=version) if version else []
    reviewers, staff = staff_querysets(institution)
    form = CycleForm(
        request.POST or None, areas=areas, reviewers=reviewers, staff=staff, rounds=selectors.open_rounds()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                institution=institution,
                by=request.user,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                due_date=data["due_date"],
                area_codes=data["areas"],
                reviewer=data["reviewer"],
                respondents=form.respondents(),
                monitoring_round=data["monitoring_round"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cycle opened. Respondents can now enter data."))
            return redirect(cycle_url(cycle))
    return render(request, "indicators/cycle_form.html", {"form": form, "version": version})


@scope.institution(*MANAGERS)
def cycle_assign(request, institution_slug, cycle_id):
    cycle = cycle_or_404(request, cycle_id)
    cycle_areas = list(cycle.areas.select_related("area").prefetch_related("respondents"))
    areas = [ca.area for ca in cycle_areas]
    reviewers, staff = staff_querysets(request.institution)
    initial = {"reviewer": cycle.reviewer_id}
    for ca in cycle_areas:
        initial[f"respondents_{ca.area.code.replace('.', '_')}"] = [u.pk for u in ca.respondents.all()]
    form = CycleForm(
        request.POST or None, initial=initial, areas=areas, reviewers=reviewers, staff=staff, assign_only=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_assign(
                cycle=cycle, by=request.user, reviewer=form.cleaned_data["reviewer"], respondents=form.respondents()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Assignments saved."))
            return redirect(cycle_url(cycle))
    return render(request, "indicators/cycle_form.html", {"form": form, "cycle": cycle})


@scope.institution(*STAFF)
def cycle_detail(request, institution_slug, cycle_id):
    cycle = cycle_or_404(request, cycle_id)
    overview = selectors.cycle_overview(institution=request.institution, cycle=cycle)
    for row in overview["areas"]:
        row["is_respondent"] = any(u.pk == request.user.pk for u in row["cycle_area"].respondents.all())
    return render(
        request,
        "indicators/cycle.html",
        {
            "cycle": cycle,
            "overview": overview,
            "is_reviewer": cycle.reviewer_id == request.user.pk,
            "is_head": request.access.has(request.institution, Role.INSTITUTION_HEAD),
            "is_manager": request.access.has(request.institution, *MANAGERS),
            "previous": selectors.previous_cycle(cycle=cycle),
        },
    )


@scope.institution(Role.INSTITUTION_HEAD)
@require_POST
def cycle_publish(request, institution_slug, cycle_id):
    cycle = cycle_or_404(request, cycle_id)
    try:
        services.cycle_publish(cycle=cycle, by=request.user)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The cycle is published: it is now the national baseline and visible regionally."))
    return redirect(cycle_url(cycle))


@scope.institution(*STAFF)
def cycle_results(request, institution_slug, cycle_id):
    cycle = cycle_or_404(request, cycle_id)
    return render(
        request,
        "indicators/results.html",
        {
            "cycle": cycle,
            "areas": selectors.national_results(institution=request.institution, cycle=cycle),
            "status_labels": STATUS_LABELS,
            "previous": selectors.previous_cycle(cycle=cycle),
        },
    )


def _export(request: HttpRequest, cycle: Cycle, fmt: str) -> HttpResponse:
    rows = selectors.export_rows(institution=request.institution, cycle=cycle)
    name = f"{request.institution.slug}-cycle-{cycle.pk}"
    if fmt == "xlsx":
        body = tabular.write_xlsx(rows, tabular.EXPORT_COLUMNS)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = tabular.write_csv(rows, tabular.EXPORT_COLUMNS)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@scope.institution(*STAFF)
def cycle_export_csv(request, institution_slug, cycle_id):
    return _export(request, cycle_or_404(request, cycle_id), "csv")


@scope.institution(*STAFF)
def cycle_export_xlsx(request, institution_slug, cycle_id):
    return _export(request, cycle_or_404(request, cycle_id), "xlsx")


@scope.institution(*STAFF)
def cycle_import(request, institution_slug, cycle_id):
    cycle = cycle_or_404(request, cycle_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = tabular.read_table(form.cleaned_data["file"])
            count = services.cycle_import(cycle=cycle, by=request.user, rows=rows)
        except services.ImportRejected as exc:
            row_errors = exc.row_errors
            form.add_error(
                None,
                _("Nothing was imported: %(n)s row(s) have errors. Correct them and upload the file again.")
                % {"n": len({n for n, _m in row_errors})},
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("%(n)s rows imported.") % {"n": count})
            return redirect(cycle_url(cycle))
    return render(request, "indicators/import.html", {"cycle": cycle, "form": form, "row_errors": row_errors})
