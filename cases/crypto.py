"""Cryptography of the cases app (PyNaCl / libsodium only).

Key hierarchy (see docs/threat-model.md):

    case data  --XChaCha20-Poly1305 (AEAD, bound to case id + purpose)-->  case key (random, 32 bytes)
    case key   --sealed box-->                      institution public key (X25519)
    case key   --AEAD under Argon2id(receipt)-->    the submitter's receipt code
    institution private key --sealed box-->         each officer's public key, and the recovery kit's public key
    officer private key     --AEAD under Argon2id(case passphrase)
    file        --secretstream XChaCha20-Poly1305 under a random file key--> disk; file key wrapped by case key

Nothing here touches the database: these are pure functions over bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = 32
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES  # 16

# Production-strength Argon2id defaults (RFC 9106's second recommended option:
# t=3, m=64 MiB). Tests lower them with the settings fixture.
DEFAULT_OPSLIMIT = 3
DEFAULT_MEMLIMIT = 64 * 1024 * 1024


class DecryptionError(Exception):
    """Wrong key, wrong passphrase/receipt, or tampered ciphertext."""


# --- key derivation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    opslimit: int
    memlimit: int

    def as_dict(self) -> dict:
        return {"alg": "argon2id13", "ops": self.opslimit, "mem": self.memlimit}

    @classmethod
    def from_dict(cls, data: dict) -> KdfParams:
        return cls(opslimit=int(data["ops"]), memlimit=int(data["mem"]))


def kdf_params() -> KdfParams:
    return KdfParams(
        opslimit=int(getattr(settings, "R2DR_KDF_OPSLIMIT", DEFAULT_OPSLIMIT)),
        memlimit=int(getattr(settings, "R2DR_KDF_MEMLIMIT", DEFAULT_MEMLIMIT)),
    )


def derive_key(secret: str | bytes, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id: a 32-byte key from a passphrase or receipt code."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return nacl.pwhash.argon2id.kdf(KEY_BYTES, secret, salt, opslimit=params.opslimit, memlimit=params.memlimit)


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


def new_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


# --- symmetric AEAD (XChaCha20-Poly1305-IETF) ------------------------------------------------------


def encrypt(key: bytes, plaintext: bytes, aad: str) -> bytes:
    """AEAD with a random 24-byte nonce; `aad` binds the ciphertext to its place (case, field)."""
    return bytes(nacl.secret.Aead(key).encrypt(plaintext, aad.encode("utf-8")))


def decrypt(key: bytes, ciphertext: bytes, aad: str) -> bytes:
    try:
        return nacl.secret.Aead(key).decrypt(bytes(ciphertext), aad.encode("utf-8"))
    except (CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError("cannot decrypt") from exc


# --- key pairs and sealed boxes ----------------------------------------------------------------------


def new_keypair() -> tuple[bytes, bytes]:
    """(private, public) X25519 keys as raw bytes."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(plaintext))


def unseal(private_key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(ciphertext)))
    except (CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError("cannot open sealed box") from exc


def public_of(private_key: bytes) -> bytes:
    return bytes(PrivateKey(bytes(private_key)).public_key)


# --- wrapping under a passphrase / receipt --------------------------------------------------------


def wrap_with_secret(secret: str, key: bytes, aad: str, params: KdfParams | None = None) -> dict:
    """Wrap `key` under Argon2id(secret). Returns what to store (salt, params, ciphertext)."""
    params = params or kdf_params()
    salt = new_salt()
    wrapping = derive_key(secret, salt, params)
    return {"salt": salt, "kdf": params.as_dict(), "wrapped": encrypt(wrapping, key, aad)}


def unwrap_with_secret(secret: str, salt: bytes, kdf: dict, wrapped: bytes, aad: str) -> bytes:
    wrapping = derive_key(secret, bytes(salt), KdfParams.from_dict(kdf))
    return decrypt(wrapping, wrapped, aad)


# --- receipt codes ----------------------------------------------------------------------------------

RECEIPT_GROUPS = 5
RECEIPT_GROUP_DIGITS = 5  # 25 random digits: log2(10**25) = 83.0 bits


def new_receipt_code() -> str:
    digits = "".join(str(secrets.randbelow(10)) for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_DIGITS))
    return " ".join(digits[i : i + RECEIPT_GROUP_DIGITS] for i in range(0, len(digits), RECEIPT_GROUP_DIGITS))


_DIGIT_MAP = {ord(c): str(i) for block in ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "๐๑๒๓๔๕๖๗๘๙",
                                           "०१२३४५६७८९", "၀၁၂၃၄၅၆၇၈၉", "០១២៣៤៥៦៧៨៩", "০১২৩৪৫৬৭৮৯")
              for i, c in enumerate(block)}  # fmt: skip


