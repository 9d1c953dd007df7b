"""The Open Badges 3.0 credential, proven with tools nobody here wrote: 1EdTech's own JSON Schema validates it
with no error, and openbadgeslib's OB 3.0 VC-JWT verifier (on PyJWT and cryptography) finds it valid, finds it
invalid after a one-byte change, and finds it revoked through the status list once a facilitator revoked it."""

import base64
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from jsonschema import Draft201909Validator
from openbadgeslib.ob3.did import resolve_did
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from tests.certificates.helpers import complete, learner
from training.certificates import credential, services

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).parent / "ob3"


def _validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def _payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _errors(validator, document):
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture
def issued(institution_a):
    enrolment = complete(learner(institution_a, first="สมชาย", last="ใจดี", language="th"))
    return services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk)


@pytest.fixture
def verifier(client):
    """openbadgeslib's verifier, with the key it reads from the issuer's public profile (a Multikey, resolved
    by openbadgeslib's own did:key decoder), and fetching URLs from this site through the test client."""
    profile = client.get("/credentials/issuer.json").json()
    method = profile["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert method["id"] in profile["assertionMethod"]
    pem = resolve_did("did:key:" + method["publicKeyMultibase"])

    def download(url):
        assert url.startswith("https://r2dr.example.org/")
        response = client.get(url.removeprefix("https://r2dr.example.org"))
        assert response.status_code == 200
        return response.content

    return OB3Verifier(pubkey_pem=pem), download


def test_the_official_schema_finds_no_error_in_the_credential_or_the_issuer_profile(issued, client):
    credential_errors = _errors(
        _validator("ob_v3p0_achievementcredential_schema.json"), _payload(issued.credential_jwt)
    )
    assert credential_errors == []
    profile_errors = _errors(_validator("ob_v3p0_profile_schema.json"), client.get("/credentials/issuer.json").json())
    assert profile_errors == []


def test_the_schema_does_catch_a_broken_credential(issued):
    """The control: the schema is not one that passes anything."""
    broken = _payload(issued.credential_jwt)
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["type"] = ["VerifiableCredential"]
    assert len(_errors(_validator("ob_v3p0_achievementcredential_schema.json"), broken)) >= 2


def test_openbadgeslib_verifies_it_a_one_byte_change_breaks_it_and_revocation_shows(issued, verifier, make_member):
    check, download = verifier
    verified = check.verify(issued.credential_jwt, check_status=True, download=download)
    assert verified.achievement.name == issued.course_title
    assert verified.issuer.id == "https://r2dr.example.org/credentials/issuer.json"

    token = issued.credential_jwt
    header, payload, signature = token.split(".")
    body = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    at = body.index(b'"Certificate"') + 2
    body[at] ^= 0x01  # "Certificate" -> "Bertificate": one byte of the signed credential
    changed = f"{header}.{base64.urlsafe_b64encode(bytes(body)).rstrip(b'=').decode()}.{signature}"
    with pytest.raises(OB3VerificationError, match="signature"):
        check.verify(changed)
    sig = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    sig[0] ^= 0x01
    with pytest.raises(OB3VerificationError, match="signature"):
        check.verify(f"{header}.{payload}.{base64.urlsafe_b64encode(bytes(sig)).rstrip(b'=').decode()}")

    services.certificate_revoke(certificate=issued, by=make_member(None, "facilitator"), reason="Issued in error")
    check.verify(issued.credential_jwt)  # the signature stays good: revocation is in the status list
    with pytest.raises(OB3VerificationError, match="revocation"):
        check.verify(issued.credential_jwt, check_status=True, download=download)


def test_a_rotated_key_stays_listed_and_what_it_signed_still_verifies(issued, settings, client):
    old_pem = resolve_did(
        "did:key:" + client.get("/credentials/issuer.json").json()["verificationMethod"][0]["publicKeyMultibase"]
    )
    old_multikey = credential.multikey(bytes(credential.signing_key().verify_key))
    settings.R2DR_CREDENTIAL_KEY = "ab" * 32
    settings.R2DR_CREDENTIAL_OLD_KEYS = [old_multikey]
    methods = client.get("/credentials/issuer.json").json()["verificationMethod"]
    assert [m["publicKeyMultibase"] for m in methods][1:] == [old_multikey]
    assert methods[0]["publicKeyMultibase"] != old_multikey
    assert _payload(issued.credential_jwt)  # issued before the rotation
    OB3Verifier(pubkey_pem=old_pem).verify(issued.credential_jwt)
    with pytest.raises(OB3VerificationError):
        OB3Verifier(pubkey_pem=resolve_did("did:key:" + methods[0]["publicKeyMultibase"])).verify(issued.credential_jwt)


def test_check_deploy_requires_the_credential_key(settings, monkeypatch):
    # The browser tests' conftest allows async-unsafe calls for Playwright, which check --deploy reports
    # (async.E001) whenever they ran earlier in the same process: this test is about r2dr's own check.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.R2DR_CREDENTIAL_KEY = ""
    with pytest.raises(SystemCheckError, match="R2DR_CREDENTIAL_KEY"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.R2DR_CREDENTIAL_KEY = "cd" * 32
    call_command("check", "--deploy", "--fail-level", "ERROR")
