"""Navigation entries, filtered by the user's roles.

Apps register entries here (at import of their `nav.py`); r2dr itself knows
no app. Each entry names the roles that may see it, using the same role sets
the views' scope declarations use, so a link is shown only where it works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse

INSTITUTION = "institution"
REGIONAL = "regional"
AUTHENTICATED = "authenticated"
PUBLIC = "public"
SUPERUSER = "superuser"


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    kind: str
    roles: frozenset = field(default_factory=frozenset)
    order: int = 50


_registry: list[NavEntry] = []
_loaded = False


def register(entry: NavEntry) -> None:
    _registry.append(entry)


def _load():
    global _loaded
    if _loaded:
        return
    _loaded = True
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise


def items_for(request, access, institution):
    _load()
    out = []
    user = request.user
    for entry in sorted(_registry, key=lambda e: e.order):
        try:
            if entry.kind == PUBLIC:
                url = reverse(entry.url_name)
            elif entry.kind == AUTHENTICATED:
                if not user.is_authenticated:
                    continue
                url = reverse(entry.url_name)
            elif entry.kind == SUPERUSER:
                if not user.is_authenticated or not user.is_superuser:
                    continue
                url = reverse(entry.url_name)
            elif entry.kind == REGIONAL:
                if not user.is_authenticated or not access.is_regional(*entry.roles):
                    continue
                url = reverse(entry.url_name)
            else:
                if institution is None or not user.is_authenticated or not access.has(institution, *entry.roles):
                    continue
                url = reverse(entry.url_name, kwargs={"institution_slug": institution.slug})
        except NoReverseMatch:
            continue
        out.append({"label": entry.label, "url": url, "active": request.path == url})
    return out
