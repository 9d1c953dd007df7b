"""Merging a duplicate into its main case."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import forms, selectors, services
from cases.views._common import (
    no_store,
    unlocked_case,
)
from r2dr import permissions as scope
from r2dr.roles import Role


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
@unlocked_case(back="cases_detail")
def case_merge(request, institution_slug, *, case, private, key):
    institution = request.institution
    visible = selectors.cases_visible_to(institution, request.user)
    form = forms.MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = visible.filter(reference=form.cleaned_data["into"]).exclude(pk=case.pk).first()
    if into is None:
        messages.error(request, _("Give the reference of another case of this institution that you can see."))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    try:
        copied = services.case_merge(duplicate=case, into=into, by=request.user, institution_private=private)
    except services.MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    messages.success(
        request,
        _("Case %(dup)s was merged into %(main)s: %(n)d source(s) copied; %(dup)s is closed and kept.")
        % {"dup": case.reference, "main": into.reference, "n": copied},
    )
    return redirect("cases_detail", institution_slug=institution.slug, case_id=into.pk)
