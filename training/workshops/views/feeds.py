"""Calendar feeds: the page where a facilitator or an institution's booker issues and revokes their feed, and the
feed itself, opened by calendar applications with the token in the query string (the access logs in deploy/
record the path only, so the token never reaches them)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from r2dr import permissions as scope
from r2dr.roles import Role
from training.workshops.invitations import feed_ics
from training.workshops.selectors.feeds import feed_bookings, feed_for_token, working_feed
from training.workshops.services import feeds as services
from training.workshops.services.feeds import BOOKERS


def feed_addresses(token: str) -> dict[str, str]:
    """The feed's https address and its webcal:// twin (what calendar applications subscribe to)."""
    https = f"{settings.R2DR_SITE_URL}{reverse('workshops_calendar_feed')}?{urlencode({'token': token})}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _manage(request, *, institution, back: str):
    token = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user, institution=institution)
        else:
            _feed, token = services.calendar_feed_issue(user=request.user, institution=institution)
    context = {
        # Shown once, in this answer to the POST: only its hash is kept, and no redirect carries it in a URL.
        "addresses": feed_addresses(token) if token else None,
        "feed": working_feed(user=request.user, institution=institution),
        "back": back,
    }
    response = render(request, "workshops/feed.html", context)
    response["Cache-Control"] = "no-store"
    return response


@scope.regional(Role.FACILITATOR)
def facilitator_feed(request):
    return _manage(request, institution=None, back=reverse("workshops_facilitator_bookings"))


@scope.institution(*BOOKERS)
def institution_feed(request, institution_slug):
    return _manage(
        request,
        institution=request.institution,
        back=reverse("workshops_home", kwargs={"institution_slug": request.institution.slug}),
    )


@scope.public
@never_cache
def calendar_feed(request):
    """The feed a token opens; 404 for any other token (unknown, revoked, or its membership ended)."""
    feed = feed_for_token(token=request.GET.get("token", ""))
    if feed is None:
        raise Http404
    if feed.institution is not None:
        name = _("Workshops: %(institution)s") % {
            "institution": feed.institution.tr("short_name") or feed.institution.tr("name")
        }
    else:
        name = _("My workshops")
    response = HttpResponse(feed_ics(feed_bookings(feed=feed), name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="workshops.ics"'
    return response
