from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, REGIONAL, NavEntry, register
from r2dr.roles import ALL_STAFF, Role

register(
    NavEntry(
        _("Workshops"),
        "workshops_home",
        INSTITUTION,
        frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD}),
        order=42,
    )
)
register(NavEntry(_("Workshops"), "workshops_facilitator_bookings", REGIONAL, frozenset({Role.FACILITATOR}), order=42))
register(NavEntry(_("Technical assistance"), "workshops_requests", INSTITUTION, ALL_STAFF, order=43))
register(
    NavEntry(
        _("Technical-assistance requests"),
        "workshops_facilitator_requests",
        REGIONAL,
        frozenset({Role.FACILITATOR}),
        order=43,
    )
)
