"""Writes of the cases app: key management, intake, follow-up, messages, consents, audit log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cases import crypto
from cases.models import (
    STATUS_ORDER,
    AccessAction,
    Case,
    CaseAccess,
    CaseAttachment,
    CaseMessage,
    CaseSettings,
    CaseSource,
    CaseTransition,
    Consent,
    ConsentAnswer,
    ConsentKind,
    Direction,
    Inadmissibility,
    Intervention,
    InterventionKind,
    InterventionStatus,
    KeyGrant,
    Keyring,
    OfficerKey,
    Outcome,
    RespondentType,
    Status,
    Urgency,
)

logger = logging.getLogger(__name__)


class KeysNotReady(Exception):
    """The institution has not set up its case keys yet."""


# --- AAD labels: bind every ciphertext to what it is -----------------------------------------------------


def _aad_case(case_uuid_or_lookup: str, what: str) -> str:
    return f"r2dr:case:{case_uuid_or_lookup}:{what}"


def aad_payload(case) -> str:
    return _aad_case(case.receipt_lookup, "payload")


def aad_message(case) -> str:
    return _aad_case(case.receipt_lookup, "message")


def aad_file_key(case) -> str:
    return _aad_case(case.receipt_lookup, "file-key")


def aad_file_meta(case) -> str:
    return _aad_case(case.receipt_lookup, "file-meta")


def aad_receipt(lookup: str) -> str:
    return _aad_case(lookup, "receipt-wrap")


def aad_officer(institution_id: int, user_id: int) -> str:
    return f"r2dr:officer:{institution_id}:{user_id}"


# --- settings ----------------------------------------------------------------------------------------


def settings_for(institution) -> CaseSettings:
    obj = CaseSettings.objects.for_institution(institution).first()
    if obj is None:
        obj, _created = CaseSettings.all_objects.get_or_create(institution=institution)
    return obj


# --- audit log -----------------------------------------------------------------------------------------
# Who opened which case, and every key operation, go to the platform's hash-chained, append-only audit log
# (r2dr.audit), with opaque references only (case reference, officer user id), never content.

AUDIT_PREFIX = "cases."


def log_access(*, institution, user, action: str, case=None, detail: str = "", object_type: str = ""):
    from r2dr.audit import audit_append

    return audit_append(
        institution=institution,
        action=f"{AUDIT_PREFIX}{action}",
        actor=user,
        object_type=object_type or ("case" if case is not None else "case_keys"),
        object_ref=case.reference if case is not None else "",
        detail={"note": detail[:200]} if detail else {},
    )


def access_entries(institution):
    from r2dr.audit import audit_entries_for

    return audit_entries_for(institution=institution).filter(action__startswith=AUDIT_PREFIX)


def verify_access_log(institution) -> bool:
    from r2dr.audit import audit_verify

    return audit_verify(institution=institution)[0]


# --- keys ----------------------------------------------------------------------------------------------


def active_keyring(institution) -> Keyring | None:
    return Keyring.objects.for_institution(institution).filter(is_active=True).first()


def officer_key_for(institution, user) -> OfficerKey | None:
    return OfficerKey.objects.for_institution(institution).filter(user=user).first()


def officer_key_create(*, institution, user, passphrase: str) -> OfficerKey:
    """Generate the officer's key pair; keep the private half only wrapped under their case passphrase."""
    if officer_key_for(institution, user):
        raise ValueError("This officer already has a key")
    private, public = crypto.new_keypair()
    wrapped = crypto.wrap_with_secret(passphrase, private, aad_officer(institution.pk, user.pk))
    return OfficerKey.objects.create(
        institution=institution,
        user=user,
        public_key=public,
        wrapped_private=wrapped["wrapped"],
        salt=wrapped["salt"],
        kdf=wrapped["kdf"],
    )


def officer_private_key(officer_key: OfficerKey, passphrase: str) -> bytes:
    return crypto.unwrap_with_secret(
        passphrase,
        officer_key.salt,
        officer_key.kdf,
        officer_key.wrapped_private,
        aad_officer(officer_key.institution_id, officer_key.user_id),
    )


def officer_passphrase_change(*, officer_key: OfficerKey, old: str, new: str) -> None:
    """Re-wrap the officer's private key under a new passphrase (DecryptionError if `old` is wrong)."""
    private = officer_private_key(officer_key, old)
    wrapped = crypto.wrap_with_secret(new, private, aad_officer(officer_key.institution_id, officer_key.user_id))
    OfficerKey.objects.for_institution(officer_key.institution_id).filter(pk=officer_key.pk).update(
        wrapped_private=wrapped["wrapped"], salt=wrapped["salt"], kdf=wrapped["kdf"]
    )


@transaction.atomic
def officer_key_replace(*, institution, user) -> None:
    """For an officer who forgot their passphrase: drop their key and its grants; a colleague grants the new key."""
    OfficerKey.objects.for_institution(institution).filter(user=user).delete()
    log_access(institution=institution, user=user, action="key_replaced")


