"""The per-institution case settings row, created once when an institution is onboarded."""

from __future__ import annotations

from django.db import transaction

from cases.models import (
    CaseSettings,
)
from r2dr.models import Institution


@transaction.atomic
def case_settings_create(*, institution: Institution, by: object = None) -> CaseSettings:
    """The institution's case settings row with its defaults; an onboarding step, so it runs once per institution
    (running it again returns the existing row)."""
    row, _created = CaseSettings.all_objects.get_or_create(institution=institution)
    return row
