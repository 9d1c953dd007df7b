"""Additional authenticated data: every ciphertext is bound to what it is and to which case, so a ciphertext
copied into another field or another case does not decrypt."""

from __future__ import annotations

from cases.models import Case


def _aad_case(case_uuid_or_lookup: str, what: str) -> str:
    return f"r2dr:case:{case_uuid_or_lookup}:{what}"


def aad_payload(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "payload")


def aad_message(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "message")


def aad_file_key(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "file-key")


def aad_file_meta(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "file-meta")


def aad_receipt(lookup: str) -> str:
    return _aad_case(lookup, "receipt-wrap")


def aad_officer(institution_id: int, user_id: int) -> str:
    return f"r2dr:officer:{institution_id}:{user_id}"


def aad_transition(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "transition")


def aad_source(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "source")


def aad_intervention(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "intervention")


def aad_un_draft(case: Case) -> str:
    return _aad_case(case.receipt_lookup, "un-communication-draft")