@transaction.atomic
def keyring_setup(*, institution, by, officer_key: OfficerKey) -> str:
    """Create the institution's first key pair and its recovery kit; grant it to `officer_key`.

    Returns the recovery kit text, which is shown once and never stored."""
    if Keyring.objects.for_institution(institution).exists():
        raise ValueError("Keys are already set up")
    private, public = crypto.new_keypair()
    kit_text, kit_public = crypto.new_recovery_kit()
    keyring = Keyring.objects.create(
        institution=institution,
        version=1,
        public_key=public,
        recovery_public_key=kit_public,
        recovery_sealed_private=crypto.seal(kit_public, private),
        created_by=by,
    )
    KeyGrant.objects.create(
        institution=institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(officer_key.public_key, private),
        granted_by=by,
    )
    log_access(institution=institution, user=by, action=AccessAction.SETUP, detail="version 1")
    return kit_text


def active_grant(institution, officer_key) -> KeyGrant | None:
    keyring = active_keyring(institution)
    if keyring is None or officer_key is None:
        return None
    return keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).first()


def unlock(*, institution, user, passphrase: str) -> tuple[int, bytes]:
    """(keyring id, institution private key) for an officer holding an active grant; DecryptionError otherwise."""
    officer_key = officer_key_for(institution, user)
    grant = active_grant(institution, officer_key)
    if grant is None:
        raise crypto.DecryptionError("no active grant")
    officer_private = officer_private_key(officer_key, passphrase)
    private = crypto.unseal(officer_private, grant.sealed_private)
    log_access(institution=institution, user=user, action=AccessAction.UNLOCK)
    return grant.keyring_id, private


@transaction.atomic
def grant_access(*, institution, by, institution_private: bytes, officer_key: OfficerKey) -> KeyGrant:
    keyring = active_keyring(institution)
    if keyring is None or crypto.public_of(institution_private) != bytes(keyring.public_key):
        raise crypto.DecryptionError("the unlocked key is not the institution's current key")
    existing = keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).first()
    if existing:
        return existing
    grant = KeyGrant.objects.create(
        institution=institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(officer_key.public_key, institution_private),
        granted_by=by,
    )
    log_access(institution=institution, user=by, action=AccessAction.GRANT, detail=f"officer {officer_key.user_id}")
    return grant


@transaction.atomic
def revoke_access(*, institution, by, institution_private: bytes, grant: KeyGrant) -> tuple[Keyring, bytes]:
    """Revoke a grant and rotate the institution key pair: every case key is re-sealed to the new public key,
    every remaining officer and the recovery kit get the new private key. Returns (new keyring, new private)."""
    old = Keyring.objects.for_institution(institution).select_for_update().get(is_active=True)
    if crypto.public_of(institution_private) != bytes(old.public_key):
        raise crypto.DecryptionError("the unlocked key is not the institution's current key")
    now = timezone.now()
    KeyGrant.objects.for_institution(institution).filter(pk=grant.pk).update(revoked_at=now, revoked_by=by)
    new_private, new_public = crypto.new_keypair()
    version = (Keyring.objects.for_institution(institution).aggregate(v=Max("version"))["v"] or 0) + 1
    Keyring.objects.for_institution(institution).filter(pk=old.pk).update(is_active=False)
    new = Keyring.objects.create(
        institution=institution,
        version=version,
        public_key=new_public,
        recovery_public_key=old.recovery_public_key,
        recovery_sealed_private=crypto.seal(bytes(old.recovery_public_key), new_private),
        created_by=by,
    )
    remaining = old.grants.filter(revoked_at__isnull=True).select_related("officer_key")
    KeyGrant.objects.bulk_create(
        [
            KeyGrant(
                institution=institution,
                keyring=new,
                officer_key=g.officer_key,
                sealed_private=crypto.seal(bytes(g.officer_key.public_key), new_private),
                granted_by=by,
            )
            for g in remaining
        ]
    )
    # Old sealed copies of the old private key are no longer needed: wipe them.
    KeyGrant.objects.for_institution(institution).filter(keyring=old).update(sealed_private=b"")
    Keyring.objects.for_institution(institution).filter(pk=old.pk).update(recovery_sealed_private=b"")
    batch = []
    for case in Case.objects.for_institution(institution).only("pk", "sealed_key", "keyring_id").iterator(2000):
        case_key = crypto.unseal(institution_private, case.sealed_key)
        case.sealed_key = crypto.seal(new_public, case_key)
        case.keyring = new
        batch.append(case)
        if len(batch) >= 2000:
            Case.all_objects.bulk_update(batch, ["sealed_key", "keyring"])
            batch = []
    if batch:
        Case.all_objects.bulk_update(batch, ["sealed_key", "keyring"])
    log_access(
        institution=institution,
        user=by,
        action=AccessAction.REVOKE,
        detail=f"officer {grant.officer_key.user_id}; version {version}",
    )
    return new, new_private


@transaction.atomic
def recover_with_kit(*, institution, by, kit_text: str, officer_key: OfficerKey) -> KeyGrant:
    """Open the institution key with the offline recovery kit and grant it to `officer_key`."""
    keyring = active_keyring(institution)
    if keyring is None:
        raise KeysNotReady
    kit_private = crypto.kit_private_key(kit_text)
    if crypto.public_of(kit_private) != bytes(keyring.recovery_public_key):
        raise crypto.DecryptionError("this kit belongs to another institution or key")
    private = crypto.unseal(kit_private, keyring.recovery_sealed_private)
    keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).update(revoked_at=timezone.now())
    grant = KeyGrant.objects.create(
        institution=institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(bytes(officer_key.public_key), private),
        granted_by=by,
    )
    log_access(institution=institution, user=by, action=AccessAction.RECOVER, detail=f"officer {officer_key.user_id}")
    return grant


