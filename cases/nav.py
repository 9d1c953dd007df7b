from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, PUBLIC, REGIONAL, NavEntry, register
from r2dr.roles import Role

register(NavEntry(_("Report a violation"), "cases_report_choose", PUBLIC, order=20))
register(NavEntry(_("Cases"), "cases_list", INSTITUTION, frozenset({Role.CASE_OFFICER}), order=30))
register(
    NavEntry(_("Case keys"), "cases_keys", INSTITUTION, frozenset({Role.CASE_OFFICER, Role.INSTITUTION_HEAD}), order=31)
)
register(
    NavEntry(
        _("Protection directory"),
        "cases_directory",
        INSTITUTION,
        frozenset({Role.CASE_OFFICER, Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD}),
        order=32,
    )
)
# Those who decide what the region may count (cases.views.statistics.statistics_sharing).
register(
    NavEntry(
        _("Sharing with the region"),
        "cases_statistics_sharing",
        INSTITUTION,
        frozenset({Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}),
        order=33,
    )
)
register(NavEntry(_("Case taxonomies"), "cases_taxonomy_index", REGIONAL, frozenset({Role.REGIONAL_ADMIN}), order=30))
