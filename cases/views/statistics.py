"""The explicit decision to share an institution's case statistics with the region, one year at a time."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors, services
from cases.views._common import (
    no_store,
)
from r2dr import permissions as scope
from r2dr.roles import Role


@scope.institution(Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN)
@no_store
def statistics_sharing(request, institution_slug):
    """The explicit "share case statistics for this period" decision, one incident year at a time."""
    institution = request.institution
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        if 1900 < year <= timezone.now().year:
            share = request.POST.get("action") != "unshare"
            services.statistics_share(institution=institution, year=year, by=request.user, share=share)
            if share:
                messages.success(
                    request, _("Case statistics for %(year)d are now shared with the region.") % {"year": year}
                )
            else:
                messages.success(request, _("Case statistics for %(year)d are no longer shared.") % {"year": year})
        return redirect("cases_statistics_sharing", institution_slug=institution.slug)
    per_year = selectors.case_statistics(institution=institution, group_by="year")
    shares = {s.year: s for s in selectors.statistics_shares(institution)}
    years = sorted({r["year"] for r in per_year} | set(shares) | {timezone.now().year}, reverse=True)
    counts = {r["year"]: r["count"] for r in per_year}
    return render(
        request,
        "cases/statistics_sharing.html",
        {
            "rows": [{"year": y, "count": counts.get(y), "share": shares.get(y)} for y in years],
            "every_year": selectors.case_settings_get(institution=institution).share_regional_statistics,
        },
    )
