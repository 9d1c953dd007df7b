"""Officer keys, the institution keyring and its grants: setup, unlock, grant, revoke (with rotation), recovery,
and offboarding (a member who loses every key role loses their key, and the institution key is replaced)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases import crypto
from cases.aad import (
    aad_officer,
)
from cases.models import (
    AccessAction,
    Case,
    KeyGrant,
    Keyring,
    OfficerKey,
)
from cases.plaintext import officer_private_key
from cases.selectors import active_grant, active_keyring, officer_key_for
from cases.services.access_log import access_log_append
from r2dr.models import Institution, Membership
from r2dr.roles import Role

# Roles whose holders may have an officer key and a grant of the institution key.
KEY_ROLES = (Role.CASE_OFFICER, Role.INSTITUTION_HEAD)


class KeysNotReady(Exception):
    """The institution has not set up its case keys yet."""


def officer_key_create(*, institution: Institution, user: User, passphrase: str) -> OfficerKey:
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


def officer_passphrase_change(*, officer_key: OfficerKey, old: str, new: str) -> None:
    """Re-wrap the officer's private key under a new passphrase (DecryptionError if `old` is wrong)."""
    private = officer_private_key(officer_key, old)
    wrapped = crypto.wrap_with_secret(new, private, aad_officer(officer_key.institution_id, officer_key.user_id))
    OfficerKey.objects.for_institution(officer_key.institution_id).filter(pk=officer_key.pk).update(
        wrapped_private=wrapped["wrapped"], salt=wrapped["salt"], kdf=wrapped["kdf"]
    )


@transaction.atomic
def officer_key_replace(*, institution: Institution, user: User) -> None:
    """For an officer who forgot their passphrase: drop their key and its grants; a colleague grants the new key."""
    OfficerKey.objects.for_institution(institution).filter(user=user).delete()
    access_log_append(institution=institution, user=user, action="key_replaced")


@transaction.atomic
def keyring_setup(*, institution: Institution, by: User | None, officer_key: OfficerKey) -> str:
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
        sealed_private=crypto.seal(bytes(officer_key.public_key), private),
        granted_by=by,
    )
    access_log_append(institution=institution, user=by, action=AccessAction.SETUP, detail="version 1")
    return kit_text


@transaction.atomic
def keyring_unlock(*, institution: Institution, user: User, passphrase: str) -> tuple[int, bytes]:
    """(keyring id, institution private key) for an officer holding an active grant; DecryptionError otherwise.

    Cases still sealed to a keyring retired by offboarding are re-sealed to the active one here, with the old
    private keys this officer's grants open, so an unlocked officer reads every case."""
    officer_key = officer_key_for(institution, user)
    grant = active_grant(institution, officer_key)
    if officer_key is None or grant is None:
        raise crypto.DecryptionError("no active grant")
    officer_private = officer_private_key(officer_key, passphrase)
    private = crypto.unseal(officer_private, bytes(grant.sealed_private))
    access_log_append(institution=institution, user=user, action=AccessAction.UNLOCK)

    def old_private(keyring: Keyring) -> bytes | None:
        old_grant = keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).first()
        if old_grant is None or not bytes(old_grant.sealed_private):
            return None
        return crypto.unseal(officer_private, bytes(old_grant.sealed_private))

    _retired_keyrings_reseal(institution=institution, by=user, private_of=old_private)
    return grant.keyring_id, private


@transaction.atomic
def key_grant_create(
    *, institution: Institution, by: User | None, institution_private: bytes, officer_key: OfficerKey
) -> KeyGrant:
    keyring = active_keyring(institution)
    if keyring is None or crypto.public_of(institution_private) != bytes(keyring.public_key):
        raise crypto.DecryptionError("the unlocked key is not the institution's current key")
    existing = keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).first()
    if existing:
        return existing
    return _key_grant_seal(
        keyring=keyring, officer_key=officer_key, private=institution_private, by=by, action=AccessAction.GRANT
    )


def _key_grant_seal(
    *, keyring: Keyring, officer_key: OfficerKey, private: bytes, by: User | None, action: str
) -> KeyGrant:
    """Seal the keyring's private half to one officer's key, and log it as `action` (grant or recovery)."""
    grant = KeyGrant.objects.create(
        institution=keyring.institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(bytes(officer_key.public_key), private),
        granted_by=by,
    )
    access_log_append(institution=keyring.institution, user=by, action=action, detail=f"officer {officer_key.user_id}")
    return grant


def _keyring_rotate(*, institution: Institution, old: Keyring, by: User | None) -> tuple[Keyring, bytes]:
    """Retire `old` for a new key pair whose private half is sealed to the recovery kit and to every officer still
    holding a grant on `old` (the caller has revoked the ones that must not). Returns (new keyring, new private)."""
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
    return new, new_private


