from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from r2dr.cache import cache_degraded
from r2dr.navigation import items_for


def navigation(request):
    access = getattr(request, "access", None)
    institution = getattr(request, "institution", None)
    return {
        "nav_items": items_for(request, access, institution) if access is not None else [],
        "current_institution": institution,
        "site_name": _("r2dr · Right to Defend Rights"),
        "home_url": reverse("home"),
        # Signed-in users only: a defender on the public pages is never told about the platform's internals.
        "reduced_service": request.user.is_authenticated and cache_degraded() if hasattr(request, "user") else False,
    }
