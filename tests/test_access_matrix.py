"""The access matrix: every URL x every role x another institution's objects.

For every registered URL pattern the matrix builds arguments pointing at institution B's objects
(tests/url_args.py and tests/<app>/url_args.py) and asks:

- B's own URL (`/<B>/.../<B's id>/`) as anonymous, as each role of A and as each regional role: GET, POST with a
  body, `HX-Request` GET, and PUT/PATCH/DELETE on API routes. The permission layer must refuse (403/404/405, or a
  redirect to sign-in for anonymous visitors).
- A's own URL carrying B's ids (`/<A>/.../<B's id>/`), as each role of A the view admits (case officers and the
  institution head with their own grant of the key, unlocked, so the request reaches the view's object lookup past
  the unlock step; B's case is escalated, so only the tenant check keeps it from A's head): GET, GET with a query
  string and POST with bodies that carry B's ids in the fields the view reads (its forms' fields and the names it
  reads from `request.POST`/`GET`/`data`), `HX-Request` variants, and PUT/PATCH/DELETE with a JSON body on API
  routes. A view that answers 2xx to a GET naming B's object, or that changes any of B's rows, fails.

No response (content, streamed content, file response, headers) may contain B's sentinel, none may be a server
error, and no request of A's may change a row of B. A positive control checks that a member of B with an allowed
role does get the page, and another that every role reaches a page of its own institution (not a redirect to the
unlock page), so a refused request proves the guard, not a broken URL.

The checking logic is `route_violations`: it runs one route's requests in-process and returns what went wrong,
so tests/mutations/ can show that the matrix fails when a guard is patched out.
"""

import importlib
import inspect
import itertools
import json
import pathlib
import re
import sys
from urllib.parse import urlencode

import pytest
from django import forms as django_forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from cases import services as case_services
from r2dr.models import Institution
from r2dr.permissions import INSTITUTION, PUBLIC, REGIONAL, SUPERUSER, scope_of
from r2dr.roles import INSTITUTION_ROLES, REGIONAL_ROLES, Role
from r2dr.tenancy import scopes_disabled
from tests import url_args
from tests.cases.url_args import b_keyholder
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, enrol_totp

for _path in sorted(pathlib.Path(__file__).parent.glob("*/url_args.py")):
    importlib.import_module(f"tests.{_path.parent.name}.url_args")

SENTINEL = "SENTINELB7Q"
PASSPHRASE_A = "matrix passphrase of a"
FAST = {
    "R2DR_KDF_OPSLIMIT": 1,
    "R2DR_KDF_MEMLIMIT": 8192 * 8,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}
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


def patterns_named(*names: str) -> list:
    """The matrix items of these URL names (for the mutation tests' representative subsets)."""
    found = [p for p in ALL_PATTERNS if p[1].name in names]
    assert {p[1].name for p in found} == set(names), f"unknown URL names among {names}"
    return found


def arg_names(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)] + [m.group("name") for m in REGEX_GROUP.finditer(route)]


class MissingFactory(Exception):
    pass


def build_path(route: str, world: url_args.World, **override) -> str:
    missing = [n for n in arg_names(route) if n not in url_args.FACTORIES]
    if missing:
        raise MissingFactory(
            f"No URL-argument factory for {missing} in {route!r}: register one in tests/<app>/url_args.py"
        )
    values = {n: world.once(f"arg:{n}", lambda n=n: url_args.FACTORIES[n](world)) for n in arg_names(route)}
    values.update(override)
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


# --- the fields a view reads, filled with B's ids ------------------------------------------------------------

READS = re.compile(r"""request\.(?:POST|GET|data|query_params)(?:\.get|\.getlist)?\s*[(\[]\s*["']([\w-]+)["']""")
FORM_REF = re.compile(r"\b(?:(\w+)\.)?(\w+Form)\b")
PEOPLE = re.compile(r"officer|user|member|assign|colleague|holder|person")
# Which of B's objects an id-like field name points at; a bare id-like name means a case.
ID_KINDS = [
    (re.compile(r"attachment"), "attachment_id"),
    (re.compile(r"mechanism"), "mechanism_id"),
    (re.compile(r"intervention"), "intervention_id"),
    (re.compile(r"grant"), "grant_id"),
    (re.compile(r"saved_view|^view"), "saved_view_id"),
    (re.compile(r"cycle"), "cycle_id"),
    (re.compile(r"^values?$|value_id"), "value_id"),
    (re.compile(r"source"), "source_id"),
    (re.compile(r"^runs?$|run_id"), "run_id"),
    (re.compile(r"membership"), "membership_id"),
    (re.compile(r"invitation"), "invitation_id"),
    (re.compile(r"notification"), "notification_id"),
    (re.compile(r"case|duplicate|merge|into|other|target|primary|_ids?$|^ids?$|^pk$"), "case_id"),
]


