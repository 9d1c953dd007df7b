import io
import math

import pytest

from cases import crypto


def test_aead_roundtrip_and_binding():
    key = crypto.new_key()
    ct = crypto.encrypt(key, b"secret narrative", "r2dr:case:1:payload")
    assert b"secret" not in ct
    assert crypto.decrypt(key, ct, "r2dr:case:1:payload") == b"secret narrative"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(key, ct, "r2dr:case:2:payload")  # moved to another case
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(crypto.new_key(), ct, "r2dr:case:1:payload")
    tampered = bytearray(ct)
    tampered[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(key, bytes(tampered), "r2dr:case:1:payload")


def test_sealed_box():
    private, public = crypto.new_keypair()
    ct = crypto.seal(public, b"case key")
    assert crypto.unseal(private, ct) == b"case key"
    other, _ = crypto.new_keypair()
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(other, ct)
    assert crypto.public_of(private) == public


def test_wrap_with_secret_uses_configured_params(settings):
    wrapped = crypto.wrap_with_secret("passphrase", b"k" * 32, "aad")
    assert wrapped["kdf"] == {"alg": "argon2id13", "ops": 1, "mem": 8192 * 8}
    assert (
        crypto.unwrap_with_secret("passphrase", wrapped["salt"], wrapped["kdf"], wrapped["wrapped"], "aad") == b"k" * 32
    )
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_with_secret("Passphrase", wrapped["salt"], wrapped["kdf"], wrapped["wrapped"], "aad")


def test_production_kdf_defaults_are_strong(settings):
    del settings.R2DR_KDF_OPSLIMIT
    del settings.R2DR_KDF_MEMLIMIT
    params = crypto.kdf_params()
    assert params.opslimit >= 3 and params.memlimit >= 64 * 1024 * 1024


def test_receipt_code_entropy_and_normalisation():
    code = crypto.new_receipt_code()
    groups = code.split(" ")
    assert len(groups) == 5 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert math.log2(10**25) >= 80
    digits = code.replace(" ", "")
    assert crypto.normalise_receipt(code) == digits
    assert crypto.normalise_receipt("-".join(groups)) == digits
    thai = digits.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert crypto.normalise_receipt(thai) == digits
    assert crypto.normalise_receipt("123") is None
    assert crypto.normalise_receipt("x" * 1000) is None
    assert len({crypto.new_receipt_code() for _ in range(200)}) == 200


def test_receipt_lookup_is_keyed(settings):
    digits = "1" * 25
    first = crypto.receipt_lookup(digits)
    settings.R2DR_RECEIPT_SECRET = "another server secret"
    assert crypto.receipt_lookup(digits) != first
    assert digits not in first


def test_recovery_kit_roundtrip():
    text, public = crypto.new_recovery_kit()
    assert text.startswith("R2DR-KIT")
    private = crypto.kit_private_key(text.lower().replace("-", " "))
    assert crypto.public_of(private) == public
    with pytest.raises(crypto.DecryptionError):
        crypto.kit_private_key("R2DR-KIT-1-AAAA")
    with pytest.raises(crypto.DecryptionError):
        crypto.kit_private_key("nonsense")


@pytest.mark.parametrize("size", [0, 1, crypto.STREAM_CHUNK, crypto.STREAM_CHUNK * 3 + 17])
def test_stream_roundtrip(size):
    key = crypto.new_key()
    data = bytes((i * 7) % 251 for i in range(size))
    enc = crypto.StreamEncryptor(key)
    out = b""
    for i in range(0, len(data), 1000):
        out += enc.update(data[i : i + 1000])
    out += enc.finalize()
    assert b"".join(crypto.stream_decrypt(key, io.BytesIO(out))) == data


def test_stream_detects_truncation_and_tampering():
    key = crypto.new_key()
    enc = crypto.StreamEncryptor(key)
    out = enc.update(b"a" * (crypto.STREAM_CHUNK * 2 + 5)) + enc.finalize()
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.stream_decrypt(key, io.BytesIO(out[: -(crypto.STREAM_ABYTES + 10)])))
    with pytest.raises(crypto.DecryptionError):
        # Drop the final record entirely: the stream must not end without TAG_FINAL.
        first_len = int.from_bytes(out[len(crypto.MAGIC) + crypto.STREAM_HEADER :][:4], "big")
        cut = len(crypto.MAGIC) + crypto.STREAM_HEADER + 4 + first_len
        b"".join(crypto.stream_decrypt(key, io.BytesIO(out[:cut])))
    bad = bytearray(out)
    bad[60] ^= 0xFF
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.stream_decrypt(key, io.BytesIO(bytes(bad))))
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.stream_decrypt(crypto.new_key(), io.BytesIO(out)))
