"""Decrypting selectors: the only readers of case content, each given the key it needs (the receipt code, an
officer's passphrase, or the case key an unlocked officer opened). Nothing here writes."""

from __future__ import annotations

import json

from django.core.files.storage import default_storage

from cases import crypto
from cases.aad import (
    aad_file_key,
    aad_file_meta,
    aad_intervention,
    aad_message,
    aad_officer,
    aad_payload,
    aad_receipt,
    aad_source,
    aad_transition,
    aad_un_draft,
)
from cases.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    CaseSource,
    CaseTransition,
    Intervention,
    OfficerKey,
    UnCommunicationDraft,
)
from r2dr.models import Institution
from r2dr.selectors import institutions_in_service


def officer_private_key(officer_key: OfficerKey, passphrase: str) -> bytes:
    return crypto.unwrap_with_secret(
        passphrase,
        officer_key.salt,
        officer_key.kdf,
        officer_key.wrapped_private,
        aad_officer(officer_key.institution_id, officer_key.user_id),
    )


def _receipt_opens(case: Case, normalised: str, lookup: str) -> bytes | None:
    """The case key the receipt unwraps, or None if it does not."""
    try:
        return crypto.unwrap_with_secret(
            normalised, case.receipt_salt, case.receipt_kdf, case.receipt_wrapped_key, aad_receipt(lookup)
        )
    except crypto.DecryptionError:
        return None


def case_for_receipt(*, institution: Institution, code: str) -> tuple[Case, bytes] | None:
    """Find a case by its receipt and open its key; None if the code is unknown or wrong."""
    normalised = crypto.normalise_receipt(code)
    if normalised is None:
        return None
    lookup = crypto.receipt_lookup(normalised)
    case = Case.objects.for_institution(institution).filter(receipt_lookup=lookup).first()
    key = _receipt_opens(case, normalised, lookup) if case is not None else None
    return None if key is None else (case, key)


def case_for_receipt_anywhere(*, code: str) -> tuple[Institution, Case, bytes] | None:
    """Find a case by its receipt code alone, in whichever institution holds it; None if no case matches.

    Every active institution is asked, through its own tenant-scoped path, whatever an earlier one answered: the
    same queries for any code, so neither the answer nor the work done tells which institutions hold which
    codes. The receipt's keyed hash is one for the whole platform (and 83 bits of receipt leave no room for two
    institutions to share one), so a defender needs to remember only the code."""
    normalised = crypto.normalise_receipt(code)
    if normalised is None:
        return None
    lookup = crypto.receipt_lookup(normalised)
    hit: tuple[Institution, Case] | None = None
    for institution in institutions_in_service().order_by("pk"):
        case = Case.objects.for_institution(institution).filter(receipt_lookup=lookup).first()
        if case is not None and hit is None:
            hit = (institution, case)
    if hit is None:
        return None
    key = _receipt_opens(hit[1], normalised, lookup)
    return None if key is None else (*hit, key)


def case_key_for_officer(case: Case, institution_private: bytes) -> bytes:
    return crypto.unseal(institution_private, case.sealed_key)


def case_private(case: Case, case_key: bytes) -> dict:
    return json.loads(crypto.decrypt(case_key, case.payload, aad_payload(case)))


def message_text(case: Case, case_key: bytes, message: CaseMessage) -> str:
    return crypto.decrypt(case_key, message.body, aad_message(case)).decode("utf-8")


def attachment_key(case: Case, case_key: bytes, attachment: CaseAttachment) -> bytes:
    return crypto.decrypt(case_key, attachment.file_key, aad_file_key(case))


def attachment_meta(case: Case, case_key: bytes, attachment: CaseAttachment) -> dict:
    return json.loads(crypto.decrypt(case_key, attachment.meta, aad_file_meta(case)))


def attachment_plaintext(case: Case, case_key: bytes, attachment: CaseAttachment) -> bytes:
    key = attachment_key(case, case_key, attachment)
    with default_storage.open(attachment.storage_name, "rb") as fh:
        return b"".join(crypto.stream_decrypt(key, fh))


def transition_reason(case: Case, case_key: bytes, step: CaseTransition) -> str:
    return crypto.decrypt(case_key, bytes(step.reason), aad_transition(case)).decode()


def source_text(case: Case, case_key: bytes, source: CaseSource) -> str:
    return crypto.decrypt(case_key, bytes(source.description), aad_source(case)).decode()


def intervention_text(case: Case, case_key: bytes, intervention: Intervention) -> dict:
    if not intervention.text:
        return {}
    return json.loads(crypto.decrypt(case_key, bytes(intervention.text), aad_intervention(case)))


def un_draft_sections(case: Case, case_key: bytes, draft: UnCommunicationDraft) -> list[str]:
    """The sections of the officer's saved UN communication draft."""
    return list(json.loads(crypto.decrypt(case_key, bytes(draft.text), aad_un_draft(case)))["sections"])
