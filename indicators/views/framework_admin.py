"""Regional framework maintenance: versions, their indicators and areas, publication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.forms import AreaForm, AttributeTextForm, IndicatorForm, NewIndicatorForm
from indicators.models import Area, Attribute, FrameworkVersion, Indicator
from indicators.views._common import error_messages, version_or_404
from r2dr import permissions as scope
from r2dr.forms import add_service_errors
from r2dr.roles import Role


@scope.regional(Role.REGIONAL_ADMIN)
def framework_admin(request):
    if request.method == "POST":
        base = selectors.published_version()
        try:
            draft = services.framework_version_create_draft(
                based_on=base, by=request.user, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(
                request, _("Draft version %(n)s created from version %(b)s.") % {"n": draft.number, "b": base.number}
            )
            return redirect("indicators_framework_version", version_id=draft.pk)
        return redirect("indicators_framework_admin")
    return render(request, "indicators/framework_admin.html", {"versions": selectors.framework_versions()})


@scope.regional(Role.REGIONAL_ADMIN)
def framework_version(request, version_id):
    version = version_or_404(version_id)
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
    version = version_or_404(version_id)
    try:
        services.framework_version_publish(version=version, by=request.user)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(
            request, _("Version %(n)s is published. Cycles already open stay on their version.") % {"n": version.number}
        )
    return redirect("indicators_framework_version", version_id=version.pk)


@scope.regional(Role.REGIONAL_ADMIN)
def indicator_edit(request, version_id, indicator_code):
    version = version_or_404(version_id)
    try:
        indicator = selectors.indicator_get(version=version, code=indicator_code)
    except Indicator.DoesNotExist:
        raise Http404 from None
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
            return redirect(_version_url(version, indicator.code))
    if readonly:
        _disable(form)
    return render(
        request,
        "indicators/indicator_edit.html",
        {"version": version, "indicator": indicator, "form": form, "readonly": readonly},
    )


@scope.regional(Role.REGIONAL_ADMIN)
def indicator_add(request, version_id):
    version = version_or_404(version_id)
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
            return redirect(_version_url(version, indicator.code))
    return render(
        request, "indicators/indicator_edit.html", {"version": version, "form": form, "readonly": False, "adding": True}
    )


def _version_url(version: FrameworkVersion, anchor: str) -> str:
    return reverse("indicators_framework_version", kwargs={"version_id": version.pk}) + f"#{anchor}"


def _disable(*forms: Form) -> None:
    """A published version is shown read-only in the same forms."""
    for form in forms:
        for field in form.fields.values():
            field.disabled = True


def _area_forms(area: Area, data: QueryDict | None) -> tuple[AreaForm, list[tuple[Attribute, AttributeTextForm]]]:
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
    return form, attribute_forms


@scope.regional(Role.REGIONAL_ADMIN)
def area_edit(request, version_id, area_code):
    version = version_or_404(version_id)
    try:
        area = selectors.area_get(version=version, code=area_code)
    except Area.DoesNotExist:
        raise Http404 from None
    data = request.POST if request.method == "POST" else None
    form, attribute_forms = _area_forms(area, data)
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
        _disable(form, *(f for _a, f in attribute_forms))
    return render(
        request,
        "indicators/area_edit.html",
        {"version": version, "area": area, "form": form, "attribute_forms": attribute_forms, "readonly": readonly},
    )
