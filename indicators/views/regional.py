"""Regional views: monitoring rounds and the regional overview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.forms import RoundForm
from indicators.models import MonitoringRound
from indicators.rating import STATUS_LABELS
from r2dr import permissions as scope
from r2dr.models import SubRegion
from r2dr.roles import Role


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
    try:
        monitoring_round = selectors.monitoring_round_get(round_id=round_id)
    except MonitoringRound.DoesNotExist:
        raise Http404 from None
    services.round_set_open(monitoring_round=monitoring_round, by=request.user, is_open=not monitoring_round.is_open)
    messages.success(request, _("Round opened.") if monitoring_round.is_open else _("Round closed."))
    return redirect("indicators_rounds")


@scope.regional()
def regional_overview(request):
    round_id = request.GET.get("round") or None
    if round_id and not str(round_id).isdigit():
        round_id = None
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
