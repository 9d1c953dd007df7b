"""Reads about a cohort's practice institution (training.services.practice)."""

from __future__ import annotations

from typing import Any

from r2dr.models import Membership
from r2dr.roles import Role
from training.models import Cohort


def practice_link(*, cohort: Cohort, user: Any) -> str | None:
    """Where the learner practises: the practice institution's slug, when they are a data officer there."""
    practice = cohort.practice_institution
    if practice is None:
        return None
    held = Membership.objects.filter(institution=practice, user=user, role=Role.DATA_OFFICER).exists()
    return practice.slug if held else None
