"""The data behind the public form: regional taxonomy terms and protection mechanisms (regional or an
institution's own)."""

from __future__ import annotations

from django.db import models, transaction

from cases.models import ProtectionMechanism
from r2dr.models import Institution


@transaction.atomic
def taxonomy_term_save(*, term: models.Model) -> models.Model:
    """Save a regional taxonomy term or regional protection mechanism, as edited by a regional admin."""
    term.save()
    return term


@transaction.atomic
def protection_mechanism_save(*, mechanism: ProtectionMechanism, institution: Institution) -> ProtectionMechanism:
    """Save one of the institution's own protection mechanisms (always owned by that institution)."""
    mechanism.institution = institution
    mechanism.save()
    return mechanism
