"""Data entry: an area's page, saving one indicator (autosave, save, add a source), sources and history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.forms import ValueForm
from indicators.models import Cycle, CycleArea, Source, Value
from indicators.rating import STATUS_LABELS
from indicators.views._common import (
    STAFF,
    area_context,
    area_url,
    cycle_area_or_404,
    cycle_or_404,
    error_messages,
    messages_from,
)
from r2dr import permissions as scope


@scope.institution(*STAFF)
def area_entry(request, institution_slug, cycle_id, area_code):
    cycle = cycle_or_404(request, cycle_id)
    cycle_area = cycle_area_or_404(request, cycle, area_code)
    return render(request, "indicators/area.html", area_context(request, cycle, cycle_area))


def _source_or_404(request: HttpRequest, source_id: int) -> Source:
    try:
        return selectors.source_get(institution=request.institution, source_id=source_id)
    except Source.DoesNotExist:
        raise Http404 from None


def _value_form(value: Value, dimensions: list, *, posted: HttpRequest | None = None) -> ValueForm:
    if posted is None:
        form = ValueForm(indicator=value.indicator, value=value, dimensions=dimensions, prefix=f"v{value.pk}")
    else:
        form = ValueForm(
            posted.POST, posted.FILES, indicator=value.indicator, dimensions=dimensions, prefix=f"v{value.pk}"
        )
    form.value_pk = value.pk
    return form


def _add_refusal(form: ValueForm, exc: ValidationError) -> list[str]:
    """Put a service's refusal on the form (field errors beside their field); returns the form-wide messages."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return messages_from(exc)
    for field, errs in exc.message_dict.items():
        if field.startswith("disaggregation:"):
            _kind, dimension, term = field.split(":", 2)
            field = f"dis__{dimension}__{term}"
        target = next((name for name in (field, f"src_{field}") if name in form.fields), None)
        form.add_error(target, errs)
    return []


def _save_posted(request: HttpRequest, value: Value, *, autosave: bool) -> tuple[Value, ValueForm, list[str], bool]:
    """Store the fields that can be stored (the form keeps the refused ones, with their errors), then the new source
    unless autosaving or something was refused; a fresh form after a source. Also says whether anything changed."""
    terms = selectors.terms_by_vocabulary()
    dimensions = [(d, terms.get(d, [])) for d in value.indicator.disaggregation]
    form = _value_form(value, dimensions, posted=request)
    form.is_valid()
    errors: list[str] = []
    before = value.updated_at
    try:
        value = services.value_save(value=value, by=request.user, data=form.value_data(), reason=form.reason_for(value))
        source = None if autosave else form.source_data()
        if source and not form.errors:
            services.source_add(value=value, by=request.user, **source)
            form = _value_form(value, dimensions)
    except ValidationError as exc:
        errors = _add_refusal(form, exc)
    return value, form, errors, value.updated_at != before


def _indicator_fragment(
    request: HttpRequest, cycle: Cycle, cycle_area: CycleArea, value: Value, form: ValueForm, *, saved_rest: bool
) -> HttpResponse:
    row = selectors.entry_row(institution=request.institution, value=value)
    row["form"] = form
    context = {
        "row": row,
        "cycle": cycle,
        "cycle_area": cycle_area,
        "can_edit": cycle_area.is_editable,
        "status_labels": STATUS_LABELS,
        "just_saved": not form.errors,
        "saved_rest": saved_rest,
    }
    return render(request, "indicators/_indicator.html", context)


@scope.institution(*STAFF)
def value_save(request, institution_slug, cycle_id, indicator_code):
    """Save one indicator: autosave (htmx, no `action`), explicit save, or add a source (plain form or htmx)."""
    cycle = cycle_or_404(request, cycle_id)
    try:
        value = selectors.value_for_indicator(
            institution=request.institution, cycle=cycle, indicator_code=indicator_code
        )
    except Value.DoesNotExist:
        raise Http404 from None
    cycle_area = value.cycle_area
    anchor = f"ind-{value.indicator.code}"
    if request.method != "POST":
        return redirect(area_url(cycle, cycle_area.area.code, anchor))
    # An autosave targets the status line; the Save buttons target the article. The target, not the posted
    # `action`, tells them apart: htmx adds the focused button's name to an autosave too (tabbing onto "Save").
    target = request.htmx.target if request.htmx else None
    autosave = bool(request.htmx) and (target.startswith("status-") if target else not request.POST.get("action"))
    value, form, errors, saved_rest = _save_posted(request, value, autosave=autosave)
    if autosave:
        row = selectors.entry_row(institution=request.institution, value=value)
        return render(
            request,
            "indicators/_save_status.html",
            {"row": row, "form": form, "errors": errors, "saved_rest": saved_rest},
        )
    if request.htmx:
        return _indicator_fragment(request, cycle, cycle_area, value, form, saved_rest=saved_rest)
    if form.errors:
        for label, errs in form.value_error_list():
            messages.error(
                request,
                _("%(code)s: %(field)s was not saved: %(errors)s What you typed is kept below.")
                % {"code": value.indicator.code, "field": label, "errors": " ".join(errs)},
            )
        cycle_area = cycle_area_or_404(request, cycle, cycle_area.area.code)
        return render(request, "indicators/area.html", area_context(request, cycle, cycle_area, bound=form))
    messages.success(request, _("%(code)s saved.") % {"code": value.indicator.code})
    return redirect(area_url(cycle, cycle_area.area.code, anchor))


@scope.institution(*STAFF)
@require_POST
def source_delete(request, institution_slug, source_id):
    source = _source_or_404(request, source_id)
    value = selectors.value_get(institution=request.institution, value_id=source.value_id)
    try:
        services.source_remove(source=source, by=request.user)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Source removed."))
    return redirect(area_url(value.cycle, value.cycle_area.area.code, f"ind-{value.indicator.code}"))


@scope.institution(*STAFF)
def source_file(request, institution_slug, source_id):
    """Stream an uploaded source file to staff of its institution only (media is never served by URL)."""
    source = _source_or_404(request, source_id)
    if not source.file:
        messages.info(request, _("This source has no file."))
        value = source.value
        return redirect(area_url(value.cycle_area.cycle, value.cycle_area.area.code))
    response = FileResponse(source.file.open("rb"), as_attachment=True, filename=source.file_name or "source")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@scope.institution(*STAFF)
def value_history(request, institution_slug, value_id):
    try:
        value = selectors.value_get(institution=request.institution, value_id=value_id)
    except Value.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "indicators/history.html",
        {
            "value": value,
            "cycle": value.cycle,
            "history": selectors.value_history(institution=request.institution, value=value),
        },
    )
