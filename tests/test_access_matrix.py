"""The access matrix: every URL x every role of institution A x B's objects.

For every registered URL pattern the test builds arguments pointing at
institution B's objects (tests/url_args.py and tests/<app>/url_args.py) and
requests it, GET and POST, as anonymous, as each institution role of A and as
each regional role. Requests for another institution's pages must be refused
(403/404, or a redirect to sign-in for anonymous visitors) and no response may
contain B's sentinel. A positive control checks that a member of B with an
allowed role does get the page, so a refused request proves the guard, not a
broken URL. A URL whose view declares no scope, or whose arguments the
registry cannot build, fails the test.
"""

import importlib
import pathlib
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from r2dr.permissions import INSTITUTION, PUBLIC, REGIONAL, SUPERUSER, scope_of
from r2dr.roles import INSTITUTION_ROLES, REGIONAL_ROLES, Role
from tests import url_args
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, enrol_totp

for path in sorted(pathlib.Path(__file__).parent.glob("*/url_args.py")):
    importlib.import_module(f"tests.{path.parent.name}.url_args")

SENTINEL = "SENTINELB7Q"
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def _route_text(pattern) -> str:
    return str(pattern.pattern)


def iter_patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + _route_text(entry)
        if isinstance(entry, URLResolver):
            yield from iter_patterns(entry, text, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            entry.r2dr_namespace = namespace
            yield text, entry


def _id(item):
    text, entry = item
    return f"{entry.name or 'unnamed'}:{text}"


ALL_PATTERNS = list(iter_patterns())
# Static file serving exists only with DEBUG and is not an application view.
ALL_PATTERNS = [p for p in ALL_PATTERNS if not p[0].startswith("^static/")]


def arg_names(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)] + [m.group("name") for m in REGEX_GROUP.finditer(route)]


def build_path(route: str, world: url_args.World) -> str:
    missing = [n for n in arg_names(route) if n not in url_args.FACTORIES]
    if missing:
        pytest.fail(f"No URL-argument factory for {missing} in {route!r}: register one in tests/<app>/url_args.py")
    values = {n: world.once(f"arg:{n}", lambda n=n: url_args.FACTORIES[n](world)) for n in arg_names(route)}
    path = PARAM.sub(lambda m: str(values[m.group("name")]), route)
    path = REGEX_GROUP.sub(lambda m: str(values[m.group("name")]), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    return "/" + path


def make_user(email, institution, role):
    user = UserFactory(username=email)
    MembershipFactory(user=user, institution=None if role in REGIONAL_ROLES else institution, role=role)
    enrol_totp(user)
    return user


OUTSIDER_ROLES = sorted(INSTITUTION_ROLES | {Role.TRAINEE}) + sorted(REGIONAL_ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("item", ALL_PATTERNS, ids=[_id(p) for p in ALL_PATTERNS])
def test_access_matrix(item, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    route, entry = item
    scope = scope_of(entry.callback, entry.r2dr_namespace)
    assert scope is not None, f"View for {route!r} declares no scope (use r2dr.permissions decorators)"

    a = InstitutionFactory(slug="matrix-a", name="Matrix A")
    b = InstitutionFactory(slug="matrix-b", name="Matrix B")
    world = url_args.World(a=a, b=b, sentinel=SENTINEL)
    path = build_path(route, world)

    def check(response, who, method):
        body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        assert SENTINEL not in body, f"{method} {path} as {who}: B's data leaked"
        assert response.status_code < 500, f"{method} {path} as {who}: server error {response.status_code}"
        if scope.kind in (INSTITUTION, REGIONAL, SUPERUSER):
            if who == "anonymous":
                allowed = {302, 403, 404, 405}
            else:
                allowed = {403, 404, 405}
            if scope.kind == REGIONAL and who in REGIONAL_ROLES and (scope.roles & {who}):
                return  # a regional role this view is meant for
            assert response.status_code in allowed, f"{method} {path} as {who}: {response.status_code}"
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], f"{method} {path} as {who}: redirect elsewhere"

    for method in ("get", "post"):
        client.logout()
        check(getattr(client, method)(path), "anonymous", method.upper())
    for role in OUTSIDER_ROLES:
        user = make_user(f"{role}@matrix-a.example", a, role)
        client.force_login(user)
        for method in ("get", "post"):
            check(getattr(client, method)(path), role, method.upper())
        client.logout()

    if scope.kind == INSTITUTION:
        # Positive control: a member of B with an allowed role gets the page.
        role = sorted(scope.roles)[0] if scope.roles else Role.DATA_OFFICER
        insider = make_user(f"insider-{role}@matrix-b.example", b, role)
        client.force_login(insider)
        response = client.get(path)
        assert response.status_code in (200, 302, 405), (
            f"GET {path} as B's {role}: {response.status_code}; the URL factories do not build a valid URL"
        )
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            assert_csp_clean(path, response.content.decode())


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EXTERNAL = re.compile(r"""(?:src|href|action)=["']https?://""", re.I)


def assert_csp_clean(path, body):
    """Pages must work under the strict CSP: no inline script or style, nothing from another host."""
    assert not INLINE_SCRIPT.search(body), f"{path}: inline <script>"
    assert ' style="' not in body, f"{path}: inline style attribute"
    external = [m.group(0) for m in EXTERNAL.finditer(body)]
    assert not [e for e in external if not e.lower().startswith("href")], f"{path}: loads from another host: {external}"


def test_every_url_has_a_declared_scope():
    undeclared = [route for route, entry in ALL_PATTERNS if scope_of(entry.callback, entry.r2dr_namespace) is None]
    assert not undeclared, f"views without a scope: {undeclared}"


def test_matrix_covers_institution_urls():
    kinds = {
        scope_of(entry.callback, entry.r2dr_namespace).kind
        for _r, entry in ALL_PATTERNS
        if scope_of(entry.callback, entry.r2dr_namespace)
    }
    assert {PUBLIC, INSTITUTION, REGIONAL, SUPERUSER} <= kinds
