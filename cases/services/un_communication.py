"""The officer's own version of a case's draft communication to UN Special Procedures, encrypted under the case
key. What the draft starts from, and when it may be exported, is decided in cases/exports.py."""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases import crypto
from cases.aad import aad_un_draft
from cases.models import UN_SECTION_MAX_CHARS, UN_SECTIONS, Case, UnCommunicationDraft
from cases.services.access_log import access_log_append


def un_draft_save(*, case: Case, case_key: bytes, by: User | None, sections: list[str]) -> UnCommunicationDraft:
    """Keep the officer's five sections (the anonymised account among them), replacing any earlier version."""
    if len(sections) != UN_SECTIONS:
        raise ValueError(f"a UN communication has {UN_SECTIONS} sections")
    text = crypto.encrypt(
        case_key, json.dumps({"sections": [s[:UN_SECTION_MAX_CHARS] for s in sections]}).encode(), aad_un_draft(case)
    )
    with transaction.atomic():
        draft, _created = UnCommunicationDraft.objects.for_institution(case.institution).update_or_create(
            institution=case.institution,
            case=case,
            defaults={"text": text, "updated_by": by, "updated_at": timezone.now()},
        )
        access_log_append(institution=case.institution, user=by, action="un_communication.saved", case=case)
    return draft


def un_draft_discard(*, case: Case, by: User | None) -> bool:
    """Drop the officer's version, so the draft starts again from the case record. False if there was none."""
    with transaction.atomic():
        deleted, _per_model = UnCommunicationDraft.objects.for_institution(case.institution).filter(case=case).delete()
        if deleted:
            access_log_append(institution=case.institution, user=by, action="un_communication.discarded", case=case)
    return bool(deleted)
