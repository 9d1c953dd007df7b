from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, REGIONAL, NavEntry, register
from r2dr.roles import ALL_STAFF, Role

register(NavEntry(_("Dashboard"), "reports_national_dashboard", INSTITUTION, frozenset(ALL_STAFF), order=20))
register(NavEntry(_("Reports"), "reports_national_reports", INSTITUTION, frozenset(ALL_STAFF), order=60))
register(
    NavEntry(
        _("Public results page"),
        "reports_results_settings",
        INSTITUTION,
        frozenset({Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}),
        order=85,
    )
)
register(
    NavEntry(
        _("Regional dashboard"),
        "reports_regional_dashboard",
        REGIONAL,
        frozenset({Role.REGIONAL_ADMIN, Role.FACILITATOR}),
        order=10,
    )
)
register(
    NavEntry(
        _("Regional reports"),
        "reports_regional_reports",
        REGIONAL,
        frozenset({Role.REGIONAL_ADMIN, Role.FACILITATOR}),
        order=12,
    )
)
