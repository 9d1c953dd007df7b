from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, PUBLIC, REGIONAL, NavEntry, register
from r2dr.roles import INDICATOR_STAFF, Role

register(NavEntry(_("My work"), "indicators_my_work", INSTITUTION, frozenset(INDICATOR_STAFF), order=10))
register(NavEntry(_("Monitoring cycles"), "indicators_cycles", INSTITUTION, frozenset(INDICATOR_STAFF), order=11))
register(NavEntry(_("R2DR framework"), "indicators_framework", PUBLIC, order=60))
register(NavEntry(_("Indicators by institution"), "indicators_regional", REGIONAL, order=20))
register(
    NavEntry(
        _("Framework versions"), "indicators_framework_admin", REGIONAL, frozenset({Role.REGIONAL_ADMIN}), order=21
    )
)
register(NavEntry(_("Monitoring rounds"), "indicators_rounds", REGIONAL, frozenset({Role.REGIONAL_ADMIN}), order=22))
