"""The platform's credential keys and the Open Badges 3.0 credentials they sign (VC-JWT, EdDSA over Ed25519).

The signing key is `R2DR_CREDENTIAL_KEY` (32 bytes, base64url or hex: the Ed25519 seed). Left unset (demo,
tests) it is derived from SECRET_KEY, which `check --deploy` refuses (r2dr.checks). Retired keys stay listed in
the issuer profile (`R2DR_CREDENTIAL_OLD_KEYS`, their public keys as Multikey `z6Mk…` strings) so credentials
they signed still verify; only the current key signs.

The JWS is written here rather than with a JWT library: a compact JWS is three base64url parts and one
signature, and the independent verifier in the tests (openbadgeslib, on PyJWT) then shares no code with it.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from nacl.signing import SigningKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def multikey(public_key: bytes) -> str:
    """The Multikey `publicKeyMultibase` of an Ed25519 public key: "z" + base58btc(0xed01 + key)."""
    return "z" + _b58encode(_ED25519_MULTICODEC + public_key)


def _seed(text: str) -> bytes:
    text = text.strip()
    try:
        seed = bytes.fromhex(text)
    except ValueError:
        try:
            seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ValueError("R2DR_CREDENTIAL_KEY is neither hex nor base64url") from exc
    if len(seed) != 32:
        raise ValueError("R2DR_CREDENTIAL_KEY must hold 32 bytes (an Ed25519 seed)")
    return seed


def signing_key() -> SigningKey:
    """The current key: R2DR_CREDENTIAL_KEY, or for development one derived from SECRET_KEY."""
    if settings.R2DR_CREDENTIAL_KEY:
        return SigningKey(_seed(settings.R2DR_CREDENTIAL_KEY))
    return SigningKey(hashlib.sha256(f"r2dr.credential-key:{settings.SECRET_KEY}".encode()).digest())


def site() -> str:
    return settings.R2DR_SITE_URL.rstrip("/")


def issuer_id() -> str:
    return f"{site()}/credentials/issuer.json"


def status_list_url() -> str:
    return f"{site()}/credentials/status/revocation.jwt"


def verify_url(code: str) -> str:
    return f"{site()}/verify/{code}/"


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    public_key_multibase: str
    current: bool


def verification_methods() -> list[VerificationMethod]:
    """The current key first, then every retired one still listed."""
    current = multikey(bytes(signing_key().verify_key))
    methods = [VerificationMethod(f"{issuer_id()}#{current}", current, True)]
    for old in settings.R2DR_CREDENTIAL_OLD_KEYS:
        if old and old != current:
            methods.append(VerificationMethod(f"{issuer_id()}#{old}", old, False))
    return methods


def issuer_profile() -> dict[str, Any]:
    """The issuer's public profile (an OB 3.0 Profile that is also a controller document of its keys)."""
    methods = verification_methods()
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.R2DR_CERTIFICATE_ISSUER,
        "url": site() + "/",
        "verificationMethod": [
            {"id": m.id, "type": "Multikey", "controller": issuer_id(), "publicKeyMultibase": m.public_key_multibase}
            for m in methods
        ],
        "assertionMethod": [m.id for m in methods],
    }


def jws_sign(payload: dict[str, Any], *, typ: str) -> tuple[str, str]:
    """A compact JWS (EdDSA) of `payload` with the current key; returns (token, key id)."""
    key = signing_key()
    kid = verification_methods()[0].id
    header = {"alg": "EdDSA", "typ": typ, "kid": kid}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = key.sign(signing_input.encode("ascii")).signature
    return f"{signing_input}.{b64url(signature)}", kid


def jws_payload(token: str) -> dict[str, Any]:
    """The payload of a compact JWS this platform signed (read, not verified: it came from our own database)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def open_badge_credential(
    *,
    code: str,
    name: str,
    course_key: str,
    course_title: str,
    course_summary: str,
    cohort_title: str,
    institution_name: str,
    completed_on: str,
    issued_at: str,
    status_index: int,
) -> dict[str, Any]:
    """The OpenBadgeCredential of a certificate (unsigned). The learner is named by an IdentityObject of type
    "name" (OB 3.0 §B.1.14), as printed; no e-mail address or account id goes in."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url(code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": course_title,
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings.R2DR_CERTIFICATE_ISSUER,
            "url": site() + "/",
        },
        "validFrom": issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}],
            "activityEndDate": completed_on,
            "achievement": {
                "id": f"{site()}/credentials/achievements/{course_key}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": course_title,
                "description": course_summary or course_title,
                "criteria": {
                    "narrative": _(
                        "Every lesson of the course read and every module's quiz passed within the window of the "
                        "cohort %(cohort)s, as staff of %(institution)s."
                    )
                    % {"cohort": cohort_title, "institution": institution_name}
                },
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def credential_jwt(credential: dict[str, Any], *, not_before: int) -> tuple[str, str]:
    """The credential as a VC-JWT (OB 3.0 §8.2: the payload is the credential, with iss, nbf, jti)."""
    claims = {**credential, "iss": credential["issuer"]["id"], "nbf": not_before, "jti": credential["id"]}
    return jws_sign(claims, typ="JWT")


def encoded_list(revoked_indexes: list[int], size: int) -> str:
    """A Bitstring Status List `encodedList`: multibase "u" + base64url(gzip(bits)), index 0 the first byte's
    highest bit."""
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def status_list_jwt(*, revoked_indexes: list[int], size: int, valid_from: str, not_before: int) -> str:
    """The signed BitstringStatusListCredential of revocations."""
    credential = {
        "@context": [VC_CONTEXT],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked_indexes, size),
        },
    }
    token, _kid = jws_sign({**credential, "iss": issuer_id(), "nbf": not_before, "jti": status_list_url()}, typ="JWT")
    return token
