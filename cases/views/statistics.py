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
    """What the region may count of this institution's cases, and the decisions behind it: either every year (a
    standing decision that covers years to come) or the years chosen one by one. The page says which, once."""
    institution = request.institution
    if request.method == "POST":
        action = request.POST.get("action", "share")
        if action in ("share_every_year", "stop_every_year"):
            every_year = action == "share_every_year"
            services.statistics_share_every_year(institution=institution, by=request.user, share=every_year)
            messages.success(
                request,
                _("The case statistics of every year are now shared with the region.")
                if every_year
                else _("Every-year sharing stopped: only the years marked “Shared” stay shared."),
            )
            return redirect("cases_statistics_sharing", institution_slug=institution.slug)
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        if 1900 < year <= timezone.now().year:
            share = action != "unshare"
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
    # A year with no counted case has no row (0); a withheld cell has count None.
    counts = {r["year"]: r["count"] for r in per_year}
    every_year = selectors.case_settings_get(institution=institution).share_regional_statistics
    rows = [
        {"year": y, "count": counts.get(y, 0), "withheld": y in counts and counts[y] is None, "share": shares.get(y)}
        for y in years
    ]
    return render(
        request,
        "cases/statistics_sharing.html",
        {
            "rows": rows,
            "any_withheld": any(r["withheld"] for r in rows),
            "every_year": every_year,
            "years_chosen": sorted(shares),
        },
    )