# --- intake ----------------------------------------------------------------------------------------------


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


def _consent_rows(case, consents: dict, wording: dict, language: str, source: str):
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


def _attach(case, case_key: bytes, uploads, *, message=None, by_submitter=True):
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
    institution,
    clear: dict,
    private: dict,
    consents: dict,
    consent_wording: dict,
    language: str,
    uploads=(),
) -> tuple[Case, str]:
    """Commit a report in one transaction. Returns (case, receipt code); the code is never stored."""
    keyring = active_keyring(institution)
    if keyring is None:
        raise KeysNotReady
    code = crypto.new_receipt_code()
    lookup = crypto.receipt_lookup(crypto.normalise_receipt(code))
    case_key = crypto.new_key()
    wrapped = crypto.wrap_with_secret(crypto.normalise_receipt(code), case_key, aad_receipt(lookup))
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
        _attach(case, case_key, uploads)
        if case.urgency == Urgency.URGENT:
            case_escalate(case=case, reason=ESCALATION_URGENT)
    return case, code


def case_for_receipt(*, institution, code: str) -> tuple[Case, bytes] | None:
    """Find a case by its receipt and open its key; None if the code is unknown or wrong."""
    normalised = crypto.normalise_receipt(code)
    if normalised is None:
        return None
    lookup = crypto.receipt_lookup(normalised)
    case = Case.objects.for_institution(institution).filter(receipt_lookup=lookup).first()
    if case is None:
        return None
    try:
        key = crypto.unwrap_with_secret(
            normalised, case.receipt_salt, case.receipt_kdf, case.receipt_wrapped_key, aad_receipt(lookup)
        )
    except crypto.DecryptionError:
        return None
    return case, key


def case_key_for_officer(case: Case, institution_private: bytes) -> bytes:
    return crypto.unseal(institution_private, case.sealed_key)


def case_private(case: Case, case_key: bytes) -> dict:
    return json.loads(crypto.decrypt(case_key, case.payload, aad_payload(case)))


def message_text(case: Case, case_key: bytes, message: CaseMessage) -> str:
    return crypto.decrypt(case_key, message.body, aad_message(case)).decode("utf-8")


def message_add(
    *, case: Case, case_key: bytes, direction: str, body: str, author=None, uploads=(), by_submitter=None
) -> CaseMessage:
    with transaction.atomic():
        message = CaseMessage.objects.create(
            institution_id=case.institution_id,
            case=case,
            direction=direction,
            author=author,
            body=crypto.encrypt(case_key, body.encode("utf-8"), aad_message(case)),
        )
        _attach(
            case,
            case_key,
            uploads,
            message=message,
            by_submitter=direction == Direction.SUBMITTER if by_submitter is None else by_submitter,
        )
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


def current_consents(case: Case) -> dict[str, Consent]:
    current = {}
    for consent in case.consents.all():
        current[consent.kind] = consent
    return current


def attachment_key(case: Case, case_key: bytes, attachment: CaseAttachment) -> bytes:
    return crypto.decrypt(case_key, attachment.file_key, aad_file_key(case))


def attachment_meta(case: Case, case_key: bytes, attachment: CaseAttachment) -> dict:
    return json.loads(crypto.decrypt(case_key, attachment.meta, aad_file_meta(case)))


def attachment_plaintext(case: Case, case_key: bytes, attachment: CaseAttachment) -> bytes:
    key = attachment_key(case, case_key, attachment)
    with default_storage.open(attachment.storage_name, "rb") as fh:
        return b"".join(crypto.stream_decrypt(key, fh))


# --- workflow --------------------------------------------------------------------------------------------
# received -> assessment -> verification -> action -> closed, following NHRI complaint handling. A case can be
# closed from assessment (not admissible, withdrawn) or verification (no reasonable grounds, withdrawn); nothing
# leaves "closed" and no step is skipped.

TRANSITIONS = {
    Status.RECEIVED: {Status.ASSESSMENT},
    Status.ASSESSMENT: {Status.VERIFICATION, Status.CLOSED},
    Status.VERIFICATION: {Status.ACTION, Status.CLOSED},
    Status.ACTION: {Status.CLOSED},
    Status.CLOSED: set(),
}
CLOSING_OUTCOMES = {
    Status.ASSESSMENT: {Outcome.INADMISSIBLE, Outcome.WITHDRAWN},
    Status.VERIFICATION: {Outcome.NOT_SUBSTANTIATED, Outcome.WITHDRAWN},
    Status.ACTION: {
        Outcome.RESOLVED,
        Outcome.REFERRED,
        Outcome.PROTECTION,
        Outcome.NO_FURTHER_ACTION,
        Outcome.WITHDRAWN,
    },
}


class TransitionRefused(Exception):
    """The requested step is not allowed from the case's status, or its conditions are not met."""


def aad_transition(case) -> str:
    return _aad_case(case.receipt_lookup, "transition")


def aad_source(case) -> str:
    return _aad_case(case.receipt_lookup, "source")


