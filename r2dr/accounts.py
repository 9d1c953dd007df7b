import datetime
import math
import secrets
import time
import zoneinfo

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from r2dr import challenge
from r2dr.permissions import Access
from r2dr.selectors import user_time_zone_name
from r2dr.workspaces import landing_url

# Failures on one account before each further attempt has to wait.
LOGIN_FREE_FAILURES = 5
# The wait doubles with every further failure up to this many seconds: about one guess a minute per account.
LOGIN_MAX_DELAY_SECONDS = 60
# An account's failures are forgotten after this long without a new one.
LOGIN_FAILURE_MEMORY_SECONDS = 60 * 60
# A browser that completed a sign-in (password and second factor) gets a signed "device cookie" for that
# account (OWASP's defence against lockout by guessing): its attempts are counted apart from everyone
# else's, so a script guessing an officer's password never makes the officer wait on their own browser.
LOGIN_DEVICE_COOKIE = "r2dr_login_device"
LOGIN_DEVICE_DAYS = 30
_DEVICE_SALT = "r2dr.login-device"
LOGIN_CHALLENGE_PURPOSE = "r2dr.login"


def _ask_challenge(request) -> None:
    """Put a fresh challenge on the request for the sign-in page to show (templates/account/login.html)."""
    request.r2dr_login_challenge = challenge.challenge_new(purpose=LOGIN_CHALLENGE_PURPOSE)


def login_delay_seconds(failures: int) -> int:
    """Seconds an attempt must wait after the account's last failure, given its failure count."""
    if failures < LOGIN_FREE_FAILURES:
        return 0
    return min(LOGIN_MAX_DELAY_SECONDS, 2 ** (failures - LOGIN_FREE_FAILURES))


def _account_digest(login: str) -> str:
    # The e-mail is kept only as a keyed hash, so the cache does not list who is being attacked.
    return salted_hmac("r2dr.login-failures", login.strip().lower()).hexdigest()


def _login_failure_keys(request, login: str) -> tuple[str, str]:
    # Keyed on the account named in the form, never on the client: behind the proxy (and over Tor) every
    # client shares one address, so an address-keyed limit is a lockout of everyone.
    digest = _account_digest(login)
    scope = digest
    try:
        cookie_digest, device = signing.loads(
            request.COOKIES.get(LOGIN_DEVICE_COOKIE, ""), salt=_DEVICE_SALT, max_age=LOGIN_DEVICE_DAYS * 86400
        )
    except (signing.BadSignature, ValueError, TypeError):
        pass
    else:
        if cookie_digest == digest:
            scope = f"{digest}:{device}"
    return f"r2dr:login-failures:{scope}", f"r2dr:login-failure-at:{scope}"


