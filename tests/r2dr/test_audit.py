import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from r2dr.audit import AuditEntry, audit_append, audit_verify
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db


def test_chain_verifies_and_detects_an_altered_entry(institution_a, institution_b):
    for i in range(5):
        audit_append(institution=institution_a, action="case.viewed", object_type="case", object_ref=f"C-{i}")
    audit_append(institution=institution_b, action="case.viewed", object_type="case", object_ref="C-B")
    assert audit_verify(institution=institution_a) == (True, "5 entries verified")
    assert audit_verify(institution=institution_b)[0]
    entry = AuditEntry.objects.for_institution(institution_a).get(seq=3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # an attacker with superuser rights
        cursor.execute("UPDATE r2dr_auditentry SET object_ref = 'C-forged' WHERE id = %s", [entry.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    ok, message = audit_verify(institution=institution_a)
    assert not ok and "#3 was altered" in message
    assert audit_verify(institution=institution_b)[0], "one institution's tampering does not affect another's"
    with pytest.raises(CommandError):
        call_command("audit_verify", "--institution", institution_a.slug, stdout=open("/dev/null", "w"))


def test_removing_the_last_entry_is_detected(institution_a):
    for i in range(3):
        audit_append(institution=institution_a, action="export", object_ref=str(i))
    last = AuditEntry.objects.for_institution(institution_a).get(seq=3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # an attacker with superuser rights
        cursor.execute("DELETE FROM r2dr_auditentry WHERE id = %s", [last.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    ok, message = audit_verify(institution=institution_a)
    assert not ok and "removed" in message


def test_database_refuses_updates_and_deletes(institution_a):
    if connection.vendor != "postgresql":
        skip_or_fail("the append-only trigger exists only on PostgreSQL (CI runs this test there)")
    entry = audit_append(institution=institution_a, action="case.viewed")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.for_institution(institution_a).filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.for_institution(institution_a).filter(pk=entry.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(institution_a):
    if connection.vendor != "postgresql":
        skip_or_fail("SQLite serialises writers, so only PostgreSQL's row locks can be raced (CI runs this)")
    errors = []

    def writer(n):
        try:
            for i in range(10):
                audit_append(institution=institution_a, action="case.viewed", object_ref=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    entries = list(AuditEntry.objects.for_institution(institution_a).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 61))
    assert len({e.prev_hash for e in entries}) == 60
    assert audit_verify(institution=institution_a)[0]
