"""Writes of the cases app: key management, intake, follow-up, messages, consents, audit log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
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


def log_access(*, institution, user, action: str, case=None, detail: str = ""):
    from r2dr.audit import audit_append

    return audit_append(
        institution=institution,
        action=f"{AUDIT_PREFIX}{action}",
        actor=user,
        object_type="case" if case is not None else "case_keys",
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
            urgency=Urgency.URGENT if clear.get("urgent") else Urgency.ROUTINE,
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
    if sorted(existing.values_list("digest", flat=True)) == sorted(values):
        return len(values)
    with transaction.atomic():
        NameDigest.objects.for_institution(case.institution).filter(case=case).delete()
        NameDigest.objects.bulk_create(
            [NameDigest(institution=case.institution, case=case, keyring=keyring, digest=d) for d in values]
        )
    return len(values)


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
