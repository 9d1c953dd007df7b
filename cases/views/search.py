"""Case search from the inbox: by exact reference (keys locked or not), by words when the keys are unlocked.

The query travels in a POST body only, so neither the server's access log, the browser's history nor a Referer
header carries the words an officer looked for."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases import forms, services, unlock
from cases.views._common import no_store, staff_render
from r2dr import permissions as scope
from r2dr.roles import Role


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_search(request, institution_slug):
    institution = request.institution
    form = forms.CaseSearchForm(request.POST or None)
    result = None
    needs_keys = False
    if request.method == "POST" and form.is_valid():
        try:
            result = services.cases_search(
                institution=institution,
                user=request.user,
                query=form.cleaned_data["q"],
                institution_private=unlock.private_key(request, institution),
            )
        except services.SearchNeedsKeys:
            # Only a reference may stay in the box while the keys are locked: the words were not looked up.
            needs_keys = True
            form = forms.CaseSearchForm()
        except services.NoSearchWords:
            form.add_error(
                "q",
                _(
                    "Type a case reference, or at least one word of two letters or more; common words such as "
                    "“and” or “yang” are not searched."
                ),
            )
    return staff_render(request, "cases/staff_search.html", {"form": form, "result": result, "needs_keys": needs_keys})
