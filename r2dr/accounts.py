import math
import time

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

# Failures on one account before each further attempt has to wait.
LOGIN_FREE_FAILURES = 5
# The wait doubles with every further failure up to this many seconds: about one guess a minute per account.
LOGIN_MAX_DELAY_SECONDS = 60
# An account's failures are forgotten after this long without a new one.
LOGIN_FAILURE_MEMORY_SECONDS = 60 * 60


def login_delay_seconds(failures: int) -> int:
    """Seconds an attempt must wait after the account's last failure, given its failure count."""
    if failures < LOGIN_FREE_FAILURES:
        return 0
    return min(LOGIN_MAX_DELAY_SECONDS, 2 ** (failures - LOGIN_FREE_FAILURES))


def _login_failure_keys(login: str) -> tuple[str, str]:
    # Keyed on the account named in the form, never on the client: behind the proxy (and over Tor) every
    # client shares one address, so an address-keyed limit is a lockout of everyone. The e-mail is stored
    # only as a keyed hash, so the cache does not list who is being attacked.
    digest = salted_hmac("r2dr.login-failures", login.strip().lower()).hexdigest()
    return f"r2dr:login-failures:{digest}", f"r2dr:login-failure-at:{digest}"


class AccountAdapter(DefaultAccountAdapter):
    """Open sign-up exists for trainees only; staff join by invitation."""

    def is_open_for_signup(self, request):
        return True

    def get_client_ip(self, request):
        # No r2dr limit or record uses a client address (see ACCOUNT_RATE_LIMITS); allauth asks for one only
        # when a limit is configured per "ip" or a feature would store it, and either is a bug to fail on.
        raise ImproperlyConfigured("r2dr reads no client address: configure allauth limits per key or user.")

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's "login_failed" consumption, which counts per address as well as per account.
        count_key, at_key = _login_failure_keys(self._login_of(credentials))
        failures = cache.get(count_key, 0)
        delay = login_delay_seconds(failures)
        if not delay:
            return
        # A refused attempt is not checked and not counted, so hammering during the wait does not extend it:
        # the owner who waits gets a password check.
        remaining = math.ceil(cache.get(at_key, 0) + delay - time.time())
        if remaining > 0:
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins for this account. Wait %(seconds)d second and try again.",
                    "Too many failed sign-ins for this account. Wait %(seconds)d seconds and try again.",
                    remaining,
                )
                % {"seconds": remaining},
                code="too_many_login_attempts",
            )

    def authentication_failed(self, request, **credentials):
        count_key, at_key = _login_failure_keys(self._login_of(credentials))
        # add + incr keeps concurrent failures from overwriting each other's count.
        cache.add(count_key, 0, LOGIN_FAILURE_MEMORY_SECONDS)
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, LOGIN_FAILURE_MEMORY_SECONDS)
        cache.touch(count_key, LOGIN_FAILURE_MEMORY_SECONDS)
        cache.set(at_key, time.time(), LOGIN_FAILURE_MEMORY_SECONDS)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # The password is right, so nobody is guessing it: the account starts afresh.
            cache.delete_many(_login_failure_keys(self._login_of(credentials)))
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # allauth calls this after a successful password reset.
        super()._delete_login_attempts_cached_email(request, **credentials)
        cache.delete_many(_login_failure_keys(self._login_of(credentials)))

    @staticmethod
    def _login_of(credentials) -> str:
        return credentials.get("email") or credentials.get("username") or ""
