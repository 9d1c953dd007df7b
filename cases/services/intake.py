"""Public intake and follow-up writes: a report committed in one transaction, messages, files, consents."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cases import crypto
from cases.aad import (
    aad_file_key,
    aad_file_meta,
    aad_message,
    aad_payload,
    aad_receipt,
)
from cases.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    Consent,
    ConsentAnswer,
    ConsentKind,
    Direction,
    Urgency,
)
from cases.plaintext import case_private
from cases.selectors import active_keyring
from cases.services.escalation import ESCALATION_URGENT, case_escalate
from cases.services.keys import KeysNotReady
from cases.services.notifications import DEFENDER_REPLIED, NEW_REPORT, case_officers_notify
from r2dr.mail import defender_headers
from r2dr.models import Institution


@dataclass
class EncryptedUpload:
    """A file the upload handler has already encrypted to disk (ciphertext only) under a random file key."""

    storage_name: str
    file_key: bytes
    name: str
    content_type: str
    kind: str
    size: int
    sha256: str


def _consent_rows(case: Case, consents: dict, wording: dict, language: str, source: str) -> list[Consent]:
    return [
        Consent(
            institution_id=case.institution_id,
            case=case,
            kind=kind,
            answer=consents.get(kind) or ConsentAnswer.NO,
            wording=str(wording.get(kind, "")),
            language=language,
            source=source,
        )
        for kind in ConsentKind.values
    ]


def attachments_add(
    *,
    case: Case,
    case_key: bytes,
    uploads: Iterable[EncryptedUpload],
    message: CaseMessage | None = None,
    by_submitter: bool = True,
) -> list[CaseAttachment]:
    """Record files the upload handler already encrypted to disk; their keys and names are sealed under the case key."""
    rows = []
    for up in uploads or []:
        rows.append(
            CaseAttachment(
                institution_id=case.institution_id,
                case=case,
                message=message,
                kind=up.kind,
                content_type=up.content_type,
                size=up.size,
                storage_name=up.storage_name,
                file_key=crypto.encrypt(case_key, up.file_key, aad_file_key(case)),
                meta=crypto.encrypt(
                    case_key, json.dumps({"name": up.name, "sha256": up.sha256}).encode(), aad_file_meta(case)
                ),
                uploaded_by_submitter=by_submitter,
            )
        )
    CaseAttachment.objects.bulk_create(rows)
    return rows


def case_submit(
    *,
    institution: Institution,
    clear: dict,
    private: dict,
    consents: dict,
    consent_wording: dict,
    language: str,
    uploads: Iterable[EncryptedUpload] = (),
) -> tuple[Case, str]:
    """Commit a report in one transaction. Returns (case, receipt code); the code is never stored."""
    if institution.is_practice:  # a training cohort's institution: its public pages are 404 too (r2dr.permissions)
        raise KeysNotReady
    keyring = active_keyring(institution)
    if keyring is None:
        raise KeysNotReady
    code = crypto.new_receipt_code()
    normalised = crypto.normalise_receipt(code)
    if normalised is None:
        # A fresh code always has the right number of digits: reaching this means the generator broke, and a case
        # saved with it could never be followed up.
        raise RuntimeError("a new receipt code does not normalise")
    lookup = crypto.receipt_lookup(normalised)
    case_key = crypto.new_key()
    wrapped = crypto.wrap_with_secret(normalised, case_key, aad_receipt(lookup))
    m2m = {name: clear.pop(name, []) for name in ("violation_types", "defender_groups", "perpetrator_types", "rights")}
    clear = dict(clear)
    urgency = clear.pop("urgency", None) or (Urgency.URGENT if clear.get("urgent") else Urgency.ROUTINE)
    clear["urgent"] = urgency == Urgency.URGENT
    with transaction.atomic():
        case = Case(
            institution=institution,
            keyring=keyring,
            sealed_key=crypto.seal(bytes(keyring.public_key), case_key),
            receipt_lookup=lookup,
            receipt_salt=wrapped["salt"],
            receipt_kdf=wrapped["kdf"],
            receipt_wrapped_key=wrapped["wrapped"],
            language=language,
            country_code=clear.pop("country_code", "") or institution.country_code,
            subregion=institution.subregion,
            consent_statistics=consents.get(ConsentKind.STATISTICS) == ConsentAnswer.YES,
            urgency=urgency,
            payload=b"",
            **clear,
        )
        case.payload = crypto.encrypt(case_key, json.dumps(private).encode(), aad_payload(case))
        case.save()
        for name, values in m2m.items():
            if values:
                getattr(case, name).set(values)
        Consent.objects.bulk_create(_consent_rows(case, consents, consent_wording, language, "intake"))
        attachments_add(case=case, case_key=case_key, uploads=uploads)
        if case.urgency == Urgency.URGENT:
            case_escalate(case=case, reason=ESCALATION_URGENT)
        case_officers_notify(case=case, kind=NEW_REPORT, by=case.recorded_by)
    return case, code


def message_add(
    *,
    case: Case,
    case_key: bytes,
    direction: str,
    body: str,
    author: User | None = None,
    uploads: Iterable[EncryptedUpload] = (),
    by_submitter: bool | None = None,
) -> CaseMessage:
    with transaction.atomic():
        message = CaseMessage.objects.create(
            institution_id=case.institution_id,
            case=case,
            direction=direction,
            author=author,
            body=crypto.encrypt(case_key, body.encode("utf-8"), aad_message(case)),
        )
        attachments_add(
            case=case,
            case_key=case_key,
            uploads=uploads,
            message=message,
            by_submitter=direction == Direction.SUBMITTER if by_submitter is None else by_submitter,
        )
        if direction == Direction.SUBMITTER:
            case_officers_notify(case=case, kind=DEFENDER_REPLIED)
    return message


def consent_change(*, case: Case, kind: str, answer: str, wording: str, language: str) -> Consent:
    with transaction.atomic():
        consent = Consent.objects.create(
            institution_id=case.institution_id,
            case=case,
            kind=kind,
            answer=answer,
            wording=wording,
            language=language,
            source="follow_up",
        )
        if kind == ConsentKind.STATISTICS:
            Case.objects.for_institution(case.institution_id).filter(pk=case.pk).update(
                consent_statistics=answer == ConsentAnswer.YES
            )
    return consent


def case_submitter_notify(*, case: Case, case_key: bytes, followup_url: str) -> None:
    """Status e-mail to an identified submitter, in the language they reported in: no case content, only where to
    read the update. Sent once the officer's change is committed, from their request (Celery never sees the
    address)."""
    email = case_private(case, case_key).get("submitter_email")
    if not email:
        return
    with translation.override(case.language or None):
        subject = _("Update on your report")
        body = _("There is an update on a report you made. To read it, open %(url)s and enter your receipt code.") % {
            "url": followup_url
        }
    # Marked as a defender's mail: the development backend then logs the case reference instead of the address.
    message = EmailMessage(subject, body, None, [email], headers=defender_headers(reference=case.reference))
    transaction.on_commit(lambda: message.send(fail_silently=True))
