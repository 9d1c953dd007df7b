"""Interventions and referrals on a case, encrypted under the case key."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import crypto
from cases.aad import (
    aad_intervention,
)
from cases.models import (
    Case,
    ConsentAnswer,
    ConsentKind,
    Intervention,
    InterventionKind,
    InterventionStatus,
)
from cases.plaintext import intervention_text
from cases.selectors import consent_in_force
from cases.services.access_log import access_log_append


class InterventionRefused(Exception):
    pass


INTERVENTION_TEXT_FIELDS = ("addressee", "details", "response", "outcome")


def intervention_save(
    *, case: Case, case_key: bytes, by: User | None, intervention: Intervention | None = None, **fields: Any
) -> Intervention:
    """Create or update an intervention. A referral to a protection organisation needs the submitter's protection
    consent in force and a mechanism from the directory; urgent appeals need the UN consent."""

    kind = fields.get("kind") or (intervention.kind if intervention else "")
    if kind == InterventionKind.REFERRAL:
        if consent_in_force(case, ConsentKind.PROTECTION) == ConsentAnswer.NO:
            raise InterventionRefused(
                _("The person who reported has not agreed to sharing with protection organisations.")
            )
        if fields.get("mechanism") is None and (intervention is None or intervention.mechanism_id is None):
            raise InterventionRefused(_("Choose the protection organisation from the directory."))
    with transaction.atomic():
        created = intervention is None
        if intervention is None:
            intervention = Intervention(institution=case.institution, case=case, created_by=by)
            old_text = {}
        else:
            old_text = intervention_text(case, case_key, intervention)
        text = {k: fields.pop(k, old_text.get(k, "")) or "" for k in INTERVENTION_TEXT_FIELDS}
        for name, value in fields.items():
            setattr(intervention, name, value)
        if intervention.status == InterventionStatus.RESPONDED and intervention.response_received is None:
            intervention.response_received = timezone.localdate()
        intervention.text = crypto.encrypt(case_key, json.dumps(text).encode(), aad_intervention(case))
        intervention.updated_at = timezone.now()
        intervention.save()
        if case.first_response_at is None:
            Case.objects.for_institution(case.institution).filter(pk=case.pk).update(first_response_at=timezone.now())
        access_log_append(
            institution=case.institution,
            user=by,
            action="intervention.added" if created else "intervention.changed",
            case=case,
            detail=f"{intervention.kind}:{intervention.pk}:{intervention.status}",
        )
    return intervention
