from django.utils.translation import gettext_lazy as _

from r2dr.navigation import INSTITUTION, NavEntry, register
from r2dr.roles import Role

register(NavEntry(_("Certificates"), "certificates_mine", INSTITUTION, frozenset({Role.TRAINEE}), order=41))
