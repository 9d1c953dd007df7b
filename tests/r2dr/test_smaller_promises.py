"""Issue 10, "smaller promises": session lifetimes, an audit chain that cannot be cut at its end unnoticed, the
receipt secret deploy check, case passphrases unlike the sign-in password, session-length CSRF cookies."""

import time
import types

import pytest
from django.core import checks, mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

import r2dr.sessions
from r2dr.audit import (
    AuditCheckpoint,
    audit_append,
    audit_checkpoint_issue,
    audit_checkpoint_latest,
    audit_checkpoint_parse,
    audit_verify,
)
from r2dr.models import AuditEntry, AuditHead
from r2dr.roles import Role
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db


# --- 1. sessions -------------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The sessions module's clock, moved by hand: `clock.now += 600`."""
    fake = types.SimpleNamespace(now=time.time())
    monkeypatch.setattr(r2dr.sessions, "time", types.SimpleNamespace(time=lambda: fake.now))
    return fake


def _home_status(client, institution):
    response = client.get(reverse("institution_home", kwargs={"institution_slug": institution.slug}))
    return response.status_code, response.get("Location", "")


def test_a_busy_staff_session_ends_at_its_absolute_lifetime(settings, clock, member_client, institution_a):
    settings.R2DR_SESSION_MAX_HOURS = 12
    settings.R2DR_SESSION_IDLE_MINUTES = 30
    client = member_client(institution_a, Role.DATA_OFFICER)
    # A request every 20 minutes (never idle) for 11 h 40 min: still signed in.
    for _ in range(35):
        clock.now += 20 * 60
        assert _home_status(client, institution_a)[0] == 200
    clock.now += 21 * 60  # 12 h 1 min after sign-in
    status, location = _home_status(client, institution_a)
    assert status == 302 and reverse("account_login") in location
    assert "_auth_user_id" not in client.session, "the session is signed out, not only redirected"
    clock.now += 60
    assert _home_status(client, institution_a)[0] == 302, "and stays signed out"


def test_an_idle_staff_session_ends_after_the_idle_timeout(settings, clock, member_client, institution_a):
    settings.R2DR_SESSION_IDLE_MINUTES = 30
    client = member_client(institution_a, Role.DATA_OFFICER)
    clock.now += 29 * 60
    assert _home_status(client, institution_a)[0] == 200
    clock.now += 29 * 60  # 29 minutes after the last request: the request above kept it alive
    assert _home_status(client, institution_a)[0] == 200
    clock.now += 31 * 60
    status, location = _home_status(client, institution_a)
    assert status == 302 and reverse("account_login") in location
    assert "_auth_user_id" not in client.session


def test_the_limits_are_settings(settings, clock, member_client, institution_a):
    settings.R2DR_SESSION_IDLE_MINUTES = 5
    client = member_client(institution_a, Role.DATA_OFFICER)
    clock.now += 6 * 60
    assert _home_status(client, institution_a)[0] == 302


def test_a_signed_in_session_without_a_start_time_is_signed_out(member_client, institution_a):
    client = member_client(institution_a, Role.DATA_OFFICER)
    session = client.session
    del session[r2dr.sessions.STARTED_KEY]
    session.save()
    assert _home_status(client, institution_a)[0] == 302


# --- 2. the audit chain's end ------------------------------------------------------------------------------------


