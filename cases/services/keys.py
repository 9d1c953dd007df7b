"""Officer keys, the institution keyring and its grants: setup, unlock, grant, revoke (with rotation), recovery."""

from __future__ import annotations

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
from r2dr.models import Institution


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


def keyring_unlock(*, institution: Institution, user: User, passphrase: str) -> tuple[int, bytes]:
    """(keyring id, institution private key) for an officer holding an active grant; DecryptionError otherwise."""
    officer_key = officer_key_for(institution, user)
    grant = active_grant(institution, officer_key)
    if officer_key is None or grant is None:
        raise crypto.DecryptionError("no active grant")
    officer_private = officer_private_key(officer_key, passphrase)
    private = crypto.unseal(officer_private, bytes(grant.sealed_private))
    access_log_append(institution=institution, user=user, action=AccessAction.UNLOCK)
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
    grant = KeyGrant.objects.create(
        institution=institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(bytes(officer_key.public_key), institution_private),
        granted_by=by,
    )
    access_log_append(
        institution=institution, user=by, action=AccessAction.GRANT, detail=f"officer {officer_key.user_id}"
    )
    return grant


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
    access_log_append(
        institution=institution,
        user=by,
        action=AccessAction.REVOKE,
        detail=f"officer {grant.officer_key.user_id}; version {version}",
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
    keyring.grants.filter(officer_key=officer_key, revoked_at__isnull=True).update(revoked_at=timezone.now())
    grant = KeyGrant.objects.create(
        institution=institution,
        keyring=keyring,
        officer_key=officer_key,
        sealed_private=crypto.seal(bytes(officer_key.public_key), private),
        granted_by=by,
    )
    access_log_append(
        institution=institution, user=by, action=AccessAction.RECOVER, detail=f"officer {officer_key.user_id}"
    )
    return grant
