"""Cases staff record themselves: one page with every field of the public form plus where the case came from."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from cases import forms, intake_flow, selectors, services
from cases.views._common import (
    no_store,
    staff_render,
    unlocked,
)
from r2dr import permissions as scope
from r2dr.roles import Role


def _record_forms(request, institution):
    data = request.POST if request.method == "POST" else None
    steps = [cls(data=data, institution=institution, prefix=cls.step) for cls in forms.STEPS]
    for step in steps:
        step.fields.pop("urgent", None)  # staff set the urgency level itself, in the first section
    who = steps[0].fields
    who["submitter_is_victim"].label = _("Did the affected person tell the institution themselves?")
    who["submitter_is_victim"].initial = "no"
    who["relationship"].label = _("If not, who told the institution (a role, not a name)?")
    return forms.StaffRecordForm(data, prefix="record"), steps


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@sensitive_variables("clear", "private", "private_fields", "steps", "cleaned")
@no_store
@unlocked
def case_record(request, institution_slug, *, private):
    """One page, every field of the public form plus where the case came from; encrypted like a report."""
    institution = request.institution
    if selectors.active_keyring(institution) is None:
        messages.error(request, _("Set up the institution's case keys first."))
        return redirect("cases_keys", institution_slug=institution.slug)
    record, steps = _record_forms(request, institution)
    if request.method == "POST" and record.is_valid() and all(f.is_valid() for f in steps):
        cleaned = {f.step: f.cleaned_data for f in steps}
        clear, private_fields, consents, wording = intake_flow.split_cleaned(cleaned)
        clear.pop("urgent", None)
        clear["urgency"] = record.cleaned_data["urgency"]  # case_submit derives the `urgent` flag from it
        wording = {kind: _("Recorded by staff from the source: %(w)s") % {"w": text} for kind, text in wording.items()}
        case, code = services.case_record(
            institution=institution,
            by=request.user,
            institution_private=private,
            clear=clear,
            private=private_fields,
            consents=consents,
            consent_wording=wording,
            language=translation.get_language() or "en",
            origin=record.cleaned_data["origin"],
            source_kind=record.cleaned_data["source_kind"],
            reliability=record.cleaned_data["reliability"],
            source_description=record.cleaned_data["source_description"],
        )
        return staff_render(request, "cases/staff_recorded.html", {"case": case, "code": code})
    errors = request.method == "POST"
    if errors:
        messages.error(request, _("Some answers need attention: see the messages beside the fields."))
    return staff_render(request, "cases/staff_record.html", {"record": record, "steps": steps, "errors": errors})