def _view_code(callback):
    """(source text, module globals) of the view behind a URL callback, decorators unwrapped."""
    target = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or inspect.unwrap(callback)
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return "", {}
    module = sys.modules.get(getattr(target, "__module__", ""), None)
    return source, vars(module) if module else {}


def fields_read_by(callback) -> dict:
    """{field name: form field or None} for the names the view reads and the fields of the forms it names."""
    source, names = _view_code(callback)
    fields: dict = {name: None for name in READS.findall(source)}
    for prefix, name in FORM_REF.findall(source):
        holder = names.get(prefix) if prefix else None
        form = getattr(holder, name, None) if prefix else names.get(name)
        if isinstance(form, type) and issubclass(form, django_forms.BaseForm):
            for field_name, field in form.base_fields.items():
                fields.setdefault(field_name, field)
    return fields


def _b_id(world, kind):
    return world.once(f"arg:{kind}", lambda: url_args.FACTORIES[kind](world))


def _b_person(world):
    return b_keyholder(world).pk


def _model_value(world, model):
    """B's row of a ModelChoiceField's model, or (for shared vocabularies) any row, so the form can validate."""
    with scopes_disabled():
        if model is get_user_model():
            return _b_person(world)
        if any(f.name == "institution" for f in model._meta.concrete_fields):
            row = model._base_manager.filter(institution=world.b).first()
            if row is None:
                return _b_id(world, "case_id")
            return row.pk
        row = model._base_manager.first()
        return row.pk if row else 1


def _value(name, field, world, me, people_are_a):
    if PEOPLE.search(name):
        return me.pk if people_are_a else _b_person(world)
    if isinstance(field, django_forms.ModelChoiceField) and field.queryset is not None:
        return _model_value(world, field.queryset.model)
    if name == "institution":
        return world.b.slug
    for pattern, kind in ID_KINDS:
        if pattern.search(name):
            return _b_id(world, kind)
    if isinstance(field, django_forms.BooleanField):
        return "on"
    if isinstance(field, django_forms.ModelChoiceField):  # its queryset is set per request: B's case, by default
        return _b_id(world, "case_id")
    if isinstance(field, django_forms.ChoiceField):
        choices = [str(v) for v, _label in getattr(field, "choices", []) if v not in ("", None)]
        return choices[0] if choices else "1"
    if isinstance(field, django_forms.DateTimeField):
        return "2026-01-15 10:00"
    if isinstance(field, django_forms.DateField):
        return "2026-01-15"
    if isinstance(field, (django_forms.IntegerField, django_forms.DecimalField, django_forms.FloatField)):
        return "1"
    if isinstance(field, django_forms.FileField):
        return None
    return "matrix"


def bodies_for(callback, world, me) -> list[dict]:
    """Two bodies: every id-like field B's (people too), and B's objects with A's people (so a form that only
    accepts A's officers still validates and the view reaches its lookup of B's objects)."""
    fields = fields_read_by(callback)
    if not fields:
        return [{"case": _b_id(world, "case_id"), "id": _b_id(world, "case_id")}]
    out = []
    for people_are_a in (False, True):
        body = {}
        for name, field in fields.items():
            value = _value(name, field, world, me, people_are_a)
            if value is not None:
                body[name] = value
        out.append(body)
    return out


# --- what counts as a violation ------------------------------------------------------------------------------


