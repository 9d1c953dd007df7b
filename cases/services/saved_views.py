"""Officers' saved inbox views: a name for a validated filter query, private or shared with colleagues."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from cases.models import SavedInboxView
from r2dr.models import Institution


@transaction.atomic
def saved_inbox_view_save(
    *, institution: Institution, user: User, name: str, query: str, shared: bool
) -> SavedInboxView:
    """Save (or overwrite, by name) the officer's view; `query` must come from a validated InboxFilterForm."""
    view, _created = SavedInboxView.objects.for_institution(institution).update_or_create(
        institution=institution, user=user, name=name.strip(), defaults={"query": query, "shared": shared}
    )
    return view


@transaction.atomic
def saved_inbox_view_delete(*, view: SavedInboxView) -> None:
    SavedInboxView.objects.for_institution(view.institution_id).filter(pk=view.pk).delete()