def _as_superuser_bypassing_triggers(sql, params):
    """What the red team did: a database superuser switches triggers off and rewrites the log."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        for statement, args in zip(sql, params, strict=True):
            cursor.execute(statement, args)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _cut_last_entries(institution, n):
    head = AuditHead.objects.get(institution=institution)
    keep = head.seq - n
    kept_hash = AuditEntry.objects.for_institution(institution).get(seq=keep).hash
    _as_superuser_bypassing_triggers(
        [
            "DELETE FROM r2dr_auditentry WHERE institution_id = %s AND seq > %s",
            "UPDATE r2dr_audithead SET seq = %s, hash = %s WHERE institution_id = %s",
        ],
        [[institution.pk, keep], [keep, kept_hash, institution.pk]],
    )


@pytest.fixture
def chain(settings, tmp_path, institution_a, institution_b, make_member):
    settings.R2DR_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.R2DR_AUDIT_CHECKPOINT_KEY = "checkpoint-key-kept-off-the-database-0123456789"
    head = make_member(institution_a, Role.INSTITUTION_HEAD, email="head@a.example")
    make_member(institution_b, Role.INSTITUTION_HEAD, email="head@b.example")
    for i in range(30):
        audit_append(institution=institution_a, action="case.viewed", object_type="case", object_ref=f"C-{i}")
    audit_append(institution=institution_b, action="case.viewed", object_type="case", object_ref="C-B")
    return head


def test_cutting_the_last_12_entries_is_caught_by_the_checkpoint(
    chain, institution_a, institution_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_issue(institution=institution_a)
    assert checkpoint is not None and checkpoint.seq == 30
    # The checkpoint left the database twice: in a file and in an e-mail to the head.
    assert audit_checkpoint_latest(institution=institution_a) == checkpoint
    (message,) = [m for m in mail.outbox if m.to == ["head@a.example"]]
    assert checkpoint.line() in message.body
    assert audit_checkpoint_issue(institution=institution_b) is not None

    for i in range(5):  # the log goes on after the checkpoint
        audit_append(institution=institution_a, action="case.viewed", object_type="case", object_ref=f"D-{i}")
    assert audit_verify(institution=institution_a, checkpoint=checkpoint)[0]

    _cut_last_entries(institution_a, 12)  # #24..#35 gone, the head moved back to #23
    # The head alone is fooled, as the red team found ...
    assert audit_verify(institution=institution_a) == (True, "23 entries verified")
    # ... the checkpoint is not.
    ok, message = audit_verify(institution=institution_a, checkpoint=checkpoint)
    assert not ok and "checkpoint" in message and "#30" in message and "removed" in message
    # The command reads the last checkpoint from the configured directory, or takes the e-mailed line.
    out = open("/dev/null", "w")
    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("audit_verify", stdout=out)
    with pytest.raises(CommandError):
        call_command("audit_verify", "--institution", institution_a.slug, "--checkpoint", checkpoint.line(), stdout=out)
    call_command("audit_verify", "--institution", institution_b.slug, stdout=out)
    # The next periodic checkpoint refuses to anchor the cut chain, and tells the head.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_checkpoint_issue(institution=institution_a) is None
    assert audit_checkpoint_latest(institution=institution_a) == checkpoint
    (warning,) = mail.outbox
    assert warning.to == ["head@a.example"] and "failed verification" in warning.subject


def test_rewriting_the_entry_at_the_checkpoint_is_caught(chain, institution_a):
    checkpoint = audit_checkpoint_issue(institution=institution_a)
    # Rewrite the whole chain consistently from #20 on (fresh hashes): only the checkpoint still knows #30's hash.
    entries = list(AuditEntry.objects.for_institution(institution_a).filter(seq__gte=20).order_by("seq"))
    previous = AuditEntry.objects.for_institution(institution_a).get(seq=19).hash
    statements, params = [], []
    for entry in entries:
        entry.object_ref = "C-forged" if entry.seq == 20 else entry.object_ref
        entry.prev_hash = previous
        entry.hash = entry.compute_hash()
        previous = entry.hash
        statements.append("UPDATE r2dr_auditentry SET object_ref = %s, prev_hash = %s, hash = %s WHERE id = %s")
        params.append([entry.object_ref, entry.prev_hash, entry.hash, entry.pk])
    statements.append("UPDATE r2dr_audithead SET hash = %s WHERE institution_id = %s")
    params.append([previous, institution_a.pk])
    _as_superuser_bypassing_triggers(statements, params)
    assert audit_verify(institution=institution_a)[0]
    ok, message = audit_verify(institution=institution_a, checkpoint=checkpoint)
    assert not ok and "#30 differs from the checkpoint" in message


def test_a_checkpoint_cannot_be_forged_or_moved_to_another_institution(chain, settings, institution_a, institution_b):
    checkpoint = audit_checkpoint_issue(institution=institution_a)
    assert audit_checkpoint_parse(checkpoint.line()) == checkpoint
    lowered = AuditCheckpoint(checkpoint.institution_id, checkpoint.slug, 23, checkpoint.hash, checkpoint.issued_at)
    forged = lowered.payload() + " " + checkpoint.signature()
    with pytest.raises(ValueError, match="signature"):
        audit_checkpoint_parse(forged)
    line = checkpoint.line()
    settings.R2DR_AUDIT_CHECKPOINT_KEY = "another-key"
    with pytest.raises(ValueError, match="signature"):
        audit_checkpoint_parse(line)
    settings.R2DR_AUDIT_CHECKPOINT_KEY = "checkpoint-key-kept-off-the-database-0123456789"
    ok, message = audit_verify(institution=institution_b, checkpoint=checkpoint)
    assert not ok and "another institution" in message
    with pytest.raises(CommandError, match="signature"):
        call_command("audit_verify", "--checkpoint", forged, stdout=open("/dev/null", "w"))


def test_checkpoints_are_signed_every_day_by_the_worker(chain, institution_a, institution_b):
    from r2dr import tasks
    from r2dr.celery import app

    tasks.register_schedule(app)
    assert (
        app.conf.beat_schedule[tasks.AUDIT_CHECKPOINT_SCHEDULE_NAME]["task"] == "r2dr.tasks.audit_checkpoint_everywhere"
    )
    assert tasks.audit_checkpoint_everywhere.delay().get() == 2
    assert audit_checkpoint_latest(institution=institution_a).seq == 30


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_moving_the_head_back_deleting_it_and_truncate(institution_a):
    """Committed rows, as in production (TRUNCATE in the inserting transaction fails for another reason); the
    test's own teardown then empties the database through r2dr's `flush`, as a superuser."""
    if connection.vendor != "postgresql":
        skip_or_fail("the head and TRUNCATE triggers exist only on PostgreSQL (CI runs this test there)")
    for i in range(15):
        audit_append(institution=institution_a, action="case.viewed", object_ref=str(i))
    entry_3 = AuditEntry.objects.for_institution(institution_a).get(seq=3)
    heads = AuditHead.objects.filter(institution=institution_a)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        heads.update(seq=3, hash=entry_3.hash)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        heads.update(seq=16, hash="f" * 64)  # forward, but to no entry
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        heads.delete()
    for table in ("r2dr_auditentry", "r2dr_audithead", "r2dr_institution"):
        with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert audit_verify(institution=institution_a) == (True, "15 entries verified")
    audit_append(institution=institution_a, action="case.viewed")  # appending still moves the head
    assert heads.get().seq == 16


# --- 3. deploy check ---------------------------------------------------------------------------------------------


def _deploy_check_ids():
    return {message.id for message in checks.run_checks(include_deployment_checks=True)}


def test_check_deploy_warns_when_the_receipt_secret_is_unset(settings):
    settings.R2DR_RECEIPT_SECRET = ""
    assert "r2dr.W002" in _deploy_check_ids()
    settings.R2DR_RECEIPT_SECRET = "a-long-random-receipt-secret-of-its-own-0123456789"
    assert "r2dr.W002" not in _deploy_check_ids()


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "no.such.Backend",
    ],
)
def test_check_deploy_warns_when_the_mail_backend_would_leak_defenders(settings, backend):
    settings.EMAIL_BACKEND = backend
    assert "r2dr.W003" in _deploy_check_ids()


@pytest.mark.parametrize("backend", ["r2dr.mail.SMTPEmailBackend", "r2dr.mail.ConsoleEmailBackend"])
def test_check_deploy_accepts_r2drs_own_mail_backends(settings, backend):
    settings.EMAIL_BACKEND = backend
    assert "r2dr.W003" not in _deploy_check_ids()


# --- 4. case passphrase ------------------------------------------------------------------------------------------


def _create_key(client, institution, passphrase):
    return client.post(
        reverse("cases_my_key", kwargs={"institution_slug": institution.slug}),
        {"passphrase": passphrase, "passphrase2": passphrase},
        follow=True,
    )


@pytest.mark.parametrize(
    ("passphrase", "error"),
    [
        ("correct horse battery staple", "different from your sign-in password"),
        ("manchesterunited", "too common"),
        ("1q2w3e4r5t6y7u8i", "too common"),
    ],
)
def test_case_passphrase_is_not_the_sign_in_password_nor_common(member_client, institution_a, passphrase, error):
    from cases.models import OfficerKey

    client = member_client(institution_a, Role.CASE_OFFICER)
    assert client.user.check_password("correct horse battery staple")
    response = _create_key(client, institution_a, passphrase)
    assert error in response.content.decode()
    assert not OfficerKey.objects.for_institution(institution_a).filter(user=client.user).exists()
    response = _create_key(client, institution_a, "lantern orbit velvet quarry")
    assert OfficerKey.objects.for_institution(institution_a).filter(user=client.user).exists()


def test_changing_the_passphrase_to_the_sign_in_password_is_refused(member_client, institution_a):
    from cases.models import OfficerKey

    client = member_client(institution_a, Role.CASE_OFFICER)
    _create_key(client, institution_a, "lantern orbit velvet quarry")
    wrapped_before = bytes(OfficerKey.objects.for_institution(institution_a).get(user=client.user).wrapped_private)
    response = client.post(
        reverse("cases_my_passphrase", kwargs={"institution_slug": institution_a.slug}),
        {
            "action": "change",
            "current": "lantern orbit velvet quarry",
            "passphrase": "correct horse battery staple",
            "passphrase2": "correct horse battery staple",
        },
    )
    assert "different from your sign-in password" in response.content.decode()
    assert (
        bytes(OfficerKey.objects.for_institution(institution_a).get(user=client.user).wrapped_private) == wrapped_before
    ), "passphrase unchanged"


# --- 5. CSRF cookie ----------------------------------------------------------------------------------------------


def test_public_pages_set_only_session_length_cookies(client, institution_a):
    pages = [
        reverse("home"),
        reverse("cases_report_choose"),
        reverse("cases_followup_any"),
        reverse("cases_report", kwargs={"institution_slug": institution_a.slug}),
        reverse("cases_followup", kwargs={"institution_slug": institution_a.slug}),
    ]
    seen = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for name, morsel in response.cookies.items():
            seen.add(name)
            assert not morsel["expires"] and not morsel["max-age"], f"{url} sets a dated cookie {name}"
    assert "csrftoken" in seen, "the public forms do set a CSRF cookie"
