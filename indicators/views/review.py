"""The review of an area: submission, approval or return, reopening, and its conclusions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.forms import ConclusionsForm, ReasonForm
from indicators.views._common import (
    STAFF,
    area_context,
    area_url,
    cycle_area_or_404,
    cycle_or_404,
    cycle_url,
    error_messages,
)
from r2dr import permissions as scope
from r2dr.roles import Role


@scope.institution(*STAFF)
@require_POST
def area_submit(request, institution_slug, cycle_id, area_code):
    cycle = cycle_or_404(request, cycle_id)
    cycle_area = cycle_area_or_404(request, cycle, area_code)
    try:
        services.cycle_area_submit(cycle_area=cycle_area, by=request.user)
    except ValidationError as exc:
        messages.error(request, _("The area cannot be submitted yet:"))
        error_messages(request, exc, limit=20)
        return redirect(area_url(cycle, area_code))
    messages.success(request, _("Area %(code)s submitted for review.") % {"code": area_code})
    return redirect(cycle_url(cycle))


@scope.institution(Role.REVIEWER, Role.INSTITUTION_HEAD)
def area_review(request, institution_slug, cycle_id, area_code):
    cycle = cycle_or_404(request, cycle_id)
    cycle_area = cycle_area_or_404(request, cycle, area_code)
    context = area_context(request, cycle, cycle_area)
    _add_changes_since_return(
        context, selectors.changes_since_return(institution=request.institution, cycle_area=cycle_area)
    )
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
            error_messages(request, exc)
            context.update(posted_comments=comments, posted_note=note)
            return render(request, "indicators/review.html", context)
        return redirect(cycle_url(cycle))
    return render(request, "indicators/review.html", context)


def _add_changes_since_return(context: dict[str, Any], since_return: dict[str, Any] | None) -> None:
    """Each indicator row gets what changed since the area was returned; the page gets the list of those rows."""
    changed = []
    for group in context["entry"]["groups"]:
        for row in group["rows"]:
            row["since_return"] = since_return["by_value"].get(row["value"].pk) if since_return else None
            if row["since_return"]:
                changed.append(row)
    context["since_return"] = since_return
    context["changed_since_return"] = changed


@scope.institution(Role.REVIEWER, Role.INSTITUTION_HEAD)
def area_reopen(request, institution_slug, cycle_id, area_code):
    cycle = cycle_or_404(request, cycle_id)
    cycle_area = cycle_area_or_404(request, cycle, area_code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_area_reopen(cycle_area=cycle_area, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Area %(code)s reopened.") % {"code": area_code})
            return redirect(cycle_url(cycle))
    return render(request, "indicators/reopen.html", {"cycle": cycle, "cycle_area": cycle_area, "form": form})


@scope.institution(*STAFF)
def area_conclusions(request, institution_slug, cycle_id, area_code):
    cycle = cycle_or_404(request, cycle_id)
    cycle_area = cycle_area_or_404(request, cycle, area_code)
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
            return redirect(cycle_url(cycle))
    return render(request, "indicators/conclusions.html", {"cycle": cycle, "cycle_area": cycle_area, "form": form})
