from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from r2dr.cache import cache_degraded
from r2dr.navigation import items_for
from r2dr.notifications.selectors import notifications_unread_count


def navigation(request):
    access = getattr(request, "access", None)
    institution = getattr(request, "institution", None)
    user = getattr(request, "user", None)
    member_here = (
        institution is not None and user is not None and user.is_authenticated and bool(getattr(request, "roles", None))
    )
    return {
        "nav_items": items_for(request, access, institution) if access is not None else [],
        # The header's link and count, on pages of an institution the person belongs to; the count is a callable,
        # so it is asked only by a page that shows it.
        "notifications_url": reverse("notifications_list", kwargs={"institution_slug": institution.slug})
        if member_here
        else None,
        "notifications_unread": partial(notifications_unread_count, institution=institution, recipient=user)
        if member_here
        else 0,
        "current_institution": institution,
        "site_name": _("r2dr · Right to Defend Rights"),
        "home_url": reverse("home"),
        # Signed-in users only: a defender on the public pages is never told about the platform's internals.
        "reduced_service": request.user.is_authenticated and cache_degraded() if hasattr(request, "user") else False,
        "R2DR_PLATFORM_HOST": settings.R2DR_PLATFORM_HOST,
    }
