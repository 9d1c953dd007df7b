"""The one permission layer: every view declares its scope, checked here.

A view is decorated with exactly one of `public`, `authenticated`,
`institution(*roles)`, `regional(*roles)` or `superuser`. `ScopeMiddleware`
resolves the tenant from the `institution_slug` URL argument once per request,
loads the user's memberships once, and refuses the request before the view runs
when the scope is not met. A view without a declared scope is refused (fail
closed), and the access-matrix test fails on it.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from r2dr.models import Institution
from r2dr.roles import REGIONAL_ROLES, Role
from r2dr.sessions import TIME_ZONE_KEY

logger = logging.getLogger(__name__)

PUBLIC = "public"
AUTHENTICATED = "authenticated"
INSTITUTION = "institution"
REGIONAL = "regional"
SUPERUSER = "superuser"


@dataclass(frozen=True)
class Scope:
    kind: str
    roles: frozenset = field(default_factory=frozenset)
    # A regional view that shows institutions' own rows to the roles it admits (facilitators read every learner
    # of their cohorts): the access matrix lets those roles see and change B's rows, and still checks the rest.
    tenant_data: bool = False

    def allows_roles(self, held: set[str]) -> bool:
        if not self.roles:
            return bool(held)
        return bool(self.roles & held)


def _declare(scope: Scope):
    def decorator(view):
        view.r2dr_scope = scope
        return view

    return decorator


public = _declare(Scope(PUBLIC))
authenticated = _declare(Scope(AUTHENTICATED))
superuser = _declare(Scope(SUPERUSER))


def institution(*roles: str):
    """Members of the URL's institution holding one of `roles` (any role if none)."""
    return _declare(Scope(INSTITUTION, frozenset(roles)))


def regional(*roles: str, tenant_data: bool = False):
    """Holders of a regional role (any regional role if none given). `tenant_data`: the view reads institutions'
    own rows (through explicit regional selectors), which the roles it admits are entitled to."""
    return _declare(Scope(REGIONAL, frozenset(roles) or frozenset(REGIONAL_ROLES), tenant_data))


def scope_of(view_func, namespace: str | None = None) -> Scope | None:
    """The declared scope of a resolved URL callback, or None.

    Views r2dr does not define get theirs from settings: by URL namespace
    (the whole Django admin is superuser-only) or by module (allauth).
    """
    for candidate in (
        view_func,
        getattr(view_func, "view_class", None),
        getattr(view_func, "cls", None),
        getattr(view_func, "__wrapped__", None),
    ):
        scope = getattr(candidate, "r2dr_scope", None)
        if scope is not None:
            return scope
    if namespace:
        kind = settings.R2DR_EXTERNAL_NAMESPACE_SCOPES.get(namespace.split(":")[0])
        if kind:
            return Scope(kind)
    module = getattr(view_func, "__module__", "") or ""
    for prefix, kind in settings.R2DR_EXTERNAL_VIEW_SCOPES.items():
        if module.startswith(prefix):
            return Scope(kind)
    return None


class Access:
    """What the current user may do, computed once per request."""

    def __init__(self, user):
        self.user = user
        self._memberships = None

    @property
    def memberships(self):
        if self._memberships is None:
            if self.user.is_authenticated:
                self._memberships = list(self.user.memberships.select_related("institution"))
            else:
                self._memberships = []
        return self._memberships

    def roles_in(self, institution) -> set[str]:
        if institution is None:
            return set()
        return {m.role for m in self.memberships if m.institution_id == institution.pk}

    @property
    def regional_roles(self) -> set[str]:
        return {m.role for m in self.memberships if m.institution_id is None}

    @property
    def all_roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def institutions(self):
        seen = {}
        for m in self.memberships:
            if m.institution_id and m.institution.is_active:
                seen.setdefault(m.institution_id, m.institution)
        return sorted(seen.values(), key=lambda i: i.name)

    def has(self, institution, *roles: str) -> bool:
        held = self.roles_in(institution)
        return bool(held & set(roles)) if roles else bool(held)

    def is_regional(self, *roles: str) -> bool:
        held = self.regional_roles
        return bool(held & set(roles)) if roles else bool(held)


def resolve_institution(slug: str):
    try:
        return Institution.objects.get(slug=slug, is_active=True)
    except Institution.DoesNotExist as exc:
        raise Http404 from exc


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # MFARequiredMiddleware (earlier in the chain) may have built it already: load memberships once.
        if getattr(request, "access", None) is None:
            request.access = Access(request.user)
        request.institution = None
        request.roles = set()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        scope = scope_of(view_func, match.namespace if match else None)
        if scope is None:
            logger.error("View %s declares no scope; refused", getattr(view_func, "__qualname__", view_func))
            raise PermissionDenied
        slug = view_kwargs.get("institution_slug")
        if slug is not None:
            request.institution = resolve_institution(slug)
            try:
                timezone.activate(zoneinfo.ZoneInfo(request.institution.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        own = request.session.get(TIME_ZONE_KEY) if hasattr(request, "session") else None
        if own:  # a person who chose their own zone sees every time in it (the label names it)
            try:
                timezone.activate(zoneinfo.ZoneInfo(own))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        if scope.kind == PUBLIC:
            if request.institution is not None and request.institution.is_practice:
                raise Http404  # a practice institution has no public face: no report form, results or follow-up
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if scope.kind == AUTHENTICATED:
            return None
        if scope.kind == SUPERUSER:
            if not user.is_superuser:
                raise Http404
            return None
        if scope.kind == INSTITUTION:
            if request.institution is None:
                raise PermissionDenied
            held = request.access.roles_in(request.institution)
            if not scope.allows_roles(held):
                request.institution = None  # the error page must not show whose page it was
                raise PermissionDenied
            request.roles = held
            return None
        if scope.kind == REGIONAL:
            if not (scope.roles & request.access.regional_roles):
                raise PermissionDenied
            request.roles = request.access.regional_roles
            return None
        raise PermissionDenied


def require_roles(request, *roles: str) -> None:
    """For views whose actions need more than the scope: e.g. a POST only heads may make."""
    if request.institution is not None:
        held = request.access.roles_in(request.institution)
    else:
        held = request.access.regional_roles
    if not held & set(roles):
        raise PermissionDenied


__all__ = [
    "Access",
    "Role",
    "Scope",
    "authenticated",
    "institution",
    "public",
    "regional",
    "require_roles",
    "scope_of",
    "superuser",
]
