"""Signed-in sessions end: an absolute lifetime from sign-in, and an idle timeout.

Django's own expiry (SESSION_COOKIE_AGE) restarts whenever the session is
saved, and staff pages save it on nearly every request (unlocking a case key,
messages), so a busy session never expired. The sign-in time is written into
the session by the `user_logged_in` signal (every path into a session, allauth,
admin and the test client, goes through `django.contrib.auth.login`), and
`SessionLifetimeMiddleware` signs the user out past either limit.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

from r2dr.selectors import user_time_zone_name

STARTED_KEY = "r2dr_session_started"
# The zone the person chose for their times (r2dr.models.UserSettings), carried by the session so that showing
# it costs no query per request; written at sign-in and whenever they change it.
TIME_ZONE_KEY = "r2dr_time_zone"
SEEN_KEY = "r2dr_session_seen"
# The last-seen time is rewritten at most this often, so an idle timeout does not cost a session write per request.
SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="r2dr.sessions.stamp_session_start")
def stamp_session_start(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now
    request.session[TIME_ZONE_KEY] = user_time_zone_name(user=user)


def session_expired(session, *, now: float) -> bool:
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    # A signed-in session without a start time predates this check or was forged: it gets no grace.
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    if now - started > settings.R2DR_SESSION_MAX_HOURS * 3600:
        return True
    return now - seen > settings.R2DR_SESSION_IDLE_MINUTES * 60


class SessionLifetimeMiddleware:
    """Signs out a session past its absolute lifetime or its idle timeout; the request then goes on anonymous,
    so the permission layer answers it as it answers any visitor (a redirect to sign in, or 403 on the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if session_expired(request.session, now=now):
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
            elif now - request.session[SEEN_KEY] >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN_KEY] = int(now)
        return self.get_response(request)
