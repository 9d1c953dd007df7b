"""What the indicators views share: role groups, object lookups that answer 404, URLs, and the data-entry
page's context (used by data entry and by review)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from indicators import selectors
from indicators.forms import ValueForm
from indicators.models import Cycle, CycleArea, FrameworkVersion
from indicators.rating import STATUS_LABELS
from r2dr.roles import INDICATOR_STAFF, Role

STAFF = tuple(INDICATOR_STAFF)
MANAGERS = (Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN)


def messages_from(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def error_messages(request: HttpRequest, exc: ValidationError, *, limit: int | None = None) -> None:
    """Show a service's refusal as flash messages (the first `limit` of them)."""
    for message in messages_from(exc)[:limit]:
        messages.error(request, message)


def version_or_404(version_id: int) -> FrameworkVersion:
    try:
        return FrameworkVersion.objects.get(pk=version_id)
    except FrameworkVersion.DoesNotExist:
        raise Http404 from None


def cycle_or_404(request: HttpRequest, cycle_id: int) -> Cycle:
    try:
        return selectors.cycle_get(institution=request.institution, cycle_id=cycle_id)
    except Cycle.DoesNotExist:
        raise Http404 from None


def cycle_area_or_404(request: HttpRequest, cycle: Cycle, area_code: str) -> CycleArea:
    try:
        return selectors.cycle_area_get(institution=request.institution, cycle=cycle, area_code=area_code)
    except CycleArea.DoesNotExist:
        raise Http404 from None


def cycle_url(cycle: Cycle) -> str:
    return reverse("indicators_cycle", kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk})


def area_url(cycle: Cycle, area_code: str, anchor: str = "") -> str:
    url = reverse(
        "indicators_area",
        kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk, "area_code": area_code},
    )
    return f"{url}#{anchor}" if anchor else url


def _forms_for(entry: dict[str, Any], bound: ValueForm | None = None) -> None:
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


def area_context(
    request: HttpRequest, cycle: Cycle, cycle_area: CycleArea, bound: ValueForm | None = None
) -> dict[str, Any]:
    """The data-entry page of an area, with one form per indicator (`bound` keeps what was just posted)."""
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