class AccountAdapter(DefaultAccountAdapter):
    """Everyone joins by invitation (r2dr.views.invitation_accept): an account made by open sign-up would hold no
    role and reach nothing, since the course, the community and the grants are for institution members too."""

    def is_open_for_signup(self, request):
        return False

    def get_login_redirect_url(self, request):
        # Only when the sign-in carried no safe `next`: allauth checks and prefers that one.
        return landing_url(user=request.user, access=Access(request.user))

    def get_client_ip(self, request):
        # No r2dr limit or record uses a client address (see ACCOUNT_RATE_LIMITS); allauth asks for one only
        # when a limit is configured per "ip" or a feature would store it, and either is a bug to fail on.
        raise ImproperlyConfigured("r2dr reads no client address: configure allauth limits per key or user.")

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's "login_failed" consumption, which counts per address as well as per account.
        count_key, at_key = _login_failure_keys(request, self._login_of(credentials))
        failures = cache.get(count_key, 0)
        if failures < LOGIN_FREE_FAILURES:
            return
        # A refused attempt is not checked and not counted, so hammering during the wait does not extend it:
        # the owner who waits gets a password check.
        remaining = math.ceil(cache.get(at_key, 0) + login_delay_seconds(failures) - time.time())
        if remaining > 0:
            _ask_challenge(request)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins for this account. Wait %(seconds)d second and try again.",
                    "Too many failed sign-ins for this account. Wait %(seconds)d seconds and try again.",
                    remaining,
                )
                % {"seconds": remaining},
                code="too_many_login_attempts",
            )
        # After the wait, each attempt also needs a fresh solved challenge: a script pays for every guess.
        if not challenge.challenge_solved_by_post(post=request.POST, purpose=LOGIN_CHALLENGE_PURPOSE):
            tried = bool(request.POST.get(challenge.FIELD_TICKET))
            _ask_challenge(request)
            raise forms.ValidationError(
                _("The check did not match; here is a new one. Your password was not checked.")
                if tried
                else _("Too many failed sign-ins for this account: answer the check below, then sign in again."),
                code="login_challenge",
            )

    def authentication_failed(self, request, **credentials):
        count_key, at_key = _login_failure_keys(request, self._login_of(credentials))
        # add + incr keeps concurrent failures from overwriting each other's count.
        cache.add(count_key, 0, LOGIN_FAILURE_MEMORY_SECONDS)
        try:
            failures = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            failures = 1
            cache.set(count_key, failures, LOGIN_FAILURE_MEMORY_SECONDS)
        cache.touch(count_key, LOGIN_FAILURE_MEMORY_SECONDS)
        cache.set(at_key, time.time(), LOGIN_FAILURE_MEMORY_SECONDS)
        if failures >= LOGIN_FREE_FAILURES:
            _ask_challenge(request)  # the next attempt needs one: show it now, so nobody is refused for lack of it

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # The password is right, so nobody on this side of the count is guessing it: it starts afresh.
            # Only this browser's count: a sign-in on the officer's own browser gives a script no fresh tries.
            cache.delete_many(_login_failure_keys(request, self._login_of(credentials)))
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # allauth calls this after a successful password reset.
        super()._delete_login_attempts_cached_email(request, **credentials)
        cache.delete_many(_login_failure_keys(request, self._login_of(credentials)))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        response.set_cookie(
            LOGIN_DEVICE_COOKIE,
            signing.dumps([_account_digest(user.email), secrets.token_hex(16)], salt=_DEVICE_SALT),
            max_age=LOGIN_DEVICE_DAYS * 86400,
            path="/accounts/",  # the sign-in pages only
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    @staticmethod
    def _login_of(credentials) -> str:
        return credentials.get("email") or credentials.get("username") or ""


# allauth's limit on second-factor codes: its "login_failed" limit (ACCOUNT_RATE_LIMITS), keyed on the user.
_MFA_LIMIT_APP = "allauth.account"
_MFA_LIMIT_ACTION = "login_failed"


def mfa_retry_at(*, request, user) -> float | None:
    """When allauth will next check a second-factor code of `user` (a Unix time), or None if it would now.

    allauth keeps, per rate, the times of the attempts within its window, newest first; an attempt is allowed
    while fewer than `amount` remain, so it is allowed again when the `amount`-th newest leaves the window."""
    now = time.time()
    retry_at = None
    for rate in allauth_ratelimit.get_rates(app=_MFA_LIMIT_APP, action=_MFA_LIMIT_ACTION):
        key = allauth_ratelimit.get_cache_key(
            request, app=_MFA_LIMIT_APP, action=_MFA_LIMIT_ACTION, rate=rate, key=f"mfa-auth-user-{user.pk}"
        )
        recent = [at for at in cache.get(key, []) if at > now - rate.duration]
        if len(recent) >= rate.amount:
            at = recent[rate.amount - 1] + rate.duration
            retry_at = at if retry_at is None else max(retry_at, at)
    return retry_at


def user_time_zone(user) -> zoneinfo.ZoneInfo:
    """The zone the user chose for themselves; else that of the institutions they work in when they share one;
    else UTC."""
    own = user_time_zone_name(user=user)
    if own:
        return zoneinfo.ZoneInfo(own)
    zones = {m.institution.time_zone for m in user.memberships.select_related("institution") if m.institution_id}
    if len(zones) == 1:
        try:
            return zoneinfo.ZoneInfo(zones.pop())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo("UTC")


def mfa_lockout_message(*, request, user) -> str:
    retry_at = mfa_retry_at(request=request, user=user)
    if retry_at is None:  # the window passed while this request ran
        return _("Too many wrong codes. Try again now.")
    minutes = max(1, math.ceil((retry_at - time.time()) / 60))
    zone = user_time_zone(user)
    local = datetime.datetime.fromtimestamp(math.ceil(retry_at / 60) * 60, tz=zone)
    return ngettext(
        "Too many wrong codes. Try again in %(minutes)d minute, at %(time)s (%(zone)s time).",
        "Too many wrong codes. Try again in %(minutes)d minutes, at %(time)s (%(zone)s time).",
        minutes,
    ) % {"minutes": minutes, "time": local.strftime("%H:%M"), "zone": zone.key}


class _SaysWhenToRetry:
    """allauth refuses codes after repeated wrong ones with "Try again later": say when."""

    user: object

    def clean_code(self):
        try:
            return super().clean_code()  # type: ignore[misc]
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) != "too_many_login_attempts":
                raise
            request = allauth_context.request
            raise forms.ValidationError(
                mfa_lockout_message(request=request, user=self.user), code="too_many_login_attempts"
            ) from exc


class MFAAuthenticateForm(_SaysWhenToRetry, AuthenticateForm):
    pass


class MFAReauthenticateForm(_SaysWhenToRetry, ReauthenticateForm):
    pass
