import pytest

from cases import crypto, plaintext, selectors, services
from cases.models import Case, KeyGrant
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory


def test_setup_unlock_and_read(institution_a, keyed):
    officer, kit = keyed(institution_a)
    case = CaseFactory(institution=institution_a, narrative="the narrative")
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    key = plaintext.case_key_for_officer(case, private)
    assert plaintext.case_private(case, key)["narrative"] == "the narrative"
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=officer, passphrase="wrong passphrase")
    assert b"narrative" not in bytes(case.payload)
    assert selectors.verify_access_log(institution_a)


def test_submitter_reads_officer_reply_with_receipt(institution_a, keyed):
    officer, _kit = keyed(institution_a)
    case = CaseFactory(institution=institution_a, narrative="the narrative")
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    services.message_add(
        case=case, case_key=plaintext.case_key_for_officer(case, private), direction="institution", body="We hear you"
    )
    found = plaintext.case_for_receipt(institution=institution_a, code=case.receipt_code)
    assert found is not None
    found_case, key = found
    assert [plaintext.message_text(found_case, key, m) for m in found_case.messages.all()] == ["We hear you"]
    assert plaintext.case_for_receipt(institution=institution_a, code="1" * 25) is None


def test_grant_and_revoke_rotates_keys(institution_a, keyed, make_member):
    officer, kit = keyed(institution_a)
    colleague = make_member(institution_a, Role.CASE_OFFICER, email="colleague@a.example")
    ckey = services.officer_key_create(institution=institution_a, user=colleague, passphrase="colleague pass")
    case = CaseFactory(institution=institution_a, narrative="the narrative")
    code = case.receipt_code
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    grant = services.key_grant_create(
        institution=institution_a, by=officer, institution_private=private, officer_key=ckey
    )
    _kr, colleague_private = services.keyring_unlock(
        institution=institution_a, user=colleague, passphrase="colleague pass"
    )
    assert colleague_private == private
    old_sealed = bytes(Case.objects.for_institution(institution_a).get(pk=case.pk).sealed_key)

    new_keyring, new_private = services.key_grant_revoke(
        institution=institution_a, by=officer, institution_private=private, grant=grant
    )
    assert new_private != private
    # The revoked colleague can no longer unlock ...
    with pytest.raises(crypto.DecryptionError):
        services.keyring_unlock(institution=institution_a, user=colleague, passphrase="colleague pass")
    # ... and even the old institution key it once held opens no current case key.
    case = Case.objects.for_institution(institution_a).get(pk=case.pk)
    assert bytes(case.sealed_key) != old_sealed
    with pytest.raises(crypto.DecryptionError):
        plaintext.case_key_for_officer(case, colleague_private)
    # Old sealed copies are wiped.
    assert all(
        bytes(g.sealed_private) == b""
        for g in KeyGrant.objects.for_institution(institution_a).exclude(keyring=new_keyring)
    )
    # The remaining officer, the recovery kit and the submitter still work.
    _kr, again = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    assert plaintext.case_private(case, plaintext.case_key_for_officer(case, again))["narrative"] == "the narrative"
    assert plaintext.case_for_receipt(institution=institution_a, code=code) is not None
    new_case = CaseFactory(institution=institution_a, narrative="after rotation")
    with pytest.raises(crypto.DecryptionError):
        plaintext.case_key_for_officer(new_case, colleague_private)
    actions = set(selectors.access_entries(institution_a).values_list("action", flat=True))
    assert {"cases.setup", "cases.unlock", "cases.grant", "cases.revoke"} <= actions
    assert selectors.verify_access_log(institution_a)


def test_recovery_kit_restores_access(institution_a, keyed, make_member):
    officer, kit = keyed(institution_a)
    case = CaseFactory(institution=institution_a, narrative="the narrative")
    newcomer = make_member(institution_a, Role.CASE_OFFICER, email="newcomer@a.example")
    nkey = services.officer_key_create(institution=institution_a, user=newcomer, passphrase="newcomer pass")
    with pytest.raises(crypto.DecryptionError):
        services.key_grant_recover(
            institution=institution_a, by=newcomer, kit_text=crypto.new_recovery_kit()[0], officer_key=nkey
        )
    services.key_grant_recover(institution=institution_a, by=newcomer, kit_text=kit, officer_key=nkey)
    _kr, private = services.keyring_unlock(institution=institution_a, user=newcomer, passphrase="newcomer pass")
    assert plaintext.case_private(case, plaintext.case_key_for_officer(case, private))["narrative"] == "the narrative"


def test_other_institution_key_cannot_open(institution_a, institution_b, keyed):
    officer_a, _ = keyed(institution_a)
    keyed(institution_b, email="officer@b.example")
    case_b = CaseFactory(institution=institution_b, narrative="the narrative")
    _kr, private_a = services.keyring_unlock(institution=institution_a, user=officer_a, passphrase=PASSPHRASE)
    with pytest.raises(crypto.DecryptionError):
        plaintext.case_key_for_officer(case_b, private_a)


def test_access_log_is_append_only(institution_a, keyed):
    keyed(institution_a)
    entry = selectors.access_entries(institution_a).first()
    assert entry.action == "cases.unlock" or entry.action == "cases.setup"
    from django.db import DatabaseError, transaction

    entry.detail = {"note": "tampered"}
    try:
        with transaction.atomic():
            entry.save()
    except DatabaseError:
        return  # PostgreSQL's trigger refuses the update outright
    assert not selectors.verify_access_log(institution_a)
