from allauth.mfa.models import Authenticator
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from r2dr import languages
from r2dr.permissions import Access
from r2dr.roles import MFA_REQUIRED_ROLES


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class OfferedLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, choosing only among the offered languages (`r2dr.languages`): a cookie or an
    Accept-Language naming a language that is not offered falls through to the next one, then to English."""

    def process_request(self, request):
        translation.activate(languages.language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_for(user, access) -> bool:
    if user.is_superuser:
        return True
    return bool(access.all_roles & MFA_REQUIRED_ROLES)


class MFARequiredMiddleware:
    """Staff who can see cases (and superusers) must enrol TOTP before anything else.

    Once enrolled, allauth asks for the code at every login; until then the
    only pages they can reach are the enrolment and account pages.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz/", "/readyz/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES):
            access = getattr(request, "access", None) or Access(user)
            request.access = access
            if mfa_required_for(user, access) and not user_has_totp(user):
                return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)
