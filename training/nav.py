from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, REGIONAL, NavEntry, register
from r2dr.roles import Role

register(
    NavEntry(_("Training"), "training_home", INSTITUTION, frozenset({Role.TRAINEE, Role.INSTITUTION_ADMIN}), order=40)
)
register(NavEntry(_("Training"), "training_cohorts", REGIONAL, frozenset({Role.FACILITATOR}), order=40))
