"""Dashboards, report requests and permission-checked downloads.

Report files live under MEDIA_ROOT and are only ever streamed by the views
below, after the scope check: there is no media URL.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from r2dr import languages as platform_languages
from r2dr import permissions as scope
from r2dr.roles import ALL_STAFF, INDICATOR_STAFF, Role
from reports import selectors, services, sources
from reports.forms import NationalReportForm, RegionalFilterForm, RegionalReportForm, ResultsPageForm
from reports.models import ReportKind, ReportRun

REGIONAL_VIEWERS = (Role.REGIONAL_ADMIN, Role.FACILITATOR)
PAGE_MANAGERS = (Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN)


# --- national -------------------------------------------------------------------


def _cycle_choices(cycles) -> list[tuple[str, str]]:
    return [(str(c.pk), selectors.cycle_label(c)) for c in cycles]


@scope.institution(*sorted(ALL_STAFF))
@require_GET
def national_dashboard(request, institution_slug):
    include_urgent = Role.CASE_OFFICER in request.roles
    data = selectors.national_dashboard(
        institution=request.institution,
        cycle_id=_int_param(request.GET.get("cycle")),
        include_urgent=include_urgent,
        case_release=services.national_case_release_serve(institution=request.institution),
    )
    return render(
        request,
        "reports/national_dashboard.html",
        {
            "data": data,
            "cycle_choices": _cycle_choices(data.cycles),
            "status_labels": selectors.status_labels(),
            "change_labels": selectors.change_labels(),
            "can_request": bool(set(INDICATOR_STAFF) & request.roles),
        },
    )


@scope.institution(*sorted(ALL_STAFF))
@require_GET
def national_chart_csv(request, institution_slug, chart_key):
    data = selectors.national_dashboard(
        institution=request.institution,
        cycle_id=_int_param(request.GET.get("cycle")),
        case_release=services.national_case_release_serve(institution=request.institution),
    )
    tables = [t for t in [data.status_table, data.comparison, *data.case_tables] if t is not None]
    return _csv_response(tables, chart_key, f"{request.institution.slug}-{chart_key}.csv")


def _csv_response(tables, chart_key, filename):
    for table in tables:
        if table.key == chart_key:
            response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    raise Http404


def _report_languages(institution) -> list[tuple[str, str]]:
    """The languages a national report can be written in: those the institution uses (its first one first), each
    named in its own script and in the reader's language ("ไทย (Thai)")."""
    names = dict(settings.LANGUAGES)
    codes = [code for code in institution.languages or [] if code in names] or [settings.LANGUAGE_CODE]
    out = []
    for code in codes:
        own, here = platform_languages.ENDONYMS.get(code, code), str(names[code])
        out.append((code, own if own == here else f"{own} ({here})"))
    return out


@scope.institution(*sorted(ALL_STAFF))
@require_http_methods(["GET", "POST"])
def national_reports(request, institution_slug):
    institution = request.institution
    cycles = sources.published_cycles(institution=institution)
    form = NationalReportForm(
        request.POST or None, cycles=_cycle_choices(cycles), languages=_report_languages(institution)
    )
    if request.method == "POST":
        scope.require_roles(request, *INDICATOR_STAFF)
        if form.is_valid():
            try:
                run, reused = services.report_request(
                    kind=ReportKind.NATIONAL,
                    institution=institution,
                    cycle_id=int(form.cleaned_data["cycle"]),
                    language=form.cleaned_data["language"],
                    by=request.user,
                )
            except services.ReportUnavailable as exc:
                messages.error(request, str(exc))
            else:
                _announce(request, run, reused)
                return redirect("reports_national_run", institution_slug=institution.slug, run_id=run.pk)
    return render(
        request,
        "reports/national_reports.html",
        {
            "form": form,
            "runs": selectors.national_runs(institution=institution),
            "can_request": bool(set(INDICATOR_STAFF) & request.roles),
            "has_cycles": bool(cycles),
        },
    )


def _announce(request, run, reused):
    if run.status == "failed":
        messages.error(request, run.failure_reason)
    elif reused and run.status == "done":
        messages.success(request, _("The data has not changed since this report was built: here is the same file."))
    elif reused:
        messages.info(request, _("This report is already being built."))
    elif run.status == "done":
        messages.success(request, _("Your report is ready."))
    # Otherwise the run page's status box says where the build is and keeps itself current: a message saying
    # "queued" would stay on the page after the box says "Ready".


@scope.institution(*sorted(ALL_STAFF))
@require_GET
@never_cache
def national_run(request, institution_slug, run_id):
    try:
        run = selectors.national_run(institution=request.institution, run_id=run_id)
    except ReportRun.DoesNotExist as exc:
        raise Http404 from exc
    download = reverse(
        "reports_national_download", kwargs={"institution_slug": request.institution.slug, "run_id": run.pk}
    )
    return _run_page(request, run, download)


@scope.institution(*sorted(ALL_STAFF))
@require_GET
def national_download(request, institution_slug, run_id):
    try:
        run = selectors.national_run(institution=request.institution, run_id=run_id)
    except ReportRun.DoesNotExist as exc:
        raise Http404 from exc
    if run.status != "done":
        return redirect("reports_national_run", institution_slug=request.institution.slug, run_id=run.pk)
    return _stream(run)


def _run_page(request, run, download_url):
    context = {"run": run, "download_url": download_url}
    template = "reports/_run_status.html" if request.htmx else "reports/run.html"
    return render(request, template, context)


def _stream(run: ReportRun):
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / run.file_path).resolve()
    if not run.file_path or not path.is_relative_to(root) or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=run.download_name)
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- regional -------------------------------------------------------------------


