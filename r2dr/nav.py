from django.utils.translation import gettext_lazy as _

from r2dr.navigation import AUTHENTICATED, INSTITUTION, REGIONAL, SUPERUSER, NavEntry, register
from r2dr.roles import Role

register(NavEntry(_("Institution home"), "institution_home", INSTITUTION, order=1))
register(NavEntry(_("Members"), "institution_members", INSTITUTION, frozenset({Role.INSTITUTION_ADMIN}), order=90))
register(NavEntry(_("Settings"), "institution_settings", INSTITUTION, frozenset({Role.INSTITUTION_ADMIN}), order=91))
register(NavEntry(_("Regional overview"), "regional_home", REGIONAL, order=5))
register(NavEntry(_("My account"), "my_account", AUTHENTICATED, order=99))
register(NavEntry(_("Site administration"), "admin:index", SUPERUSER, order=98))