def response_text(response) -> str:
    """Everything a response carries: headers, and its content, streamed or file content read fully."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + content.decode(errors="replace")


def b_state(b) -> dict:
    """Every row of B (tenant rows, B's institution row, B's members' accounts), to spot a change by A."""
    state = {}
    with scopes_disabled():
        for model in apps.get_models():
            columns = [f.attname for f in model._meta.concrete_fields]
            for fk in model._meta.concrete_fields:
                if fk.is_relation and fk.related_model is Institution:
                    rows = model._base_manager.filter(**{fk.attname: b.pk}).order_by("pk").values_list(*columns)
                    state[f"{model._meta.label}.{fk.name}"] = list(rows)
        state["institution"] = list(Institution.objects.filter(pk=b.pk).values_list())
        User = get_user_model()
        state["users"] = list(
            User.objects.filter(memberships__institution=b)
            .order_by("pk")
            .values_list("pk", "username", "email", "password", "is_active", "is_superuser")
        )
    return state


OWNED = url_args.OWNED_BY_B
_RUNS = itertools.count(1)


def route_violations(route, entry, client) -> list[str]:
    """Run the matrix's requests for one route in-process; return every violation found (empty: the route holds)."""
    scope = scope_of(entry.callback, entry.r2dr_namespace)
    if scope is None:
        return [f"View for {route!r} declares no scope (use r2dr.permissions decorators)"]
    with override_settings(**FAST):
        return _Route(route, entry, scope, client).run()


class _Route:
    def __init__(self, route, entry, scope, client):
        self.route, self.entry, self.scope, self.client = route, entry, scope, client
        self.violations: list[str] = []
        self.is_api = route.startswith("api/")

    def run(self) -> list[str]:
        # Fresh institutions on every call, so one test can run several routes (the mutation tests do).
        run = next(_RUNS)
        a = InstitutionFactory(slug=f"matrix-a{run}", name=f"Matrix A{run}")
        b = InstitutionFactory(slug=f"matrix-b{run}", name=f"Matrix B{run}")
        self.world = world = url_args.World(a=a, b=b, sentinel=SENTINEL)
        try:
            path_b = build_path(self.route, world)
        except MissingFactory as exc:
            return [str(exc)]
        args = arg_names(self.route)
        path_a = build_path(self.route, world, institution_slug=a.slug) if "institution_slug" in args else None
        self.names_b_object = bool(OWNED & set(args))
        # B's objects the bodies name are built now, before B's rows are taken down for comparison.
        bodies_for(self.entry.callback, world, self.a_member(Role.DATA_OFFICER))
        before = b_state(b)
        self.ask_as_outsiders(path_b)
        if path_a is not None:
            self.ask_own_url_with_b_ids(path_a)
        after = b_state(b)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed:
            self.violations.append(f"{self.route}: requests by A's members or anonymous changed B's rows: {changed}")
        self.ask_as_entitled(path_b)
        if self.scope.kind == INSTITUTION:
            self.insider_control(path_b)
        return self.violations

    # One request; every response is searched for the sentinel and must not be a server error.
    def ask(self, who, method, path, *, data=None, query=None, hx=False, json_body=False, entitled=False):
        kwargs = {}
        if hx:
            kwargs["headers"] = {"HX-Request": "true"}
        if query:
            path = f"{path}?{urlencode(query, doseq=True)}"
        label = f"{method.upper()}{' (htmx)' if hx else ''} {path} as {who}"
        if data is not None:
            if json_body:
                kwargs.update(data=json.dumps(data), content_type="application/json")
            else:
                kwargs["data"] = data
        try:
            response = getattr(self.client, method)(path, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a view that raises is a server error, reported with the rest
            self.violations.append(f"{label}: raised {type(exc).__name__}: {exc}"[:400])
            return None
        if not entitled and SENTINEL in response_text(response):
            self.violations.append(f"{label}: B's data leaked")
        if response.status_code >= 500:
            self.violations.append(f"{label}: server error {response.status_code}")
        return response

    def expect_refused(self, response, who, label):
        if response is None or self.scope.kind not in (INSTITUTION, REGIONAL, SUPERUSER):
            return
        if self.scope.kind == REGIONAL and who in REGIONAL_ROLES and (self.scope.roles & {who}):
            return  # a regional role this view is meant for
        allowed = {302, 403, 404, 405} if who == "anonymous" else {403, 404, 405}
        if response.status_code not in allowed:
            self.violations.append(f"{label} as {who}: {response.status_code}, not refused")
        elif response.status_code == 302 and "/accounts/login/" not in response["Location"]:
            self.violations.append(f"{label} as {who}: redirect elsewhere than sign-in ({response['Location']})")

    def requests_on_b(self, path, me):
        body = bodies_for(self.entry.callback, self.world, me)[0] if me else {}
        yield "get", {}
        yield "post", {"data": body}
        if me is None:  # the tenant check refuses before any view runs, whatever the headers: once is enough
            yield "get", {"hx": True}
        if self.is_api:
            for method in ("put", "patch", "delete"):
                yield method, {"data": body, "json_body": True}

    def ask_as_outsiders(self, path):
        self.client.logout()
        for method, kw in self.requests_on_b(path, None):
            self.expect_refused(self.ask("anonymous", method, path, **kw), "anonymous", f"{method.upper()} {path}")
        for role in OUTSIDER_ROLES:
            if role in self.entitled_roles():
                continue
            user = self.a_member(role)
            self.client.force_login(user)
            for method, kw in self.requests_on_b(path, user):
                self.expect_refused(self.ask(role, method, path, **kw), role, f"{method.upper()} {path}")
            self.client.logout()

    def entitled_roles(self) -> set:
        """Regional roles a `regional(..., tenant_data=True)` view admits: they may read and change institutions'
        rows (a facilitator reads every learner of a cohort, enrols an institution's trainees)."""
        if self.scope.kind == REGIONAL and self.scope.tenant_data:
            return set(self.scope.roles)
        return set()

    def ask_as_entitled(self, path):
        """The entitled regional roles' requests: after B's rows were compared, not searched for the sentinel, but
        still never a server error."""
        for role in sorted(self.entitled_roles()):
            user = self.a_member(role)
            self.client.force_login(user)
            for method, kw in self.requests_on_b(path, user):
                self.ask(role, method, path, entitled=True, **kw)
            self.client.logout()

    def a_member(self, role):
        def build():
            user = make_user(f"{role}@{self.world.a.slug}.example", self.world.a, role)
            if role == Role.CASE_OFFICER:
                okey = case_services.officer_key_create(institution=self.world.a, user=user, passphrase=PASSPHRASE_A)
                case_services.keyring_setup(institution=self.world.a, by=user, officer_key=okey)
            if role == Role.INSTITUTION_HEAD:
                # The head reads escalated cases with a grant of A's key, given by A's case officer.
                officer = self.a_member(Role.CASE_OFFICER)
                okey = case_services.officer_key_create(institution=self.world.a, user=user, passphrase=PASSPHRASE_A)
                _kr, private = case_services.keyring_unlock(
                    institution=self.world.a, user=officer, passphrase=PASSPHRASE_A
                )
                case_services.key_grant_create(
                    institution=self.world.a, by=officer, institution_private=private, officer_key=okey
                )
            return user

        return self.world.once(f"a-member:{role}", build)

    def ask_own_url_with_b_ids(self, path):
        """A's slug, B's ids: the request gets past the tenant check and reaches the view's own lookups."""
        if self.scope.kind == PUBLIC:
            who = [("anonymous", None)]
        elif self.scope.kind == INSTITUTION:
            roles = [r for r in OUTSIDER_ROLES if r not in REGIONAL_ROLES and self.scope.allows_roles({r})]
            who = [(r, self.a_member(r)) for r in roles]
        else:
            return
        for role, user in who:
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
                if role in (Role.CASE_OFFICER, Role.INSTITUTION_HEAD):
                    self.client.post(f"/{self.world.a.slug}/cases/unlock/", {"passphrase": PASSPHRASE_A})
            bodies = (
                bodies_for(self.entry.callback, self.world, user)
                if user
                else bodies_for(self.entry.callback, self.world, self.a_member(Role.DATA_OFFICER))
            )
            for hx in (False, True):
                self.expect_not_found(self.ask(role, "get", path, hx=hx), role, f"GET {path}")
            for n, body in enumerate(bodies):
                self.expect_not_found(self.ask(role, "get", path, query=body), role, f"GET {path}?…")
                self.ask(role, "post", path, data=body)
                if n == 0:
                    self.ask(role, "post", path, data=body, hx=True)
                if self.is_api:
                    for method in ("put", "patch", "delete"):
                        self.ask(role, method, path, data=body, json_body=True)
        self.client.logout()

    def expect_not_found(self, response, who, label):
        """A GET of A's URL that names B's object must not find it."""
        if response is None or self.scope.kind != INSTITUTION or not self.names_b_object:
            return
        if 200 <= response.status_code < 300:
            self.violations.append(f"{label} as A's {who}: {response.status_code}; B's object was found under A")

    def insider_control(self, path):
        # Positive control: a member of B with an allowed role gets the page.
        role = sorted(self.scope.roles)[0] if self.scope.roles else Role.DATA_OFFICER
        insider = make_user(f"insider-{role}@{self.world.b.slug}.example", self.world.b, role)
        self.client.force_login(insider)
        response = self.client.get(path)
        self.client.logout()
        if response.status_code not in (200, 302, 405):
            self.violations.append(
                f"GET {path} as B's {role}: {response.status_code}; the URL factories do not build a valid URL"
            )
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            self.violations.extend(csp_problems(path, response.content.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize("item", ALL_PATTERNS, ids=[_id(p) for p in ALL_PATTERNS])
def test_access_matrix(item, client):
    route, entry = item
    violations = route_violations(route, entry, client)
    assert not violations, "\n".join(violations)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EXTERNAL = re.compile(r"""(?:src|href|action)=["']https?://""", re.I)


def csp_problems(path, body) -> list[str]:
    """Pages must work under the strict CSP: no inline script or style, nothing from another host."""
    problems = []
    if INLINE_SCRIPT.search(body):
        problems.append(f"{path}: inline <script>")
    if ' style="' in body:
        problems.append(f"{path}: inline style attribute")
    external = [m.group(0) for m in EXTERNAL.finditer(body) if not m.group(0).lower().startswith("href")]
    if external:
        problems.append(f"{path}: loads from another host: {external}")
    return problems


def assert_csp_clean(path, body):
    problems = csp_problems(path, body)
    assert not problems, "\n".join(problems)


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


def _own_pages(role):
    """Routes a member of A holding `role` may open with no argument but A's slug (or none, for regional roles)."""
    for route, entry in ALL_PATTERNS:
        scope = scope_of(entry.callback, entry.r2dr_namespace)
        args = arg_names(route)
        if role in REGIONAL_ROLES:
            if scope.kind == REGIONAL and role in scope.roles and not args:
                yield route, entry
        elif scope.kind == INSTITUTION and scope.allows_roles({role}) and args == ["institution_slug"]:
            yield route, entry


@pytest.mark.django_db
@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_every_role_reaches_a_page_of_its_own_institution(role, client):
    """The positive control per role: refusals elsewhere prove the guard, not a user who can open nothing."""
    with override_settings(**FAST):
        a = InstitutionFactory(slug="own-a", name="Own A")
        user = make_user(f"{role}@own-a.example", a, role)
        client.force_login(user)
        if role == Role.CASE_OFFICER:
            okey = case_services.officer_key_create(institution=a, user=user, passphrase=PASSPHRASE_A)
            case_services.keyring_setup(institution=a, by=user, officer_key=okey)
            case, _code = case_services.case_submit(
                institution=a,
                clear={"incident_date": None},
                private={"affected_names": "Own defender", "narrative": "own narrative"},
                consents={"statistics": "yes"},
                consent_wording={"statistics": "matrix"},
                language="en",
            )
            page = f"/{a.slug}/cases/{case.pk}/"
            locked = client.get(page)
            assert locked.status_code == 302 and "/cases/unlock/" in locked["Location"], "the control needs the key"
            assert client.post(f"/{a.slug}/cases/unlock/", {"passphrase": PASSPHRASE_A}).status_code == 302
            response = client.get(page)
            assert response.status_code == 200 and response.resolver_match.url_name == "cases_detail"
            assert case.reference in response.content.decode()
            assert "own narrative" in response.content.decode()  # the case itself, decrypted, not the unlock page
        reached = []
        for route, entry in _own_pages(role):
            response = client.get(build_path(route, url_args.World(a=a, b=a, sentinel=SENTINEL)))
            if (
                response.status_code == 200
                and response.resolver_match.url_name == entry.name
                and response.get("Content-Type", "").startswith("text/html")
            ):
                reached.append(entry.name)
                break
        assert reached, f"a member of A with role {role} reaches no page of its own institution"
