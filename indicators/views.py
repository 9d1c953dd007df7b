"""Views of the indicators app: thin; permissions via r2dr.permissions, reads via selectors, writes via services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services, tabular
from indicators.forms import (
    AreaForm,
    AttributeTextForm,
    ConclusionsForm,
    CycleForm,
    ImportForm,
    IndicatorForm,
    NewIndicatorForm,
    ReasonForm,
    RoundForm,
    ValueForm,
    staff_querysets,
)
from indicators.models import Area, Cycle, CycleArea, FrameworkVersion, Indicator, Source, Value
from indicators.rating import STATUS_LABELS
from r2dr import permissions as scope
from r2dr.forms import add_service_errors
from r2dr.roles import INDICATOR_STAFF, Role

STAFF = tuple(INDICATOR_STAFF)
MANAGERS = (Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN)


def _messages_from(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _cycle(request, cycle_id) -> Cycle:
    try:
        return selectors.cycle_get(institution=request.institution, cycle_id=cycle_id)
    except Cycle.DoesNotExist:
        raise Http404


def _cycle_area(request, cycle, area_code) -> CycleArea:
    try:
        return selectors.cycle_area_get(institution=request.institution, cycle=cycle, area_code=area_code)
    except CycleArea.DoesNotExist:
        raise Http404


def _cycle_url(cycle):
    return reverse("indicators_cycle", kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk})


def _area_url(cycle, area_code, anchor=""):
    url = reverse(
        "indicators_area",
        kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk, "area_code": area_code},
    )
    return f"{url}#{anchor}" if anchor else url


# --- public framework ------------------------------------------------------------------------------------


@scope.public
def framework_public(request):
    version = selectors.published_version()
    return render(
        request,
        "indicators/framework.html",
        {
            "version": version,
            "areas": selectors.framework_areas(version=version) if version else [],
            "status_labels": STATUS_LABELS,
        },
    )


@scope.public
def framework_download_json(request):
    version = selectors.published_version()
    if version is None:
        raise Http404
    payload = {
        "framework": version.title,
        "version": version.number,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "indicators": selectors.framework_rows(version=version),
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="r2dr-framework-v{version.number}.json"'
    return response


@scope.public
def framework_download_csv(request):
    version = selectors.published_version()
    if version is None:
        raise Http404
    rows = selectors.framework_rows(version=version)
    for row in rows:
        for key in ("categories", "disaggregation", "rating_rule"):
            row[key] = json.dumps(row[key], ensure_ascii=False)
    columns = list(rows[0].keys()) if rows else ["code"]
    response = HttpResponse(tabular.write_csv(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="r2dr-framework-v{version.number}.csv"'
    return response


# --- regional: framework maintenance, rounds, overview ------------------------------------------------------


@scope.regional(Role.REGIONAL_ADMIN)
def framework_admin(request):
    if request.method == "POST":
        base = selectors.published_version()
        try:
            draft = services.framework_version_create_draft(
                based_on=base, by=request.user, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            for m in _messages_from(exc):
                messages.error(request, m)
        else:
            messages.success(
                request, _("Draft version %(n)s created from version %(b)s.") % {"n": draft.number, "b": base.number}
            )
            return redirect("indicators_framework_version", version_id=draft.pk)
        return redirect("indicators_framework_admin")
    return render(request, "indicators/framework_admin.html", {"versions": selectors.framework_versions()})


def _version(version_id) -> FrameworkVersion:
    try:
        return FrameworkVersion.objects.get(pk=version_id)
    except FrameworkVersion.DoesNotExist:
        raise Http404


@scope.regional(Role.REGIONAL_ADMIN)
def framework_version(request, version_id):
    version = _version(version_id)
    return render(
        request,
        "indicators/framework_version.html",
        {
            "version": version,
            "areas": selectors.framework_areas(version=version, include_retired=True),
        },
    )


@scope.regional(Role.REGIONAL_ADMIN)
@require_POST
def framework_version_publish(request, version_id):
    version = _version(version_id)
    try:
        services.framework_version_publish(version=version, by=request.user)
    except ValidationError as exc:
        for m in _messages_from(exc):
            messages.error(request, m)
    else:
        messages.success(
            request, _("Version %(n)s is published. Cycles already open stay on their version.") % {"n": version.number}
        )
    return redirect("indicators_framework_version", version_id=version.pk)


@scope.regional(Role.REGIONAL_ADMIN)
def indicator_edit(request, version_id, indicator_code):
    version = _version(version_id)
    try:
        indicator = Indicator.objects.select_related("attribute__area").get(version=version, code=indicator_code)
    except Indicator.DoesNotExist:
        raise Http404
    form = IndicatorForm(request.POST or None, instance=indicator)
    readonly = not version.is_editable
    if request.method == "POST" and not readonly and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.indicator_update(indicator=Indicator.objects.get(pk=indicator.pk), by=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Indicator %(code)s saved.") % {"code": indicator.code})
            return redirect(
                reverse("indicators_framework_version", kwargs={"version_id": version.pk}) + f"#{indicator.code}"
            )
    if readonly:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "indicators/indicator_edit.html",
        {"version": version, "indicator": indicator, "form": form, "readonly": readonly},
    )


@scope.regional(Role.REGIONAL_ADMIN)
def indicator_add(request, version_id):
    version = _version(version_id)
    if not version.is_editable:
        messages.error(request, _("Published framework versions cannot be changed; create a new draft version."))
        return redirect("indicators_framework_version", version_id=version.pk)
    form = NewIndicatorForm(request.POST or None, version=version, initial={"rating_rule": {"kind": "none"}})
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        data["code"] = form.cleaned_data["code"]
        try:
            indicator = services.indicator_create(
                version=version, attribute=form.cleaned_data["attribute"], by=request.user, data=data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Indicator %(code)s added.") % {"code": indicator.code})
            return redirect(
                reverse("indicators_framework_version", kwargs={"version_id": version.pk}) + f"#{indicator.code}"
            )
    return render(
        request, "indicators/indicator_edit.html", {"version": version, "form": form, "readonly": False, "adding": True}
    )


@scope.regional(Role.REGIONAL_ADMIN)
def area_edit(request, version_id, area_code):
    version = _version(version_id)
    try:
        area = Area.objects.prefetch_related("attributes").get(version=version, code=area_code)
    except Area.DoesNotExist:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = AreaForm(
        data,
        initial={
            "title": area.title,
            "description": area.description,
            "declaration_articles": area.declaration_articles,
        },
    )
    attribute_forms = [
        (
            attribute,
            AttributeTextForm(
                data,
                prefix=f"attr-{attribute.code}",
                initial={"title": attribute.title, "description": attribute.description},
            ),
        )
        for attribute in area.attributes.all()
    ]
    readonly = not version.is_editable
    if data is not None and not readonly and form.is_valid() and all(f.is_valid() for _a, f in attribute_forms):
        try:
            services.area_update(
                area=area,
                by=request.user,
                data=form.cleaned_data,
                attributes={a.code: f.cleaned_data for a, f in attribute_forms},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Area %(code)s saved.") % {"code": area.code})
            return redirect("indicators_framework_version", version_id=version.pk)
    if readonly:
        for f in [form] + [f for _a, f in attribute_forms]:
            for field in f.fields.values():
                field.disabled = True
    return render(
        request,
        "indicators/area_edit.html",
        {"version": version, "area": area, "form": form, "attribute_forms": attribute_forms, "readonly": readonly},
    )


@scope.regional(Role.REGIONAL_ADMIN)
def rounds(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_open(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Monitoring round opened."))
            return redirect("indicators_rounds")
    return render(request, "indicators/rounds.html", {"rounds": selectors.rounds(), "form": form})


@scope.regional(Role.REGIONAL_ADMIN)
@require_POST
def round_toggle(request, round_id):
    from indicators.models import MonitoringRound

    try:
        monitoring_round = MonitoringRound.objects.get(pk=round_id)
    except MonitoringRound.DoesNotExist:
        raise Http404
    services.round_set_open(monitoring_round=monitoring_round, by=request.user, is_open=not monitoring_round.is_open)
    messages.success(request, _("Round opened.") if monitoring_round.is_open else _("Round closed."))
    return redirect("indicators_rounds")


@scope.regional()
def regional_overview(request):
    round_id = request.GET.get("round") or None
    if round_id and not str(round_id).isdigit():
        round_id = None
    from r2dr.models import SubRegion

    subregion = request.GET.get("subregion") or None
    if subregion not in SubRegion.values:
        subregion = None
    matrix = selectors.regional_status_matrix(round_id=round_id, subregion=subregion)
    completeness = selectors.regional_completeness(round_id=round_id)
    return render(
        request,
        "indicators/regional.html",
        {
            "matrix": matrix,
            "completeness": completeness,
            "rounds": selectors.rounds(),
            "round_id": round_id,
            "subregion": subregion,
            "subregions": SubRegion.choices,
            "status_labels": STATUS_LABELS,
        },
    )


# --- institution: cycles ---------------------------------------------------------------------------------


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
    areas = list(Area.objects.filter(version=version)) if version else []
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
            return redirect(_cycle_url(cycle))
    return render(request, "indicators/cycle_form.html", {"form": form, "version": version})


@scope.institution(*MANAGERS)
def cycle_assign(request, institution_slug, cycle_id):
    cycle = _cycle(request, cycle_id)
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
            return redirect(_cycle_url(cycle))
    return render(request, "indicators/cycle_form.html", {"form": form, "cycle": cycle})


@scope.institution(*STAFF)
def cycle_detail(request, institution_slug, cycle_id):
    cycle = _cycle(request, cycle_id)
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
    cycle = _cycle(request, cycle_id)
    try:
        services.cycle_publish(cycle=cycle, by=request.user)
    except ValidationError as exc:
        for m in _messages_from(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("The cycle is published: it is now the national baseline and visible regionally."))
    return redirect(_cycle_url(cycle))


@scope.institution(*STAFF)
def cycle_results(request, institution_slug, cycle_id):
    cycle = _cycle(request, cycle_id)
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


def _export(request, cycle, fmt):
    rows = selectors.export_rows(institution=request.institution, cycle=cycle)
    name = f"{request.institution.slug}-cycle-{cycle.pk}"
    if fmt == "xlsx":
        body = tabular.write_xlsx(rows, selectors.EXPORT_COLUMNS)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = tabular.write_csv(rows, selectors.EXPORT_COLUMNS)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@scope.institution(*STAFF)
def cycle_export_csv(request, institution_slug, cycle_id):
    return _export(request, _cycle(request, cycle_id), "csv")


@scope.institution(*STAFF)
def cycle_export_xlsx(request, institution_slug, cycle_id):
    return _export(request, _cycle(request, cycle_id), "xlsx")


@scope.institution(*STAFF)
def cycle_import(request, institution_slug, cycle_id):
    cycle = _cycle(request, cycle_id)
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
            return redirect(_cycle_url(cycle))
    return render(request, "indicators/import.html", {"cycle": cycle, "form": form, "row_errors": row_errors})


# --- institution: data entry -----------------------------------------------------------------------------


def _forms_for(entry, bound=None):
    for group in entry["groups"]:
        for row in group["rows"]:
            if bound is not None and row["value"].pk == bound.value_pk:
                row["form"] = bound
            else:
                row["form"] = ValueForm(
                    indicator=row["indicator"],
                    value=row["value"],
                    dimensions=row["dimensions"],
                    prefix=f"v{row['value'].pk}",
                )


def _area_context(request, cycle, cycle_area, bound=None):
    entry = selectors.area_entry(institution=request.institution, cycle_area=cycle_area)
    is_respondent = any(u.pk == request.user.pk for u in cycle_area.respondents.all())
    can_edit = is_respondent and cycle_area.is_editable and not cycle.is_published
    _forms_for(entry, bound)
    return {
        "cycle": cycle,
        "cycle_area": cycle_area,
        "area": cycle_area.area,
        "entry": entry,
        "can_edit": can_edit,
        "is_respondent": is_respondent,
        "is_reviewer": cycle.reviewer_id == request.user.pk,
        "status_labels": STATUS_LABELS,
    }


@scope.institution(*STAFF)
def area_entry(request, institution_slug, cycle_id, area_code):
    cycle = _cycle(request, cycle_id)
    cycle_area = _cycle_area(request, cycle, area_code)
    return render(request, "indicators/area.html", _area_context(request, cycle, cycle_area))


@scope.institution(*STAFF)
def value_save(request, institution_slug, cycle_id, indicator_code):
    """Save one indicator: autosave (htmx, no `action`), explicit save, or add a source (plain form or htmx)."""
    cycle = _cycle(request, cycle_id)
    try:
        value = selectors.value_for_indicator(
            institution=request.institution, cycle=cycle, indicator_code=indicator_code
        )
    except Value.DoesNotExist:
        raise Http404
    anchor = f"ind-{value.indicator.code}"
    if request.method != "POST":
        return redirect(_area_url(cycle, value.cycle_area.area.code, anchor))
    cycle_area = value.cycle_area
    entry_dims = [(d, t) for d, t in selectors.terms_by_vocabulary().items() if d in value.indicator.disaggregation]
    dims = [(d, dict(entry_dims).get(d, [])) for d in value.indicator.disaggregation]
    form = ValueForm(request.POST, request.FILES, indicator=value.indicator, dimensions=dims, prefix=f"v{value.pk}")
    form.value_pk = value.pk
    form.is_valid()
    autosave = request.htmx and not request.POST.get("action")
    errors = []
    try:
        value = services.value_save(value=value, by=request.user, data=form.value_data(), reason=form.reason_for(value))
        source = None if autosave else form.source_data()
        if source and not form.errors:
            services.source_add(value=value, by=request.user, **source)
            form = ValueForm(indicator=value.indicator, value=value, dimensions=dims, prefix=f"v{value.pk}")
            form.value_pk = value.pk
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                target = f"src_{field}" if f"src_{field}" in form.fields else None
                form.add_error(target if field != "file" else "src_file", errs)
        else:
            errors = _messages_from(exc)
            form.add_error(None, exc)
    if autosave:
        row = selectors.entry_row(institution=request.institution, value=value)
        return render(request, "indicators/_save_status.html", {"row": row, "errors": errors})
    if request.htmx:
        row = selectors.entry_row(institution=request.institution, value=value)
        row["form"] = form
        ctx = {
            "row": row,
            "cycle": cycle,
            "cycle_area": cycle_area,
            "can_edit": cycle_area.is_editable,
            "status_labels": STATUS_LABELS,
            "just_saved": not form.errors,
        }
        return render(request, "indicators/_indicator.html", ctx)
    if form.errors:
        cycle_area = _cycle_area(request, cycle, cycle_area.area.code)
        return render(
            request, "indicators/area.html", _area_context(request, cycle, cycle_area, bound=form), status=200
        )
    messages.success(request, _("%(code)s saved.") % {"code": value.indicator.code})
    return redirect(_area_url(cycle, cycle_area.area.code, anchor))


@scope.institution(*STAFF)
@require_POST
def source_delete(request, institution_slug, source_id):
    try:
        source = selectors.source_get(institution=request.institution, source_id=source_id)
    except Source.DoesNotExist:
        raise Http404
    value = selectors.value_get(institution=request.institution, value_id=source.value_id)
    try:
        services.source_remove(source=source, by=request.user)
    except ValidationError as exc:
        for m in _messages_from(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("Source removed."))
    return redirect(_area_url(value.cycle, value.cycle_area.area.code, f"ind-{value.indicator.code}"))


@scope.institution(*STAFF)
def source_file(request, institution_slug, source_id):
    """Stream an uploaded source file to staff of its institution only (media is never served by URL)."""
    try:
        source = selectors.source_get(institution=request.institution, source_id=source_id)
    except Source.DoesNotExist:
        raise Http404
    if not source.file:
        messages.info(request, _("This source has no file."))
        value = source.value
        return redirect(_area_url(value.cycle_area.cycle, value.cycle_area.area.code))
    response = FileResponse(source.file.open("rb"), as_attachment=True, filename=source.file_name or "source")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@scope.institution(*STAFF)
def value_history(request, institution_slug, value_id):
    try:
        value = selectors.value_get(institution=request.institution, value_id=value_id)
    except Value.DoesNotExist:
        raise Http404
    return render(
        request,
        "indicators/history.html",
        {
            "value": value,
            "cycle": value.cycle,
            "history": selectors.value_history(institution=request.institution, value=value),
        },
    )


@scope.institution(*STAFF)
@require_POST
def area_submit(request, institution_slug, cycle_id, area_code):
    cycle = _cycle(request, cycle_id)
    cycle_area = _cycle_area(request, cycle, area_code)
    try:
        services.cycle_area_submit(cycle_area=cycle_area, by=request.user)
    except ValidationError as exc:
        messages.error(request, _("The area cannot be submitted yet:"))
        for m in _messages_from(exc)[:20]:
            messages.error(request, m)
        return redirect(_area_url(cycle, area_code))
    messages.success(request, _("Area %(code)s submitted for review.") % {"code": area_code})
    return redirect(_cycle_url(cycle))


@scope.institution(Role.REVIEWER, Role.INSTITUTION_HEAD)
def area_review(request, institution_slug, cycle_id, area_code):
    cycle = _cycle(request, cycle_id)
    cycle_area = _cycle_area(request, cycle, area_code)
    context = _area_context(request, cycle, cycle_area)
    if request.method == "POST":
        action = request.POST.get("action")
        comments = {k.removeprefix("comment__"): v for k, v in request.POST.items() if k.startswith("comment__")}
        note = request.POST.get("note", "")
        try:
            if action == "approve":
                if any(v.strip() for v in comments.values()):
                    raise ValidationError(
                        _("You wrote comments on indicators: return the area instead, or clear them.")
                    )
                services.cycle_area_approve(cycle_area=cycle_area, by=request.user, note=note)
                messages.success(request, _("Area %(code)s approved and locked.") % {"code": area_code})
            elif action == "return":
                services.cycle_area_return(cycle_area=cycle_area, by=request.user, comments=comments, note=note)
                messages.success(request, _("Area %(code)s returned to the respondents.") % {"code": area_code})
            else:
                raise ValidationError(_("Choose approve or return."))
        except ValidationError as exc:
            for m in _messages_from(exc):
                messages.error(request, m)
            context.update(posted_comments=comments, posted_note=note)
            return render(request, "indicators/review.html", context)
        return redirect(_cycle_url(cycle))
    return render(request, "indicators/review.html", context)


@scope.institution(Role.REVIEWER, Role.INSTITUTION_HEAD)
def area_reopen(request, institution_slug, cycle_id, area_code):
    cycle = _cycle(request, cycle_id)
    cycle_area = _cycle_area(request, cycle, area_code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_area_reopen(cycle_area=cycle_area, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Area %(code)s reopened.") % {"code": area_code})
            return redirect(_cycle_url(cycle))
    return render(request, "indicators/reopen.html", {"cycle": cycle, "cycle_area": cycle_area, "form": form})


@scope.institution(*STAFF)
def area_conclusions(request, institution_slug, cycle_id, area_code):
    cycle = _cycle(request, cycle_id)
    cycle_area = _cycle_area(request, cycle, area_code)
    form = ConclusionsForm(
        request.POST or None, initial={"findings": cycle_area.findings, "recommendations": cycle_area.recommendations}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_area_set_conclusions(cycle_area=cycle_area, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Findings and recommendations saved."))
            return redirect(_cycle_url(cycle))
    return render(request, "indicators/conclusions.html", {"cycle": cycle, "cycle_area": cycle_area, "form": form})