@transaction.atomic
def key_grant_revoke(
    *, institution: Institution, by: User | None, institution_private: bytes, grant: KeyGrant
) -> tuple[Keyring, bytes]:
    """Revoke a grant and rotate the institution key pair: every case key is re-sealed to the new public key,
    every remaining officer and the recovery kit get the new private key. Returns (new keyring, new private)."""
    old = Keyring.objects.for_institution(institution).select_for_update().get(is_active=True)
    if crypto.public_of(institution_private) != bytes(old.public_key):
        raise crypto.DecryptionError("the unlocked key is not the institution's current key")
    now = timezone.now()
    KeyGrant.objects.for_institution(institution).filter(pk=grant.pk).update(revoked_at=now, revoked_by=by)
    # Keyrings retired by offboarding and not yet re-sealed still hold this officer's copy of their key.
    KeyGrant.objects.for_institution(institution).filter(officer_key_id=grant.officer_key_id).exclude(
        keyring=old
    ).update(sealed_private=b"", revoked_at=now, revoked_by=by)
    new, new_private = _keyring_rotate(institution=institution, old=old, by=by)
    # Old sealed copies of the old private key are no longer needed: wipe them.
    KeyGrant.objects.for_institution(institution).filter(keyring=old).update(sealed_private=b"")
    Keyring.objects.for_institution(institution).filter(pk=old.pk).update(recovery_sealed_private=b"")
    batch = []
    # Cases of keyrings retired by offboarding are re-sealed at the next unlock by an officer holding them.
    cases = Case.objects.for_institution(institution).filter(keyring=old)
    for case in cases.only("pk", "sealed_key", "keyring_id").iterator(2000):
        case_key = crypto.unseal(institution_private, case.sealed_key)
        case.sealed_key = crypto.seal(bytes(new.public_key), case_key)
        case.keyring = new
        batch.append(case)
        if len(batch) >= 2000:
            Case.all_objects.bulk_update(batch, ["sealed_key", "keyring"])
            batch = []
    if batch:
        Case.all_objects.bulk_update(batch, ["sealed_key", "keyring"])
    access_log_append(
        institution=institution,
        user=by,
        action=AccessAction.REVOKE,
        detail=f"officer {grant.officer_key.user_id}; version {new.version}",
    )
    return new, new_private


@transaction.atomic
def key_grant_recover(*, institution: Institution, by: User | None, kit_text: str, officer_key: OfficerKey) -> KeyGrant:
    """Open the institution key with the offline recovery kit and grant it to `officer_key`."""
    keyring = active_keyring(institution)
    if keyring is None:
        raise KeysNotReady
    kit_private = crypto.kit_private_key(kit_text)
    if crypto.public_of(kit_private) != bytes(keyring.recovery_public_key):
        raise crypto.DecryptionError("this kit belongs to another institution or key")
    private = crypto.unseal(kit_private, bytes(keyring.recovery_sealed_private))

    def old_private(retired: Keyring) -> bytes | None:
        sealed = bytes(retired.recovery_sealed_private)
        return crypto.unseal(kit_private, sealed) if sealed else None

    _retired_keyrings_reseal(institution=institution, by=by, private_of=old_private)
    keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return _key_grant_seal(
        keyring=keyring, officer_key=officer_key, private=private, by=by, action=AccessAction.RECOVER
    )


def _retired_keyrings_reseal(
    *, institution: Institution, by: User | None, private_of: Callable[[Keyring], bytes | None]
) -> int:
    """Re-seal to the active keyring every case still sealed to a retired one whose private key `private_of`
    opens, then wipe that keyring's sealed copies (nothing else needs them). Returns the number of cases moved."""
    active = Keyring.objects.for_institution(institution).select_for_update().filter(is_active=True).first()
    if active is None:
        return 0
    retired_ids = set(
        Case.objects.for_institution(institution)
        .exclude(keyring=active)
        .order_by()
        .values_list("keyring_id", flat=True)
        .distinct()
    )
    moved = 0
    for retired in Keyring.objects.for_institution(institution).filter(pk__in=retired_ids).order_by("version"):
        old_private = private_of(retired)
        if old_private is None:
            continue
        batch = []
        cases = Case.objects.for_institution(institution).filter(keyring=retired)
        for case in cases.only("pk", "sealed_key", "keyring_id").iterator(2000):
            case.sealed_key = crypto.seal(bytes(active.public_key), crypto.unseal(old_private, case.sealed_key))
            case.keyring = active
            batch.append(case)
        Case.all_objects.bulk_update(batch, ["sealed_key", "keyring"], batch_size=2000)
        KeyGrant.objects.for_institution(institution).filter(keyring=retired).update(sealed_private=b"")
        Keyring.objects.for_institution(institution).filter(pk=retired.pk).update(recovery_sealed_private=b"")
        moved += len(batch)
        access_log_append(
            institution=institution,
            user=by,
            action=AccessAction.RESEAL,
            detail=f"version {retired.version} to version {active.version}; {len(batch)} cases",
        )
    return moved


@transaction.atomic
def officer_key_offboard(*, membership: Membership, by: User | None) -> None:
    """Offboarding step: a member left without any key role in the institution loses their officer key and every
    grant at once, and the institution key pair is replaced without waiting for an unlocked officer.

    The server cannot re-seal existing case keys (it never holds the old private key), but it can make a new key
    pair: its private half is sealed at once to each remaining grant holder and to the recovery kit, then
    forgotten, so every report submitted from now on is sealed to a key the former member never held. Cases sealed
    to the old key are re-sealed by the next officer who unlocks (`keyring_unlock`)."""
    institution = membership.institution
    if institution is None or membership.role not in KEY_ROLES:
        return
    if Membership.objects.filter(institution=institution, user_id=membership.user_id, role__in=KEY_ROLES).exists():
        return
    officer_key = officer_key_for(institution, membership.user)
    if officer_key is None:
        return
    held = KeyGrant.objects.for_institution(institution).filter(officer_key=officer_key, revoked_at__isnull=True)
    rotate = held.filter(keyring__is_active=True).exists()
    # Deleting the key removes its wrapped private half and (by cascade) every grant: with a later copy of the
    # database, the former member's passphrase unwraps nothing.
    OfficerKey.objects.for_institution(institution).filter(pk=officer_key.pk).delete()
    detail = f"officer {membership.user_id} left"
    if rotate:
        old = Keyring.objects.for_institution(institution).select_for_update().get(is_active=True)
        new, _new_private = _keyring_rotate(institution=institution, old=old, by=by)
        version = new.version
        detail += f"; version {version}"
    access_log_append(institution=institution, user=by, action=AccessAction.REVOKE, detail=detail)
