"""Registry of URL-argument factories for the access-matrix test.

Each factory receives the `World` (two institutions, A and B, and a sentinel
string that must never leak) and returns the value for one URL keyword
argument, building institution B's objects as needed. Apps register theirs in
`tests/<app>/url_args.py`; the matrix imports every such module. A URL
argument without a factory fails the matrix: nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FACTORIES: dict[str, Callable[[World], Any]] = {}
# Arguments naming one of B's own rows: under A's slug, such a URL must not find its object.
OWNED_BY_B: set[str] = set()


@dataclass
class World:
    a: Any
    b: Any
    sentinel: str
    cache: dict = field(default_factory=dict)

    def once(self, key: str, build: Callable[[], Any]):
        """Build a shared object (e.g. B's cycle) only once per test."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


def url_arg(*names: str, owned: bool = False):
    """Register a factory for URL arguments `names`; `owned` when the value is the id of a row of B's."""

    def register(fn):
        for name in names:
            if name in FACTORIES:
                raise RuntimeError(f"URL argument {name!r} registered twice")
            FACTORIES[name] = fn
            if owned:
                OWNED_BY_B.add(name)
        return fn

    return register


# --- arguments of the platform core, Django admin and allauth ----------------


@url_arg("institution_slug")
def _institution_slug(world: World):
    return world.b.slug


@url_arg("membership_id", owned=True)
def _membership_id(world: World):
    from r2dr.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(username=f"{world.sentinel.lower()}-member@b.example")
    return Membership.objects.create(user=user, institution=world.b, role="data_officer").pk


@url_arg("invitation_id", owned=True)
def _invitation_id(world: World):
    from r2dr import services

    invitation, _token = services.invitation_create(
        email=f"{world.sentinel.lower()}-invitee@b.example", role="reviewer", institution=world.b, by=None
    )
    return invitation.pk


@url_arg("notification_id", owned=True)
def _notification_id(world: World):
    from r2dr.models import Membership, Notification
    from tests.factories import UserFactory

    # The sentinel is the notification's reference and in its link: a page of A's that showed it would leak it.
    user = UserFactory(username=f"{world.sentinel.lower()}-notified@b.example")
    Membership.objects.get_or_create(user=user, institution=world.b, role="case_officer")
    return Notification.objects.create(
        institution=world.b,
        recipient=user,
        kind="cases.new_report",
        reference=world.sentinel,
        link=f"/{world.b.slug}/cases/{world.sentinel}/",
        delivery="off",
    ).pk


@url_arg("token")
def _invitation_token(world: World):
    from r2dr import services

    _invitation, token = services.invitation_create(
        email=f"{world.sentinel.lower()}-token@b.example", role="reviewer", institution=world.b, by=None
    )
    # The token an outsider can hold is one read from a log: its invitee opened the link, which exchanged it for
    # their session (holding a live token is being the invitee, whose first GET rightly writes the exchange).
    assert services.invitation_exchange(token=token) is not None
    return token


# Django admin (superuser scope) and allauth (public scope) arguments.
@url_arg("app_label")
def _app_label(world):
    return "r2dr"


@url_arg("object_id")
def _object_id(world):
    return str(world.b.pk)


@url_arg("content_type_id")
def _content_type_id(world):
    from django.contrib.contenttypes.models import ContentType

    from r2dr.models import Institution

    return ContentType.objects.get_for_model(Institution).pk


@url_arg("url")
def _admin_catch_all(world):
    return "r2dr/institution/"


@url_arg("uidb36")
def _uidb36(world):
    return "1"


@url_arg("key")
def _key(world):
    return "invalid-key"


@url_arg("pk")
def _pk(world):
    return "1"


@url_arg("type")
def _authenticator_type(world):
    return "totp"


@url_arg("id")
def _admin_user_id(world):
    from tests.factories import UserFactory

    return UserFactory(username="matrix-admin-target@b.example").pk