def allowed_transitions(case) -> list[str]:
    return [s for s in STATUS_ORDER if s in TRANSITIONS[case.status]]


def case_transition(
    *,
    case: Case,
    case_key: bytes,
    by,
    to_status: str,
    reason: str,
    respondent_type: str = "",
    within_time_limit: bool | None = None,
    sub_judice: bool | None = None,
    inadmissibility: str = "",
    reasonable_grounds: bool | None = None,
    outcome: str = "",
) -> CaseTransition:
    """Move a case one step along the workflow, recording who, when and why. Raises TransitionRefused."""
    from django.utils.translation import gettext as _

    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Say why."))
    with transaction.atomic():
        case = Case.objects.for_institution(case.institution).select_for_update().get(pk=case.pk)
        current = case.status
        if to_status not in TRANSITIONS.get(current, set()):
            raise TransitionRefused(
                _("A case cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Status(current).label, "to": Status(to_status).label if to_status in STATUS_ORDER else "?"}
            )
        now = timezone.now()
        facts = {}
        if current == Status.ASSESSMENT and to_status == Status.VERIFICATION:
            if not respondent_type or within_time_limit is None or sub_judice is None:
                raise TransitionRefused(_("Record the respondent type, the time limit and whether it is sub judice."))
            if respondent_type == RespondentType.NON_STATE or not within_time_limit or sub_judice:
                raise TransitionRefused(_("This case is not admissible: close it with the reason instead."))
            facts = {"respondent_type": respondent_type, "within_time_limit": within_time_limit, "sub_judice": False}
        if current == Status.VERIFICATION and to_status == Status.ACTION:
            if reasonable_grounds is not True:
                raise TransitionRefused(_("Action needs reasonable grounds to believe the facts alleged."))
            if not case.sources.exists():
                raise TransitionRefused(_("Record at least one source before concluding verification."))
            facts = {"reasonable_grounds": True}
            case.verified_at = now
        if to_status == Status.CLOSED:
            if outcome not in CLOSING_OUTCOMES[current]:
                raise TransitionRefused(_("Choose an outcome that fits this stage."))
            if outcome == Outcome.INADMISSIBLE:
                if inadmissibility not in Inadmissibility.values:
                    raise TransitionRefused(_("Say why the case is not admissible."))
                facts["inadmissibility"] = inadmissibility
            if current == Status.VERIFICATION and outcome == Outcome.NOT_SUBSTANTIATED:
                facts["reasonable_grounds"] = False
            facts["outcome"] = outcome
            case.outcome = outcome
            case.closed_at = now
        step = CaseTransition(
            institution=case.institution, case=case, from_status=current, to_status=to_status, by=by, at=now, **facts
        )
        step.reason = crypto.encrypt(case_key, reason.encode(), aad_transition(case))
        step.save()
        case.status = to_status
        case.status_changed_at = now
        if case.first_response_at is None:
            case.first_response_at = now
        case.save(
            update_fields=["status", "status_changed_at", "first_response_at", "verified_at", "outcome", "closed_at"]
        )
        log_access(institution=case.institution, user=by, action=f"transition.{to_status}", case=case)
    return step


def transition_reason(case: Case, case_key: bytes, step: CaseTransition) -> str:
    return crypto.decrypt(case_key, bytes(step.reason), aad_transition(case)).decode()


def source_add(*, case: Case, case_key: bytes, by, kind: str, reliability: str, description: str) -> CaseSource:
    with transaction.atomic():
        source = CaseSource(institution=case.institution, case=case, kind=kind, reliability=reliability, added_by=by)
        source.description = crypto.encrypt(case_key, description.encode(), aad_source(case))
        source.save()
        log_access(institution=case.institution, user=by, action="source_added", case=case)
    return source


def source_text(case: Case, case_key: bytes, source: CaseSource) -> str:
    return crypto.decrypt(case_key, bytes(source.description), aad_source(case)).decode()


def case_triage(*, case: Case, by, urgency: str | None = None, repeat_attack: bool | None = None) -> Case:
    """Urgency and the repeat-attack flag: clear, non-identifying fields, no key needed."""
    fields = []
    if urgency is not None and urgency != case.urgency:
        case.urgency = Urgency(urgency)
        case.urgent = case.urgency == Urgency.URGENT
        fields += ["urgency", "urgent"]
    if repeat_attack is not None and repeat_attack != case.repeat_attack:
        case.repeat_attack = repeat_attack
        fields.append("repeat_attack")
    if fields:
        with transaction.atomic():
            case.save(update_fields=fields)
            log_access(institution=case.institution, user=by, action="triaged", case=case, detail=",".join(fields))
            if "urgency" in fields and case.urgency == Urgency.URGENT:
                case_escalate(case=case, by=by, reason=ESCALATION_URGENT)
            elif "repeat_attack" in fields and case.repeat_attack:
                case_escalate(case=case, by=by, reason=ESCALATION_REPEAT)
    return case


def cases_assign(*, institution, case_ids, officer, by) -> int:
    """Bulk assignment (officer None = unassign). Only case officers of the institution can be assigned."""
    from r2dr.models import Membership
    from r2dr.roles import Role

    if (
        officer is not None
        and not Membership.objects.filter(institution=institution, user=officer, role=Role.CASE_OFFICER).exists()
    ):
        raise ValueError("not a case officer of this institution")
    with transaction.atomic():
        refs = list(
            Case.objects.for_institution(institution).filter(pk__in=list(case_ids)).values_list("pk", "reference")
        )
        Case.objects.for_institution(institution).filter(pk__in=[pk for pk, _r in refs]).update(assigned_to=officer)
        for _pk, ref in refs:
            from r2dr.audit import audit_append

            audit_append(
                institution=institution,
                action=f"{AUDIT_PREFIX}assigned",
                actor=by,
                object_type="case",
                object_ref=ref,
                detail={"officer": officer.pk if officer else None},
            )
    return len(refs)


# --- restricted cases ----------------------------------------------------------------------------------


def case_restrict(*, case: Case, by, officers) -> Case:
    """Limit a case to the named officers (the officer restricting is always named); an empty list lifts the
    restriction. Only case officers of the institution can be named."""
    from r2dr.models import Membership
    from r2dr.roles import Role

    officer_ids = {u.pk for u in officers}
    allowed = set(
        Membership.objects.filter(
            institution=case.institution, role=Role.CASE_OFFICER, user_id__in=officer_ids | {by.pk}
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        CaseAccess.objects.for_institution(case.institution).filter(case=case).delete()
        if officer_ids:
            names = (officer_ids | {by.pk}) & allowed
            CaseAccess.objects.bulk_create(
                [CaseAccess(institution=case.institution, case=case, user_id=uid, added_by=by) for uid in sorted(names)]
            )
        case.restricted = bool(officer_ids)
        case.save(update_fields=["restricted"])
        log_access(
            institution=case.institution,
            user=by,
            action="restricted" if case.restricted else "unrestricted",
            case=case,
            detail=",".join(str(u) for u in sorted((officer_ids | {by.pk}) & allowed)) if case.restricted else "",
        )
    return case


# --- interventions and referrals -----------------------------------------------------------------------


class InterventionRefused(Exception):
    pass


def aad_intervention(case) -> str:
    return _aad_case(case.receipt_lookup, "intervention")


INTERVENTION_TEXT_FIELDS = ("addressee", "details", "response", "outcome")


def intervention_save(
    *, case: Case, case_key: bytes, by, intervention: Intervention | None = None, **fields
) -> Intervention:
    """Create or update an intervention. A referral to a protection organisation needs the submitter's protection
    consent in force and a mechanism from the directory; urgent appeals need the UN consent."""
    from django.utils.translation import gettext as _

    from cases.selectors import consent_in_force

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
        if created:
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
        log_access(
            institution=case.institution,
            user=by,
            action="intervention.added" if created else "intervention.changed",
            case=case,
            detail=f"{intervention.kind}:{intervention.pk}:{intervention.status}",
        )
    return intervention


def intervention_text(case: Case, case_key: bytes, intervention: Intervention) -> dict:
    if not intervention.text:
        return {}
    return json.loads(crypto.decrypt(case_key, bytes(intervention.text), aad_intervention(case)))


# --- sharing statistics with the region --------------------------------------------------------------------


def statistics_share(*, institution, year: int, by, share: bool = True):
    """Share (or stop sharing) the institution's case statistics of one incident year with the region."""
    from cases.models import StatisticsShare
    from r2dr.audit import audit_append

    with transaction.atomic():
        if share:
            StatisticsShare.objects.for_institution(institution).get_or_create(
                institution=institution, year=year, defaults={"shared_by": by}
            )
        else:
            StatisticsShare.objects.for_institution(institution).filter(year=year).delete()
        audit_append(
            institution=institution,
            action=f"{AUDIT_PREFIX}statistics.{'shared' if share else 'unshared'}",
            actor=by,
            object_type="case_statistics",
            object_ref=str(year),
        )


# --- duplicates and links ----------------------------------------------------------------------------------


def case_index_names(*, case: Case, case_key: bytes, institution_private: bytes) -> int:
    """(Re)compute the keyed name digests of a case under the active keyring; done when an unlocked officer opens
    it (the server alone cannot). Returns the number of digests."""
    from cases import duplicates
    from cases.models import NameDigest

    keyring = active_keyring(case.institution)
    if keyring is None:
        return 0
    data = case_private(case, case_key)
    text = "\n".join(filter(None, [data.get("affected_names", ""), data.get("organisation", "")]))
    values = duplicates.digests(institution_private, keyring.pk, text)
    existing = NameDigest.objects.for_institution(case.institution).filter(case=case, keyring=keyring)
    if case.names_keyring_id == keyring.pk and sorted(existing.values_list("digest", flat=True)) == sorted(values):
        return len(values)
    with transaction.atomic():
        NameDigest.objects.for_institution(case.institution).filter(case=case).delete()
        NameDigest.objects.bulk_create(
            [NameDigest(institution=case.institution, case=case, keyring=keyring, digest=d) for d in values]
        )
        Case.objects.for_institution(case.institution).filter(pk=case.pk).update(names_keyring_id=keyring.pk)
        case.names_keyring_id = keyring.pk
    return len(values)


def index_pending_names(*, institution, institution_private: bytes, by=None, limit: int = 500) -> int:
    """Compute the name digests of cases not yet indexed under the active keyring (new reports, or all of them
    after a key rotation), then run repeat-attack detection for those whose digests match another case. Runs
    whenever an officer unlocks keys, so detection does not wait for someone to open each case. Returns the
    number of cases indexed (at most `limit` per call; the rest follow at the next unlock)."""
    from cases.models import NameDigest

    keyring = active_keyring(institution)
    if keyring is None:
        return 0
    pending = list(
        Case.objects.for_institution(institution)
        .exclude(names_keyring_id=keyring.pk)
        .select_related("institution")
        .order_by("received_at", "pk")[:limit]
    )
    indexed = []
    for case in pending:
        try:
            key = case_key_for_officer(case, institution_private)
            case_index_names(case=case, case_key=key, institution_private=institution_private)
        except crypto.DecryptionError:
            logger.warning("case %s: content does not decrypt; names not indexed", case.pk)
            continue
        indexed.append(case)
    if not indexed:
        return 0
    from django.db.models import Count

    digests = NameDigest.objects.for_institution(institution).filter(keyring=keyring)
    mine = digests.filter(case_id__in=[c.pk for c in indexed])
    # Digests found on more than one case (in this batch or earlier ones): only those cases need a closer look.
    repeated = (
        digests.filter(digest__in=mine.values("digest"))
        .values("digest")
        .annotate(n=Count("case_id", distinct=True))
        .filter(n__gt=1)
        .values("digest")
    )
    shared = set(mine.filter(digest__in=repeated).values_list("case_id", flat=True))
    for case in indexed:
        if case.pk in shared:
            detect_repeat_attack(case=case, by=by)
    return len(indexed)


def case_link(*, case: Case, other: Case, kind: str, by):
    """Link two cases of the same institution. kind "duplicate": `case` duplicates `other` and leaves the
    statistics; nothing is deleted, every source stays on its case."""
    from cases.models import CaseLink

    if case.institution_id != other.institution_id or case.pk == other.pk:
        raise ValueError("cases of one institution only")
    with transaction.atomic():
        CaseLink.objects.for_institution(case.institution).update_or_create(
            institution=case.institution, case=case, other=other, defaults={"kind": kind, "by": by}
        )
        if kind == CaseLink.Kind.DUPLICATE:
            Case.objects.for_institution(case.institution).filter(pk=case.pk).update(duplicate_of=other)
        log_access(institution=case.institution, user=by, action=f"linked.{kind}", case=case, detail=other.reference)


# --- retention ---------------------------------------------------------------------------------------------


class OnLegalHold(Exception):
    pass


def case_legal_hold(*, case: Case, by, hold: bool) -> None:
    with transaction.atomic():
        Case.objects.for_institution(case.institution).filter(pk=case.pk).update(legal_hold=hold)
        log_access(
            institution=case.institution, user=by, action="legal_hold.on" if hold else "legal_hold.off", case=case
        )


def case_delete(*, case: Case, by=None) -> None:
    """Delete a case for good: its rows (consents, messages, files, workflow, sources, interventions, name digests,
    links, the sealed and receipt-wrapped keys on the row itself) and its encrypted files. The audit log keeps only
    the opaque reference. Files are removed after the commit, so a rollback never leaves rows without files."""
    if case.legal_hold:
        raise OnLegalHold(case.reference)
    institution, reference = case.institution, case.reference
    with transaction.atomic():
        names = list(
            CaseAttachment.objects.for_institution(institution).filter(case=case).values_list("storage_name", flat=True)
        )
        Case.objects.for_institution(institution).filter(pk=case.pk).delete()
        from r2dr.audit import audit_append

        audit_append(
            institution=institution, action=f"{AUDIT_PREFIX}deleted", actor=by, object_type="case", object_ref=reference
        )

        def remove_files():
            for name in names:
                default_storage.delete(name)

        transaction.on_commit(remove_files)


# --- staff-recorded cases ----------------------------------------------------------------------------------


def case_record(
    *,
    institution,
    by,
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
    from cases.models import Origin

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
        log_access(institution=institution, user=by, action="recorded", case=case, detail=origin)
    index_pending_names(institution=institution, institution_private=institution_private, by=by)
    detect_repeat_attack(case=case, by=by)
    return case, code


# --- escalation, repeat attacks, reminders -----------------------------------------------------------------

ESCALATION_URGENT = "urgent"
ESCALATION_REPEAT = "repeat_attack"
ESCALATION_OVERDUE = "response_overdue"
# Who hears of an escalation: the institution head(s) and the assigned officer. No case content is e-mailed,
# only the opaque reference, why, and a link that needs a login, MFA and an unlocked key to show anything.
REPEAT_ATTACK_GAP_DAYS = 30  # same person, incidents further apart than this: a new attack, not a duplicate


def _case_url(case) -> str:
    """Absolute link to the case page, for e-mails sent without a request (scheduled tasks)."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse("cases_detail", kwargs={"institution_slug": case.institution.slug, "case_id": case.pk})
    return settings.R2DR_SITE_URL + path


def _head_emails(institution) -> list[str]:
    from django.contrib.auth import get_user_model

    from r2dr.models import Membership
    from r2dr.roles import Role

    ids = Membership.objects.filter(institution=institution, role=Role.INSTITUTION_HEAD).values("user_id")
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def case_escalate(*, case: Case, by=None, reason: str, head_emails: list[str] | None = None) -> bool:
    """Escalate a case to the institution head(s) once: sets escalated_at, audits, e-mails (reference only).
    `head_emails` lets a batch look the heads up once. Returns False when it was already escalated."""
    from django.core.mail import send_mail
    from django.utils.translation import gettext as _

    with transaction.atomic():
        updated = (
            Case.objects.for_institution(case.institution)
            .filter(pk=case.pk, escalated_at__isnull=True)
            .update(escalated_at=timezone.now())
        )
        if not updated:
            return False
        case.refresh_from_db(fields=["escalated_at"])
        log_access(institution=case.institution, user=by, action=f"escalated.{reason}", case=case)
        why = {
            ESCALATION_URGENT: _("it was marked urgent"),
            ESCALATION_REPEAT: _("the same defender or organisation was attacked again"),
            ESCALATION_OVERDUE: _("its response target passed without a first step"),
        }.get(reason, reason)
        link = _case_url(case)
        heads = _head_emails(case.institution) if head_emails is None else head_emails
        officer = case.assigned_to
        assigned = {officer.email} if officer is not None and officer.is_active and officer.email else set()
        recipients = sorted(set(heads) | assigned)
        if recipients:
            subject = _("Case %(ref)s escalated") % {"ref": case.reference}
            body = _(
                "Case %(ref)s was escalated because %(why)s. Open it (sign-in and unlocked key needed): %(url)s"
            ) % {
                "ref": case.reference,
                "why": why,
                "url": link,
            }
            transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))
    return True


def detect_repeat_attack(*, case: Case, by=None) -> list[Case]:
    """Other cases naming the same person or organisation (same keyed name digest) whose incident lies more than
    REPEAT_ATTACK_GAP_DAYS away (closer ones are possible duplicates, for officers to judge): both cases are
    flagged as repeat attacks, linked, and this case is escalated unless it is closed. Digests exist only once an
    unlocked officer has opened or recorded a case, so detection runs then. Returns the other cases."""
    from cases.models import CaseLink, NameDigest

    institution = case.institution
    if case.duplicate_of_id:
        return []
    mine = NameDigest.objects.for_institution(institution).filter(case=case)
    others = (
        Case.objects.for_institution(institution)
        .filter(
            pk__in=NameDigest.objects.for_institution(institution)
            .filter(keyring_id__in=mine.values("keyring_id"), digest__in=mine.values("digest"))
            .exclude(case=case)
            .values("case_id"),
            duplicate_of__isnull=True,
        )
        .defer("payload", "sealed_key", "receipt_wrapped_key")
    )
    found = [
        other
        for other in others
        if not (
            case.incident_date
            and other.incident_date
            and abs((case.incident_date - other.incident_date).days) <= REPEAT_ATTACK_GAP_DAYS
        )
    ]
    if not found:
        return []
    linked = set(CaseLink.objects.for_institution(institution).filter(case=case).values_list("other_id", flat=True))
    linked |= set(CaseLink.objects.for_institution(institution).filter(other=case).values_list("case_id", flat=True))
    new = [o for o in found if o.pk not in linked]
    with transaction.atomic():
        CaseLink.objects.bulk_create(
            [CaseLink(institution=institution, case=case, other=o, kind=CaseLink.Kind.REPEAT, by=by) for o in new]
        )
        flagged = (
            Case.objects.for_institution(institution)
            .filter(pk__in=[case.pk] + [o.pk for o in found], repeat_attack=False)
            .update(repeat_attack=True)
        )
        if flagged or new:
            log_access(institution=institution, user=by, action="repeat_attack.detected", case=case)
    case.repeat_attack = True
    if case.status != Status.CLOSED:
        case_escalate(case=case, by=by, reason=ESCALATION_REPEAT)
    return found


def escalate_overdue(*, institution, now=None) -> int:
    """Escalate urgent and high-urgency cases with no first response after their target. Clear fields only."""
    import datetime

    from cases.models import URGENCY_TARGET_HOURS

    now = now or timezone.now()
    n = 0
    heads = None  # looked up once, when the first case needs it
    for urgency in (Urgency.URGENT, Urgency.HIGH):
        cutoff = now - datetime.timedelta(hours=URGENCY_TARGET_HOURS[urgency])
        due = (
            Case.objects.for_institution(institution)
            .filter(urgency=urgency, first_response_at__isnull=True, received_at__lt=cutoff, escalated_at__isnull=True)
            .select_related("institution", "assigned_to")
            .defer("payload", "sealed_key", "receipt_wrapped_key")
        )
        for case in due:
            heads = _head_emails(institution) if heads is None else heads
            n += case_escalate(case=case, reason=ESCALATION_OVERDUE, head_emails=heads)
    return n


REMINDER_EVERY_DAYS = 7


def remind_overdue_interventions(*, institution, now=None) -> int:
    """E-mail the assigned officer (or whoever recorded it) about each intervention whose response is overdue, then
    weekly while it stays overdue. Only the case reference and the kind of intervention are e-mailed."""
    import datetime

    from django.core.mail import send_mass_mail
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    today = timezone.localdate(now)
    again = now - datetime.timedelta(days=REMINDER_EVERY_DAYS)
    due = list(
        Intervention.objects.for_institution(institution)
        .filter(status=InterventionStatus.SENT, response_due__lt=today, response_received__isnull=True)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=again))
        .select_related("case", "case__institution", "case__assigned_to", "created_by")
        .defer("text", "case__payload", "case__sealed_key", "case__receipt_wrapped_key")
    )
    mails, sent_ids = [], []
    for item in due:
        officer = item.case.assigned_to or item.created_by
        if officer is None or not officer.email or not officer.is_active:
            continue
        link = _case_url(item.case)
        subject = _("Response overdue on case %(ref)s") % {"ref": item.case.reference}
        body = _(
            "The response to the %(kind)s on case %(ref)s was due on %(due)s and has not been recorded. "
            "Chase it or record the response: %(url)s"
        ) % {
            "kind": InterventionKind(item.kind).label.lower(),
            "ref": item.case.reference,
            "due": item.response_due,
            "url": link,
        }
        mails.append((subject, body, None, [officer.email]))
        sent_ids.append(item.pk)
    if sent_ids:
        with transaction.atomic():
            Intervention.objects.for_institution(institution).filter(pk__in=sent_ids).update(reminded_at=now)
            from r2dr.audit import audit_append

            audit_append(
                institution=institution,
                action=f"{AUDIT_PREFIX}reminders_sent",
                actor=None,
                object_type="intervention",
                object_ref=str(len(sent_ids)),
            )
        send_mass_mail(mails, fail_silently=True)
    return len(sent_ids)


# --- merging duplicates ------------------------------------------------------------------------------------


class MergeRefused(Exception):
    pass


def case_merge(*, duplicate: Case, into: Case, by, institution_private: bytes) -> int:
    """Merge `duplicate` into the main case `into`: every source of the duplicate is copied to the main case
    (re-encrypted under its key) with the duplicate's account as one more source, the two are linked, the
    duplicate is closed as "merged" and leaves the statistics. Nothing is deleted: the duplicate keeps its messages,
    files and receipt channel, so its submitter can still follow up. Returns the number of sources copied."""
    from django.utils.translation import gettext as _

    from cases.models import CaseLink, SourceKind

    if duplicate.institution_id != into.institution_id or duplicate.pk == into.pk:
        raise MergeRefused(_("Choose another case of this institution."))
    if into.duplicate_of_id == duplicate.pk or into.outcome == Outcome.MERGED:
        raise MergeRefused(_("The main case was itself merged; merge into the case it was merged into."))
    if duplicate.outcome == Outcome.MERGED:
        raise MergeRefused(_("This case was already merged."))
    dup_key = case_key_for_officer(duplicate, institution_private)
    main_key = case_key_for_officer(into, institution_private)
    data = case_private(duplicate, dup_key)
    account = "\n\n".join(
        filter(
            None,
            [
                _("Account from merged case %(ref)s:") % {"ref": duplicate.reference},
                data.get("narrative", ""),
                data.get("actions_taken", ""),
            ],
        )
    )
    copied = 0
    with transaction.atomic():
        locked = Case.objects.for_institution(duplicate.institution).select_for_update().get(pk=duplicate.pk)
        if locked.outcome == Outcome.MERGED:
            raise MergeRefused(_("This case was already merged."))
        source_add(
            case=into,
            case_key=main_key,
            by=by,
            kind=SourceKind.SUBMITTER if duplicate.origin == "public_form" else SourceKind.MONITORING,
            reliability="unknown",
            description=account,
        )
        copied += 1
        for source in duplicate.sources.all():
            text = source_text(duplicate, dup_key, source)
            prefix = _("From merged case %(ref)s: ") % {"ref": duplicate.reference}
            source_add(
                case=into,
                case_key=main_key,
                by=by,
                kind=source.kind,
                reliability=source.reliability,
                description=prefix + text,
            )
            copied += 1
        CaseLink.objects.for_institution(duplicate.institution).update_or_create(
            institution=duplicate.institution,
            case=duplicate,
            other=into,
            defaults={"kind": CaseLink.Kind.DUPLICATE, "by": by},
        )
        now = timezone.now()
        step = CaseTransition(
            institution=duplicate.institution,
            case=locked,
            from_status=locked.status,
            to_status=Status.CLOSED,
            by=by,
            at=now,
            outcome=Outcome.MERGED,
        )
        step.reason = crypto.encrypt(
            dup_key, (_("Merged into case %(ref)s.") % {"ref": into.reference}).encode(), aad_transition(locked)
        )
        step.save()
        Case.objects.for_institution(duplicate.institution).filter(pk=duplicate.pk).update(
            duplicate_of=into,
            status=Status.CLOSED,
            outcome=Outcome.MERGED,
            closed_at=now,
            status_changed_at=now,
            first_response_at=locked.first_response_at or now,
        )
        if duplicate.repeat_attack and not into.repeat_attack:
            Case.objects.for_institution(into.institution).filter(pk=into.pk).update(repeat_attack=True)
        log_access(institution=duplicate.institution, user=by, action="merged", case=duplicate, detail=into.reference)
        log_access(institution=into.institution, user=by, action="merged_into", case=into, detail=duplicate.reference)
    return copied
