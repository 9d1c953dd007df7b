"""Keys follow people: a member who leaves (or loses every key role) keeps nothing that opens a later case."""

import pytest

from cases import crypto, plaintext, selectors, services
from cases.aad import aad_officer
from cases.models import Case, KeyGrant, Keyring, OfficerKey
from r2dr import services as platform
from r2dr.models import Membership
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.dump import database_rows
from tests.cases.helpers import CaseFactory

LEAVER_PASSPHRASE = "the leaver's own case passphrase"


def _narrative(case, institution_private):
    case = Case.objects.for_institution(case.institution).get(pk=case.pk)
    return plaintext.case_private(case, plaintext.case_key_for_officer(case, institution_private))["narrative"]


def _opens(private, sealed) -> bool:
    try:
        crypto.unseal(private, bytes(sealed))
    except crypto.DecryptionError:
        return False
    return True


@pytest.fixture
def team(institution_a, keyed, make_member):
    """A keyed institution with a second, granted officer (the leaver) and an admin; the leaver's copies taken
    while they were entitled: their officer private key and the institution private key they could unlock."""
    officer, kit = keyed(institution_a)
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    leaver = make_member(institution_a, Role.CASE_OFFICER, email="leaver@a.example")
    leaver_key = services.officer_key_create(institution=institution_a, user=leaver, passphrase=LEAVER_PASSPHRASE)
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    services.key_grant_create(
        institution=institution_a, by=officer, institution_private=private, officer_key=leaver_key
    )
    _kr, copied_institution_private = services.keyring_unlock(
        institution=institution_a, user=leaver, passphrase=LEAVER_PASSPHRASE
    )
    return {
        "officer": officer,
        "kit": kit,
        "admin": admin,
        "leaver": leaver,
        "leaver_private": plaintext.officer_private_key(leaver_key, LEAVER_PASSPHRASE),
        "copied_institution_private": copied_institution_private,
    }


def _remove(institution, user, role, by):
    membership = Membership.objects.get(institution=institution, user=user, role=role)
    platform.membership_revoke(membership=membership, by=by)


def _leaver_keys_from_dump(leaver_private, copied_institution_private):
    """Every institution private key the former member can get from a copy of every database row."""
    keys = [copied_institution_private]
    for _table, row in database_rows():
        for value in row:
            if isinstance(value, bytes | memoryview | bytearray) and value and _opens(leaver_private, value):
                keys.append(crypto.unseal(leaver_private, bytes(value)))
    return keys


def test_removed_officer_cannot_decrypt_a_case_submitted_after_removal(institution_a, team):
    before = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported before removal")
    _remove(institution_a, team["leaver"], Role.CASE_OFFICER, team["admin"])
    after = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported after removal")

    keys = _leaver_keys_from_dump(team["leaver_private"], team["copied_institution_private"])
    assert not any(_opens(key, after.sealed_key) for key in keys)
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=team["leaver"], passphrase=LEAVER_PASSPHRASE)

    # Re-inviting the former member gives back the role, not the key: a colleague must grant a new key.
    invitation, _token = platform.invitation_create(
        email=team["leaver"].email, role=Role.CASE_OFFICER, institution=institution_a, by=team["admin"]
    )
    platform.invitation_accept(invitation=invitation, user=team["leaver"])
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=team["leaver"], passphrase=LEAVER_PASSPHRASE)
    services.officer_key_create(institution=institution_a, user=team["leaver"], passphrase=LEAVER_PASSPHRASE)
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=team["leaver"], passphrase=LEAVER_PASSPHRASE)
    keys = _leaver_keys_from_dump(team["leaver_private"], team["copied_institution_private"])
    assert not any(_opens(key, after.sealed_key) for key in keys)

    # The officer who stays reads both cases: their unlock re-seals the older one to the new key.
    _kr, private = services.keyring_unlock(institution=institution_a, user=team["officer"], passphrase=PASSPHRASE)
    assert _narrative(before, private) == "reported before removal"
    assert _narrative(after, private) == "reported after removal"
    active = selectors.active_keyring(institution_a)
    assert set(Case.objects.for_institution(institution_a).values_list("keyring_id", flat=True)) == {active.pk}
    assert not any(_opens(key, Case.objects.get(pk=before.pk).sealed_key) for key in keys[1:])