def _int_param(value):
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _regional_filters(request):
    return {
        "round_id": _int_param(request.GET.get("round")),
        "subregion": request.GET.get("subregion") or None,
        "country": request.GET.get("country") or None,
        "area": request.GET.get("area") or None,
    }


@scope.regional(*REGIONAL_VIEWERS)
@require_GET
def regional_dashboard(request):
    started = time.perf_counter()
    filters = _regional_filters(request)
    data = selectors.regional_dashboard(**filters, case_release=services.regional_case_release_serve())
    rounds = [(r.pk, selectors.cycle_label(r)) for r in data.rounds]
    form = RegionalFilterForm(request.GET or None, rounds=rounds, countries=data.countries, areas=data.all_areas)
    query = request.GET.urlencode()
    response = render(
        request,
        "reports/regional_dashboard.html",
        {
            "data": data,
            "form": form,
            "query": query,
            "status_labels": selectors.status_labels(),
            # Its hidden fields repeat the filters' names: their own ids keep the page's ids unique.
            "report_form": RegionalReportForm(
                initial={
                    "round": data.round_id or "",
                    "subregion": filters["subregion"],
                    "country": filters["country"],
                },
                auto_id="report_%s",
            ),
        },
    )
    response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@scope.regional(*REGIONAL_VIEWERS)
@require_GET
def regional_chart_csv(request, chart_key):
    data = selectors.regional_dashboard(
        **_regional_filters(request), case_release=services.regional_case_release_serve()
    )
    return _csv_response(data.tables(), chart_key, f"regional-{chart_key}.csv")


@scope.regional(*REGIONAL_VIEWERS)
@require_http_methods(["GET", "POST"])
def regional_reports(request):
    form = RegionalReportForm(request.POST or None)
    if request.method == "POST":
        scope.require_roles(request, Role.REGIONAL_ADMIN)
        if form.is_valid():
            run, reused = services.report_request(
                kind=ReportKind.REGIONAL,
                round_id=_int_param(form.cleaned_data["round"]),
                parameters={"subregion": form.cleaned_data["subregion"], "country": form.cleaned_data["country"]},
                by=request.user,
            )
            _announce(request, run, reused)
            return redirect("reports_regional_run", run_id=run.pk)
    return render(
        request,
        "reports/regional_reports.html",
        {
            "form": form,
            "runs": selectors.regional_runs(),
            "can_request": request.access.is_regional(Role.REGIONAL_ADMIN),
        },
    )


@scope.regional(*REGIONAL_VIEWERS)
@require_GET
@never_cache
def regional_run(request, run_id):
    try:
        run = selectors.regional_run(run_id=run_id)
    except ReportRun.DoesNotExist as exc:
        raise Http404 from exc
    return _run_page(request, run, reverse("reports_regional_download", kwargs={"run_id": run.pk}))


@scope.regional(*REGIONAL_VIEWERS)
@require_GET
def regional_download(request, run_id):
    try:
        run = selectors.regional_run(run_id=run_id)
    except ReportRun.DoesNotExist as exc:
        raise Http404 from exc
    if run.status != "done":
        return redirect("reports_regional_run", run_id=run.pk)
    return _stream(run)


# --- public results page ------------------------------------------------------------


def _published_page(institution):
    page = selectors.results_page(institution=institution)
    if page is None or not page.is_public:
        raise Http404
    return page


def _public_report(institution, cycle_id):
    """The published cycle's report in the visitor's language if it was built in it, else in the institution's
    languages in their order, else the latest."""
    preferred = [translation.get_language(), *(institution.languages or [])]
    return selectors.latest_done_run_in(institution=institution, cycle_id=cycle_id, languages=preferred)


@scope.public
@require_GET
def public_results(request, institution_slug):
    institution = request.institution
    page = _published_page(institution)
    data = selectors.national_dashboard(institution=institution, cycle_id=page.cycle_id, public=True)
    if data.cycle is None:
        raise Http404
    report = _public_report(institution, data.cycle.pk)
    return render(
        request,
        "reports/public_results.html",
        {"page": page, "data": data, "report": report, "status_labels": selectors.status_labels()},
    )


@scope.public
@require_GET
def public_report_download(request, institution_slug):
    institution = request.institution
    page = _published_page(institution)
    data = selectors.national_dashboard(institution=institution, cycle_id=page.cycle_id, public=True)
    if data.cycle is None:
        raise Http404
    run = _public_report(institution, data.cycle.pk)
    if run is None:
        raise Http404
    return _stream(run)


@scope.institution(*PAGE_MANAGERS)
@require_http_methods(["GET", "POST"])
def results_page_settings(request, institution_slug):
    institution = request.institution
    page = selectors.results_page(institution=institution)
    cycles = sources.published_cycles(institution=institution)
    initial = {
        "is_public": page.is_public if page else False,
        "cycle": str(page.cycle_id or "") if page else "",
        "introduction": page.introduction if page else "",
    }
    form = ResultsPageForm(request.POST or None, initial=initial, cycles=_cycle_choices(cycles))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["is_public"] and not cycles:
            form.add_error("is_public", _("Publish a monitoring cycle first: the page shows published results only."))
        else:
            services.results_page_update(
                institution=institution,
                is_public=form.cleaned_data["is_public"],
                cycle_id=int(form.cleaned_data["cycle"]) if form.cleaned_data["cycle"] else None,
                introduction=form.cleaned_data["introduction"],
                by=request.user,
            )
            messages.success(request, _("Your results page settings were saved."))
            return redirect("reports_results_settings", institution_slug=institution.slug)
    return render(request, "reports/results_settings.html", {"form": form, "page": page})
