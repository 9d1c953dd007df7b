"""Cases staff learned of themselves (monitoring, media, a partner organisation), recorded with their source."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from cases.models import (
    Case,
    Consent,
    Origin,
)
from cases.plaintext import case_key_for_officer
from cases.services.access_log import access_log_append
from cases.services.duplicates import case_names_index_pending
from cases.services.escalation import case_repeat_attack_detect
from cases.services.intake import case_submit
from cases.services.search import case_words_index_pending
from cases.services.workflow import source_add
from r2dr.models import Institution


def case_record(
    *,
    institution: Institution,
    by: User | None,
    institution_private: bytes,
    clear: dict,
    private: dict,
    consents: dict,
    consent_wording: dict,
    language: str,
    origin: str,
    source_kind: str,
    reliability: str,
    source_description: str,
) -> tuple[Case, str]:
    """A case staff learned of themselves (monitoring, media, a partner organisation), with its source.

    It is encrypted exactly like a public report and gets a receipt code too, shown once to the officer, who may
    pass it to the defender so they can follow up. The consents are what the source said the defender agreed to,
    recorded as such ("staff"). Returns (case, receipt code)."""
    if origin not in Origin.values or origin == Origin.PUBLIC_FORM:
        raise ValueError("origin must say how staff learned of the case")
    with transaction.atomic():
        case, code = case_submit(
            institution=institution,
            clear={**clear, "origin": origin, "recorded_by": by},
            private=private,
            consents=consents,
            consent_wording=consent_wording,
            language=language,
        )
        Consent.objects.for_institution(institution).filter(case=case).update(source="staff")
        key = case_key_for_officer(case, institution_private)
        source_add(
            case=case, case_key=key, by=by, kind=source_kind, reliability=reliability, description=source_description
        )
        access_log_append(institution=institution, user=by, action="recorded", case=case, detail=origin)
    case_names_index_pending(institution=institution, institution_private=institution_private, by=by)
    case_words_index_pending(institution=institution, institution_private=institution_private)
    case_repeat_attack_detect(case=case, by=by)
    return case, code