def test_removed_member_has_nothing_left_usable(institution_a, team):
    leaver = team["leaver"]
    _remove(institution_a, leaver, Role.CASE_OFFICER, team["admin"])

    assert not Membership.objects.filter(user=leaver).exists()
    assert not OfficerKey.objects.for_institution(institution_a).filter(user=leaver).exists()
    assert not KeyGrant.objects.for_institution(institution_a).filter(officer_key__user=leaver).exists()
    # No wrapped officer key in the database unwraps with the former member's passphrase.
    for okey in OfficerKey.objects.for_institution(institution_a):
        with pytest.raises(crypto.DecryptionError):
            crypto.unwrap_with_secret(
                LEAVER_PASSPHRASE, okey.salt, okey.kdf, okey.wrapped_private, aad_officer(institution_a.pk, leaver.pk)
            )
    # No sealed value in the database opens with the officer private key they held.
    assert _leaver_keys_from_dump(team["leaver_private"], b"\0" * 32)[1:] == []
    # The removal rotated the key pair without an unlocked officer, and says so in the access log.
    assert Keyring.objects.for_institution(institution_a).filter(is_active=True).get().version == 2
    assert selectors.verify_access_log(institution_a)


def test_losing_one_of_two_key_roles_keeps_the_key_and_losing_both_ends_it(institution_a, team, make_member):
    leaver = team["leaver"]
    platform.membership_grant(user=leaver, role=Role.INSTITUTION_HEAD, institution=institution_a)
    platform.membership_grant(user=leaver, role=Role.DATA_OFFICER, institution=institution_a)

    _remove(institution_a, leaver, Role.DATA_OFFICER, team["admin"])
    _remove(institution_a, leaver, Role.CASE_OFFICER, team["admin"])
    _kr, private = services.keyring_unlock(institution=institution_a, user=leaver, passphrase=LEAVER_PASSPHRASE)
    assert private == team["copied_institution_private"]
    assert selectors.active_keyring(institution_a).version == 1

    _remove(institution_a, leaver, Role.INSTITUTION_HEAD, team["admin"])
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=leaver, passphrase=LEAVER_PASSPHRASE)
    after = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported after demotion")
    keys = _leaver_keys_from_dump(team["leaver_private"], team["copied_institution_private"])
    assert not any(_opens(key, after.sealed_key) for key in keys)


def test_recovery_kit_reopens_every_case_when_the_only_key_holder_left(institution_a, keyed, make_member):
    officer, kit = keyed(institution_a)
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    before = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported before removal")
    _remove(institution_a, officer, Role.CASE_OFFICER, admin)
    after = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported after removal")

    newcomer = make_member(institution_a, Role.CASE_OFFICER, email="newcomer@a.example")
    nkey = services.officer_key_create(institution=institution_a, user=newcomer, passphrase="newcomer pass")
    services.key_grant_recover(institution=institution_a, by=newcomer, kit_text=kit, officer_key=nkey)
    _kr, private = services.keyring_unlock(institution=institution_a, user=newcomer, passphrase="newcomer pass")
    assert _narrative(before, private) == "reported before removal"
    assert _narrative(after, private) == "reported after removal"


def test_removal_through_the_members_page_ends_the_grant(client, institution_a, team):
    membership = Membership.objects.get(institution=institution_a, user=team["leaver"], role=Role.CASE_OFFICER)
    client.force_login(team["admin"])
    response = client.post(f"/{institution_a.slug}/members/{membership.pk}/remove/", follow=True)
    assert response.status_code == 200
    assert not OfficerKey.objects.for_institution(institution_a).filter(user=team["leaver"]).exists()
    after = CaseFactory(names="CANARY Person", institution=institution_a, narrative="reported after removal")
    keys = _leaver_keys_from_dump(team["leaver_private"], team["copied_institution_private"])
    assert not any(_opens(key, after.sealed_key) for key in keys)
