from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from r2dr.navigation import items_for


def navigation(request):
    access = getattr(request, "access", None)
    institution = getattr(request, "institution", None)
    return {
        "nav_items": items_for(request, access, institution) if access is not None else [],
        "current_institution": institution,
        "site_name": _("r2dr · Right to Defend Rights"),
        "home_url": reverse("home"),
        "R2DR_PLATFORM_HOST": settings.R2DR_PLATFORM_HOST,
    }
