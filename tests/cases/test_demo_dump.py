"""The populated demo: seeded idempotently, readable with the documented passphrase, and a full copy of the
database, media and environment decrypts nothing without an officer passphrase or the recovery kit."""

import base64
import binascii
import re

import pytest

from cases import aad, crypto, plaintext, services
from cases.demo import DEMO_CASE_PASSPHRASE
from cases.models import Case, Keyring, ProtectionMechanism
from tests.cases.dump import database_rows, environment_bytes, media_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from cases import demo as cases_demo
    from r2dr import demo as core_demo

    core_demo.seed()
    cases_demo.seed()
    cases_demo.seed()  # idempotent
    from r2dr.models import Institution

    return Institution.objects.get(slug="komnas-ham")


def test_demo_seed(demo):
    from django.contrib.auth import get_user_model

    assert Case.objects.for_institution(demo).filter(origin="public_form").count() == 24
    recorded = Case.objects.for_institution(demo).get(origin="media")  # staff-recorded, the same defender again
    assert recorded.repeat_attack and recorded.escalated_at is not None
    names = set(ProtectionMechanism.objects.filter(institution__isnull=True).values_list("name", flat=True))
    assert any("ProtectDefenders" in n for n in names) and any("Access Now" in n for n in names)
    officer = get_user_model().objects.get(username="cases@komnasham.example")
    _kr, private = services.keyring_unlock(institution=demo, user=officer, passphrase=DEMO_CASE_PASSPHRASE)
    case = Case.objects.for_institution(demo).order_by("pk").first()
    assert "(demo)" in plaintext.case_private(case, plaintext.case_key_for_officer(case, private))["affected_names"]
    cases = Case.objects.for_institution(demo)
    state = cases.filter(perpetrator_kind="state").count()
    assert state >= 16  # ~90% State perpetrators


def test_demo_caseload_is_realistic(demo):
    """A few repeat attacks (the case recorded about the same defender again, and the one it repeats), not most of
    them; every status reached through workflow steps with their reasons; a caseload spread over time."""
    from django.utils import timezone

    from cases.models import CaseTransition, Status

    cases = list(Case.objects.for_institution(demo).order_by("pk"))
    assert len(cases) == 25
    assert sum(c.repeat_attack for c in cases) == 2, [c.reference for c in cases if c.repeat_attack]
    assert len({c.status for c in cases}) >= 4
    now = timezone.now()
    for case in cases:
        steps = list(CaseTransition.objects.for_institution(demo).filter(case=case).order_by("at", "pk"))
        if case.status == Status.RECEIVED:
            assert not steps
            continue
        assert steps and steps[-1].to_status == case.status, f"{case.reference}: {case.status} without its step"
        assert [s.from_status for s in steps[1:]] == [s.to_status for s in steps[:-1]]  # no step skipped
        assert case.received_at <= steps[0].at <= steps[-1].at <= now
        assert case.first_response_at is not None
        if case.status == Status.ACTION or (case.status == Status.CLOSED and case.verified_at):
            assert case.is_verified and any(s.to_status == Status.ACTION for s in steps)
        if case.status == Status.CLOSED:
            assert case.outcome and case.closed_at and case.response_timer["text"] == "closed"
        if case.incident_date:
            assert case.received_at.date() >= case.incident_date
    assert len({c.received_at.date() for c in cases}) > 10  # not all received today


def _candidates(blobs):
    """Every 32-byte value found in the copy: raw, base64 or hex encoded."""
    found = set()
    b64 = re.compile(rb"[A-Za-z0-9+/_-]{42,44}={0,2}")
    hexre = re.compile(rb"[0-9a-fA-F]{64}")
    for blob in blobs:
        if len(blob) == 32:
            found.add(bytes(blob))
        for m in b64.findall(blob):
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    raw = decode(m + b"=" * (-len(m) % 4))
                except (binascii.Error, ValueError):
                    continue
                if len(raw) == 32:
                    found.add(raw)
        for m in hexre.findall(blob):
            found.add(binascii.unhexlify(m))
    return found


def test_dump_of_populated_demo_decrypts_nothing(demo, settings):
    from django.core.cache import cache

    blobs = []
    for _table, row in database_rows():
        for value in row:
            blobs.append(bytes(value) if isinstance(value, bytes | memoryview | bytearray) else str(value).encode())
    blobs += [media_bytes(), environment_bytes(), repr(getattr(cache, "_cache", {})).encode()]
    whole = b"\n".join(blobs)
    # No demo narrative or name in clear anywhere.
    for text in (b"Ayu Lestari", b"spreading false news", b"demo district", DEMO_CASE_PASSPHRASE.encode()):
        assert text not in whole
    candidates = _candidates(blobs)
    candidates.add(settings.SECRET_KEY.encode()[:32].ljust(32, b"\0"))
    for purpose in ("receipt", "challenge", "bulk"):
        candidates.add(crypto._server_secret(purpose)[:32])
    assert len(candidates) > 50  # the search really looked at something
    cases = list(Case.objects.for_institution(demo))
    keyrings = list(Keyring.objects.for_institution(demo))
    opened = 0
    for key in candidates:
        for keyring in keyrings:
            for sealed in (keyring.recovery_sealed_private,):
                try:
                    crypto.unseal(key, sealed)
                    opened += 1
                except crypto.DecryptionError:
                    pass
        for case in cases[:8]:
            try:
                crypto.unseal(key, case.sealed_key)
                opened += 1
            except crypto.DecryptionError:
                pass
            try:
                crypto.decrypt(key, case.payload, aad.aad_payload(case))
                opened += 1
            except crypto.DecryptionError:
                pass
    assert opened == 0


def test_bulk_seed_and_bulk_case_view(demo, client, monkeypatch):
    from django.contrib.auth import get_user_model

    from cases import demo as cases_demo
    from cases.models import Consent
    from r2dr.tenancy import scopes_disabled

    monkeypatch.setattr(cases_demo, "BULK_CASES_PER_SCALE", 100)  # 50,000 per unit in real runs
    cases_demo.seed(scale=1)
    cases_demo.seed(scale=1)  # idempotent
    with scopes_disabled():
        bulk = Case.objects.filter(reference__startswith="B-")
        assert bulk.count() == 100
        assert Consent.objects.filter(case__reference__startswith="B-").count() == 100
    case = Case.objects.for_institution(demo).filter(reference__startswith="B-").first()
    officer = get_user_model().objects.get(username="cases@komnasham.example")
    client.force_login(officer)
    client.post(f"/{demo.slug}/cases/unlock/", {"passphrase": DEMO_CASE_PASSPHRASE})
    r = client.get(f"/{demo.slug}/cases/{case.pk}/")
    assert r.status_code == 200 and "cannot be decrypted" in r.content.decode()


def test_demo_institution_name_reads_in_its_own_language(demo, client):
    from django.utils import translation

    with translation.override("id"):
        assert str(demo) == "Komisi Nasional Hak Asasi Manusia (Komnas HAM)"
    with translation.override("en"):
        assert str(demo).startswith("Komnas HAM (National Commission")
    page = client.get(f"/{demo.slug}/report/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Komisi Nasional Hak Asasi Manusia" in page
