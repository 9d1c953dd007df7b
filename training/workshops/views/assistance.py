"""Technical-assistance requests, without JavaScript: an institution's members open and follow theirs (and may
close one); facilitators list every institution's, by institution, topic and status, and move them on."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from r2dr import permissions as scope
from r2dr.roles import ALL_STAFF, Role
from r2dr.selectors import institutions_in_service
from training.workshops.forms import AssistanceMoveForm, AssistanceRequestForm
from training.workshops.models import AssistanceRequest, AssistanceStatus, Topic
from training.workshops.selectors import assistance as selectors
from training.workshops.services import assistance as services


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request) -> dict:
    return {"status": request.GET.get("status", ""), "topic": request.GET.get("topic", "")}


def _choices(allowed) -> list[tuple[str, str]]:
    return [(value, label) for value, label in AssistanceStatus.choices if value in allowed]


@scope.institution(*sorted(ALL_STAFF))
def assistance_home(request, institution_slug):
    form = AssistanceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.assistance_request_open(
                institution=request.institution, by=request.user, **form.cleaned_data
            )
        except services.AssistanceRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your request is sent to the facilitators."))
            return redirect("workshops_assistance", institution_slug=request.institution.slug, assistance_id=opened.pk)
    filters = _filters(request)
    context = {
        "requests": selectors.institution_assistance_requests(institution=request.institution, **filters),
        "form": form,
        "filters": filters,
        "statuses": AssistanceStatus.choices,
        "topics": Topic.choices,
    }
    return render(request, "workshops/assistance_list.html", context, status=400 if request.method == "POST" else 200)


@scope.institution(*sorted(ALL_STAFF))
def assistance_detail(request, institution_slug, assistance_id):
    try:
        item = selectors.institution_assistance_request(institution=request.institution, request_id=assistance_id)
    except AssistanceRequest.DoesNotExist as exc:
        raise Http404 from exc
    allowed = _choices(services.NEXT[item.status] & {AssistanceStatus.CLOSED})
    form = AssistanceMoveForm(request.POST or None, statuses=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_request_move(request=item, by=request.user, as_institution=True, **form.cleaned_data)
        except services.AssistanceRefused as exc:
            messages.error(request, str(exc))
        return redirect("workshops_assistance", institution_slug=request.institution.slug, assistance_id=item.pk)
    return render(request, "workshops/assistance.html", {"item": item, "form": form if allowed else None})


@scope.regional(Role.FACILITATOR, tenant_data=True)
def facilitator_assistance_list(request):
    filters = _filters(request)
    institution_id = _int(request.GET.get("institution", ""))
    context = {
        "requests": selectors.facilitator_assistance_requests(institution_id=institution_id, **filters),
        "filters": filters,
        "institution_id": institution_id,
        "institutions": list(institutions_in_service()),
        "statuses": AssistanceStatus.choices,
        "topics": Topic.choices,
    }
    return render(request, "workshops/facilitator_assistance_list.html", context)


@scope.regional(Role.FACILITATOR, tenant_data=True)
def facilitator_assistance(request, assistance_id):
    try:
        item = selectors.facilitator_assistance_request(request_id=assistance_id)
    except AssistanceRequest.DoesNotExist as exc:
        raise Http404 from exc
    allowed = _choices(services.NEXT[item.status])
    form = AssistanceMoveForm(request.POST or None, statuses=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_request_move(request=item, by=request.user, **form.cleaned_data)
        except services.AssistanceRefused as exc:
            messages.error(request, str(exc))
        return redirect("workshops_facilitator_assistance", assistance_id=item.pk)
    return render(
        request, "workshops/assistance.html", {"item": item, "form": form if allowed else None, "facilitator": True}
    )
