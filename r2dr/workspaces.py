"""Where a signed-in user works: each institution they hold a role in, the regional overview, the site administration.

After signing in a user lands on their one workspace, or on a chooser when they have several
(`landing_url`); the chooser page is `r2dr.views.workspace_choose`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from r2dr.permissions import Access
from r2dr.roles import REGIONAL_ROLES


@dataclass(frozen=True)
class Workspace:
    label: str
    url: str
    detail: str = ""


def workspaces_for(*, user, access: Access) -> list[Workspace]:
    """The places `user` can work in, in the order the chooser lists them."""
    if not user.is_authenticated:
        return []
    places = [
        Workspace(
            label=str(institution), url=reverse("institution_home", args=[institution.slug]), detail=institution.country
        )
        for institution in access.institutions
    ]
    # A trainee without an institution also holds a membership without one: only real regional roles count.
    if access.regional_roles & REGIONAL_ROLES:
        places.append(Workspace(label=_("Regional overview"), url=reverse("regional_home")))
    if user.is_superuser:
        places.append(Workspace(label=_("Site administration"), url=reverse("admin:index")))
    return places


def landing_url(*, user, access: Access) -> str:
    """The one workspace's address, or the chooser's when there are several or none."""
    places = workspaces_for(user=user, access=access)
    if len(places) == 1:
        return places[0].url
    return reverse("workspace_choose")