def normalise_receipt(code: str) -> str | None:
    """Digits only (any of the region's scripts' digits accepted), or None if malformed."""
    if not isinstance(code, str) or len(code) > 200:
        return None
    digits = "".join(ch for ch in code.translate(_DIGIT_MAP) if ch in "0123456789")
    if len(digits) != RECEIPT_GROUPS * RECEIPT_GROUP_DIGITS:
        return None
    return digits


def _server_secret(purpose: str) -> bytes:
    base = getattr(settings, "R2DR_RECEIPT_SECRET", "") or settings.SECRET_KEY
    return hashlib.blake2b(
        base.encode("utf-8"), person=b"r2dr-cases", salt=purpose.encode()[:16].ljust(16, b"\0")
    ).digest()


def receipt_lookup(normalised: str) -> str:
    """Keyed hash (HMAC-SHA256 with a server-side secret) used to find a case by its receipt."""
    return hmac.new(_server_secret("receipt"), normalised.encode("ascii"), hashlib.sha256).hexdigest()


def keyed_hash(purpose: str, value: str) -> str:
    """Generic keyed hash for other lookups (duplicates by normalised names in the next issue)."""
    return hmac.new(_server_secret(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- recovery kit -----------------------------------------------------------------------------------

KIT_PREFIX = "R2DR-KIT-1-"


def new_recovery_kit() -> tuple[str, bytes]:
    """(kit text the head stores offline, its public key the server keeps)."""
    private, public = new_keypair()
    body = base64.b32encode(private).decode("ascii").rstrip("=")
    return KIT_PREFIX + "-".join(body[i : i + 8] for i in range(0, len(body), 8)), public


def kit_private_key(kit_text: str) -> bytes:
    cleaned = "".join(ch for ch in kit_text.upper() if ch.isalnum())
    prefix = "".join(ch for ch in KIT_PREFIX if ch.isalnum())
    if not cleaned.startswith(prefix):
        raise DecryptionError("not a recovery kit")
    body = cleaned[len(prefix) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError as exc:
        raise DecryptionError("not a recovery kit") from exc
    if len(raw) != KEY_BYTES:
        raise DecryptionError("not a recovery kit")
    return raw


# --- streaming file encryption (secretstream XChaCha20-Poly1305) ----------------------------------

STREAM_CHUNK = 64 * 1024
STREAM_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
STREAM_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
MAGIC = b"R2DRF1"


class StreamEncryptor:
    """Encrypt a file chunk by chunk, so plaintext never needs to be whole in memory or on disk.

    Output: MAGIC | header | records, each record = 4-byte length | ciphertext of up to STREAM_CHUNK bytes.
    The last record carries TAG_FINAL, so truncation is detected.
    """

    def __init__(self, key: bytes):
        self.state = sodium.crypto_secretstream_xchacha20poly1305_state()
        self.header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self.state, key)
        self._buffer = b""
        self._started = False

    def _record(self, data: bytes, tag: int) -> bytes:
        ct = sodium.crypto_secretstream_xchacha20poly1305_push(self.state, data, None, tag)
        return len(ct).to_bytes(4, "big") + ct

    def update(self, data: bytes) -> bytes:
        out = b""
        if not self._started:
            out += MAGIC + self.header
            self._started = True
        self._buffer += data
        while len(self._buffer) > STREAM_CHUNK:
            chunk, self._buffer = self._buffer[:STREAM_CHUNK], self._buffer[STREAM_CHUNK:]
            out += self._record(chunk, sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        return out

    def finalize(self) -> bytes:
        out = b"" if self._started else MAGIC + self.header
        self._started = True
        out += self._record(self._buffer, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        self._buffer = b""
        return out


def stream_decrypt(key: bytes, fileobj):
    """Yield plaintext chunks of a file written by StreamEncryptor; raise DecryptionError on tampering."""
    head = fileobj.read(len(MAGIC) + STREAM_HEADER)
    if len(head) != len(MAGIC) + STREAM_HEADER or not head.startswith(MAGIC):
        raise DecryptionError("not an r2dr encrypted file")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, head[len(MAGIC) :], key)
    except (CryptoError, ValueError) as exc:
        raise DecryptionError("bad header") from exc
    while True:
        size = fileobj.read(4)
        if len(size) != 4:
            raise DecryptionError("truncated file")
        ct = fileobj.read(int.from_bytes(size, "big"))
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, ct, None)
        except (CryptoError, ValueError) as exc:
            raise DecryptionError("tampered file") from exc
        yield plain
        if tag == sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL:
            return


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(bytes(data)).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))
