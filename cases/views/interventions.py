"""Interventions and referrals on a case."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from cases import forms, plaintext, services
from cases.models import (
    AccessAction,
    Intervention,
)
from cases.views._common import (
    no_store,
    staff_render,
    unlocked_case,
)
from r2dr import permissions as scope
from r2dr.roles import Role


def _intervention_fields(form) -> dict:
    return dict(form.cleaned_data)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@unlocked_case
def case_intervention(request, institution_slug, intervention_id=None, *, case, private, key):
    """Add (no intervention_id, POST only) or edit one intervention."""
    institution = case.institution
    intervention = None
    if intervention_id is not None:
        intervention = get_object_or_404(
            Intervention.objects.for_institution(institution), pk=intervention_id, case=case
        )
    elif request.method != "POST":
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    initial = None
    if intervention is not None:
        initial = {
            **plaintext.intervention_text(case, key, intervention),
            "kind": intervention.kind,
            "status": intervention.status,
            "mechanism": intervention.mechanism_id,
            "date_sent": intervention.date_sent,
            "response_due": intervention.response_due,
            "response_received": intervention.response_received,
        }
    form = forms.InterventionForm(request.POST or None, initial=initial, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_save(
                case=case, case_key=key, by=request.user, intervention=intervention, **_intervention_fields(form)
            )
        except services.InterventionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Intervention saved."))
            return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    if intervention is None:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    services.access_log_append(institution=institution, user=request.user, action=AccessAction.VIEW, case=case)
    return staff_render(
        request, "cases/staff_intervention.html", {"case": case, "form": form, "intervention": intervention}
    )
