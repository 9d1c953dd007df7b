"""The officers' inbox, bulk assignment and saved inbox views."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import forms, selectors, services
from cases.models import (
    SavedInboxView,
)
from cases.views._common import (
    inbox_filters,
    inbox_url,
    no_store,
    staff_render,
)
from r2dr import permissions as scope
from r2dr.roles import Role

INBOX_PAGE = 100


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_list(request, institution_slug):
    institution = request.institution
    officers = list(selectors.case_officers(institution))
    form = forms.InboxFilterForm(request.GET or None, officers=officers)
    cases = selectors.case_inbox(institution=institution, user=request.user, **inbox_filters(request, form))
    page = Paginator(cases, INBOX_PAGE).get_page(request.GET.get("page"))
    current_query = form.query() if form.is_bound and form.is_valid() else ""
    query = request.GET.copy()
    query.pop("page", None)
    # The list shows only clear fields, but who looked at which slice of the caseload is still audited.
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="inbox_viewed",
        object_type="case_list",
        detail=f"{current_query} page={page.number}",
    )
    return staff_render(
        request,
        "cases/staff_list.html",
        {
            "form": form,
            "page": page,
            "cases": page.object_list,
            "query": query.urlencode(),
            "officers": officers,
            "keys_ready": selectors.active_keyring(institution) is not None,
            "open_urgent": selectors.open_urgent_case_count(institution=institution),
            "overdue": selectors.interventions_due(institution=institution, user=request.user),
            "saved_views": selectors.saved_inbox_views(institution, request.user),
            "save_form": forms.SavedViewForm(initial={"query": current_query}),
            "current_query": current_query,
            "search_form": forms.CaseSearchForm(),
        },
    )


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_assign(request, institution_slug):
    institution = request.institution
    officers = list(selectors.case_officers(institution))
    ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit() and int(v) <= forms.MAX_PK]
    form = forms.AssignForm(request.POST, officers=officers, case_ids=ids)
    if form.is_valid() and form.cleaned_data["cases"]:
        chosen = form.cleaned_data["officer"]
        officer = None if chosen == "none" else next(u for u in officers if str(u.pk) == chosen)
        n = services.cases_assign(
            institution=institution, case_ids=form.cleaned_data["cases"], officer=officer, by=request.user
        )
        messages.success(request, _("%(n)d case(s) assigned.") % {"n": n})
    else:
        messages.error(request, _("Tick at least one case and choose an officer."))
    url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    back = request.POST.get("next", "")
    if back.startswith("?"):
        url += back
    return redirect(url)


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def saved_view_save(request, institution_slug):
    """Save the inbox's current filters under a name (the filters are validated again, never stored raw)."""
    institution = request.institution
    form = forms.SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name (80 characters at most)."))
        return redirect(inbox_url(institution, request.POST.get("query", "")[:600]))
    filters = forms.InboxFilterForm(
        QueryDict(form.cleaned_data["query"]), officers=selectors.case_officers(institution)
    )
    if not filters.is_valid():
        messages.error(request, _("These filters are not valid any more; correct them and save again."))
        return redirect(inbox_url(institution))
    query = filters.query()
    services.saved_inbox_view_save(
        institution=institution,
        user=request.user,
        name=form.cleaned_data["name"],
        query=query,
        shared=form.cleaned_data["shared"],
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": form.cleaned_data["name"].strip()})
    return redirect(inbox_url(institution, query))


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def saved_view_delete(request, institution_slug, saved_view_id):
    """Officers delete their own views (a shared view belongs to whoever saved it)."""
    institution = request.institution
    view = get_object_or_404(
        SavedInboxView.objects.for_institution(institution).filter(user=request.user), pk=saved_view_id
    )
    name = view.name
    services.saved_inbox_view_delete(view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect(inbox_url(institution))
