"""Retention: deletion removes rows, files and keys; legal hold protects; the audit log keeps opaque ids only."""

import datetime
import pathlib

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import plaintext, selectors, services
from cases.models import Case, Status
from r2dr.audit import audit_verify
from tests.cases.conftest import PASSPHRASE
from tests.cases.dump import database_bytes, media_bytes
from tests.cases.helpers import CaseFactory, walk_to

pytestmark = pytest.mark.django_db
SENTINEL = "RETENTIONCANARY"


@pytest.fixture
def closed_case(institution_a, keyed, taxonomy, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cases import crypto

    officer, _kit = keyed(institution_a)
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    case = CaseFactory(
        institution=institution_a,
        names=f"{SENTINEL} Person",
        narrative=SENTINEL,
        consents__protection="yes",
        consent_wording={"statistics": SENTINEL},
    )
    key = plaintext.case_key_for_officer(case, private)
    file_key = crypto.new_key()
    enc = crypto.StreamEncryptor(file_key)
    name = default_storage.save("cases/evidence.r2dr", ContentFile(enc.update(SENTINEL.encode() * 10) + enc.finalize()))
    services.attachments_add(
        case=case,
        case_key=key,
        uploads=[services.EncryptedUpload(name, file_key, "e.pdf", "application/pdf", "pdf", 10, "0" * 64)],
    )
    services.message_add(case=case, case_key=key, direction="institution", body=f"msg {SENTINEL}", author=officer)
    services.intervention_save(case=case, case_key=key, by=officer, kind="letter", status="sent", details=SENTINEL)
    services.case_index_names(case=case, case_key=key, institution_private=private)
    services.case_index_words(case=case, case_key=key, institution_private=private)
    case = walk_to(case, key, officer, Status.CLOSED)
    return institution_a, officer, case, pathlib.Path(settings.MEDIA_ROOT) / name


def _age(case, years):
    Case.objects.for_institution(case.institution).filter(pk=case.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=365 * years + 5)
    )


def test_deletion_leaves_nothing(closed_case, django_capture_on_commit_callbacks):
    institution, officer, case, path = closed_case
    assert path.exists()
    receipt_lookup, sealed = case.receipt_lookup, bytes(case.sealed_key)
    assert not selectors.cases_due_for_deletion(institution=institution).exists()  # 10 years by default
    _age(case, 11)
    call_command("cases_retention")  # dry run deletes nothing
    assert Case.objects.for_institution(institution).filter(pk=case.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases_retention", "--apply")
    assert not Case.objects.for_institution(institution).filter(pk=case.pk).exists()
    assert not path.exists()
    dump = database_bytes()
    for trace in (receipt_lookup.encode(), sealed):
        assert trace not in dump
    assert SENTINEL.encode() not in dump and SENTINEL.encode() not in media_bytes()
    from django.apps import apps

    for model in apps.get_app_config("cases").get_models():
        if any(f.name == "case" for f in model._meta.get_fields()):
            assert not model.all_objects.filter(case_id=case.pk).exists(), model
    # The audit log survives with the opaque reference only, and still verifies.
    assert audit_verify(institution=institution)[0]
    entries = selectors.access_entries(institution).filter(object_ref=case.reference)
    assert "cases.deleted" in set(entries.values_list("action", flat=True))


def test_legal_hold_protects(client, closed_case):
    institution, officer, case, path = closed_case
    _age(case, 20)
    client.force_login(officer)
    client.post(f"/{institution.slug}/cases/{case.pk}/legal-hold/", {"hold": "on"})
    call_command("cases_retention", "--apply")
    assert Case.objects.for_institution(institution).filter(pk=case.pk).exists() and path.exists()
    case.refresh_from_db()
    with pytest.raises(services.OnLegalHold):
        services.case_delete(case=case)
    client.post(f"/{institution.slug}/cases/{case.pk}/legal-hold/", {"hold": "off"})
    call_command("cases_retention", "--apply")
    assert not Case.objects.for_institution(institution).filter(pk=case.pk).exists()


def test_retention_period_per_institution(closed_case):
    institution, _officer, case, _path = closed_case
    _age(case, 3)
    assert not selectors.cases_due_for_deletion(institution=institution).exists()
    settings_obj = selectors.case_settings_get(institution=institution)
    settings_obj.retention_years = 2
    settings_obj.save()
    assert list(selectors.cases_due_for_deletion(institution=institution)) == [case]


def test_nightly_retention_task_deletes_only_what_is_due(closed_case, django_capture_on_commit_callbacks):
    from cases.tasks import RETENTION_SCHEDULE_NAME, apply_retention_everywhere
    from r2dr.celery import app

    institution, _officer, case, _path = closed_case
    assert app.conf.beat_schedule[RETENTION_SCHEDULE_NAME]["task"] == "cases.tasks.apply_retention_everywhere"
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention_everywhere.delay()
    assert Case.objects.for_institution(institution).filter(pk=case.pk).exists(), "not yet past its period"
    _age(case, 11)
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention_everywhere.delay()
    assert not Case.objects.for_institution(institution).filter(pk=case.pk).exists()
