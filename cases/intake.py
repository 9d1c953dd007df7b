"""Machinery of the public form and follow-up: form state carried in the page, abuse limits
(the challenge itself is r2dr/challenge.py). Nothing here stores anything about the visitor.

Form state. Earlier steps' answers travel in one hidden field, never in the session or a server-side draft.
The state is JSON, AEAD-encrypted under a short-lived random server key, then signed with django.core.signing
(timestamped). Why a server key rather than the institution's public key: the server has to read earlier
answers back to re-render steps, validate them and show the review, which a sealed box to the institution
would not allow. The state keys are random (not derived from SECRET_KEY) and rotate every
R2DR_STATE_KEY_HOURS (default 6); each is kept for two periods, in the database (`r2dr.server_keys`: a
Redis restart or outage loses no form in progress), mixed there with a key from the environment. So a form
page left in a shared computer's cache or history becomes unreadable once its key has expired, and neither a
copy of the environment alone nor a copy of the database alone can read it. Cost: a form left open longer than
two periods has to be started again (the page says so).

Limits count in the cache (`r2dr.cache`: Redis, or the database while Redis is unreachable); a submitted form's
token is marked used in the database (`r2dr.onetime`), so a replayed final POST stays refused across a Redis
restart.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from cases import crypto
from r2dr.onetime import onetime_claim, onetime_claimed, onetime_release
from r2dr.server_keys import server_key

STATE_SALT = "cases.intake.state"
DEFAULT_LIMITS = {
    # POSTs a single form (one state token) may make per hour before a challenge is asked.
    "token_posts_per_hour": 80,
    # Reports accepted per institution per hour before every submitter is asked the challenge.
    "institution_submissions_per_hour": 30,
    # Reports accepted in total per hour before every submitter is asked the challenge.
    "global_submissions_per_hour": 200,
    # Wrong case passphrases per officer per hour before unlocking is refused for the hour.
    "unlock_failures_per_hour": 10,
}


def limits() -> dict:
    return {**DEFAULT_LIMITS, **(getattr(settings, "R2DR_INTAKE_LIMITS", None) or {})}


# --- state --------------------------------------------------------------------------------------------


def _period() -> int:
    hours = int(getattr(settings, "R2DR_STATE_KEY_HOURS", 6))
    return hours * 3600


def _state_key(window: int, create: bool) -> bytes | None:
    return server_key(purpose="cases.intake-state", window=window, lifetime_seconds=_period() * 2 + 60, create=create)


def pack_state(state: dict) -> str:
    window = int(time.time()) // _period()
    key = _state_key(window, create=True)
    blob = crypto.encrypt(key, json.dumps(state, separators=(",", ":")).encode(), f"r2dr:intake-state:{window}")
    return signing.dumps({"w": window, "c": crypto.b64(blob)}, salt=STATE_SALT, compress=False)


def unpack_state(text: str | None) -> dict | None:
    if not text or len(text) > 2_000_000:
        return None
    try:
        outer = signing.loads(text, salt=STATE_SALT, max_age=_period() * 2)
        window = int(outer["w"])
        key = _state_key(window, create=False)
        if key is None:
            return None
        state = json.loads(crypto.decrypt(key, crypto.unb64(outer["c"]), f"r2dr:intake-state:{window}"))
    except (signing.BadSignature, KeyError, ValueError, TypeError, crypto.DecryptionError):
        return None
    return state if isinstance(state, dict) else None


def new_state(institution_id: int, **extra) -> dict:
    return {"v": 1, "t": secrets.token_urlsafe(16), "i": institution_id, "step": None, "data": {}, **extra}


# --- limits -----------------------------------------------------------------------------------------------


def _hour() -> int:
    return int(time.time()) // 3600


def _incr(name: str) -> int:
    key = f"cases:limit:{name}:{_hour()}"
    cache.add(key, 0, timeout=3700)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3700)
        return 1


def _get(name: str) -> int:
    return int(cache.get(f"cases:limit:{name}:{_hour()}") or 0)


def count_token_post(token: str) -> bool:
    """Count one POST of a form; True while under the per-form limit."""
    return _incr(f"token:{hashlib.sha256(token.encode()).hexdigest()[:32]}") <= limits()["token_posts_per_hour"]


def submissions_over_limit(institution_id: int) -> bool:
    lim = limits()
    return (
        _get(f"inst:{institution_id}") >= lim["institution_submissions_per_hour"]
        or _get("global") >= lim["global_submissions_per_hour"]
    )


def count_submission(institution_id: int) -> None:
    _incr(f"inst:{institution_id}")
    _incr("global")


def _used_key(token: str) -> str:
    return f"cases:used:{hashlib.sha256(token.encode()).hexdigest()[:32]}"


def mark_token_used(token: str) -> bool:
    """A form token submits once: False if it already did (a replayed final POST). Held for as long as the
    state carrying the token can be read."""
    return onetime_claim(key=_used_key(token), ttl_seconds=_period() * 2 + 60)


def token_used(token: str) -> bool:
    """Whether this form already submitted (a read only: mark_token_used is the atomic claim)."""
    return onetime_claimed(key=_used_key(token))


def unmark_token(token: str) -> None:
    onetime_release(key=_used_key(token))


def unlock_failures(user_id: int) -> int:
    return _get(f"unlock:{user_id}")


def count_unlock_failure(user_id: int) -> int:
    return _incr(f"unlock:{user_id}")


# The follow-up has no picture and no lockout: a receipt is 25 digits (83 bits), so guessing is hopeless at any rate
# a server can answer, while any count shared between visitors (per institution, platform-wide) would let an
# outsider lock real defenders out. Each form state gets one check per FOLLOWUP_PACE_SECONDS; the claim is kept in
# the cache under the state's token, not in the state, because a signed state can be replayed as it was before
# its failure.
FOLLOWUP_PACE_SECONDS = 1


def followup_check_claim(token: str) -> bool:
    """Claim this form state's receipt check for the next second: False if it already checked within it."""
    name = f"cases:followup-pace:{hashlib.sha256(token.encode()).hexdigest()[:32]}"
    return cache.add(name, 1, timeout=FOLLOWUP_PACE_SECONDS)


# --- uploads -----------------------------------------------------------------------------------------------

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, content type) from a file's first bytes, or None if the type is not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio", "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    if head.startswith(b"#!AMR"):
        return "audio", "audio/amr"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio", "audio/mp4"
        if brand[:3] == b"3gp":
            return "video", "video/3gpp"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "video/webm"
    return None


def max_file_bytes() -> int:
    return int(getattr(settings, "R2DR_CASE_MAX_FILE_BYTES", 100 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "R2DR_CASE_MAX_FILES", 5))


def max_image_pixels() -> int:
    # 50 million pixels takes a 50-megapixel phone photo; a "decompression bomb" (a small file that decodes to
    # gigabytes) is far above it. Checked from the header, before any pixel is decoded.
    return int(getattr(settings, "R2DR_CASE_MAX_IMAGE_PIXELS", 50_000_000))


class ImageUnreadable(Exception):
    """An image that cannot be shown without metadata: damaged, truncated, not really an image, or too large."""


def _open_image(data: bytes):
    from PIL import Image

    try:
        img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise ImageUnreadable(str(exc)) from exc
    width, height = img.size
    if width * height > max_image_pixels():
        img.close()
        raise ImageUnreadable(f"{width}x{height} pixels")
    return img


def image_check(data: bytes, content_type: str) -> None:
    """Raise ImageUnreadable unless the officer's view can show this image: the file's structure (Pillow's verify:
    chunk checksums, a complete stream), then a full decode and re-encode, as the view does."""
    img = _open_image(data)
    try:
        img.verify()
    except Exception as exc:  # verify raises whatever the decoder meets; any of it means "cannot be shown"
        raise ImageUnreadable(str(exc)) from exc
    finally:
        img.close()
    strip_image_metadata(data, content_type)


# Django's multipart parser refuses a whole request (a 400, every answer and file lost) when one part's headers do
# not fit in its first 1,024 bytes, which a long file name is enough for.
PART_HEADER_BUDGET = 900
FILE_NAME_KEEP = 160  # characters of a shortened file name's stem; its extension is kept whole
_FILENAME = re.compile(rb'filename="((?:[^"\\]|\\.)*)"')


def _shorten_filename(match: re.Match) -> bytes:
    name = match.group(1).decode("utf-8", "replace")
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 16:
        stem, dot, ext = name, "", ""
    short = f"{stem[:FILE_NAME_KEEP]}…{dot}{ext}".replace('"', "%22")
    return b'filename="' + short.encode() + b'"'


class PartHeaderShortener:
    """Wraps a multipart body so that a part's headers that would not fit Django's limit have their file name
    shortened (the stem cut, the extension kept) instead of failing the request. The rest passes unchanged."""

    chunk_size = 64 * 1024
    max_header = 64 * 1024  # past this a part is not a browser's: left to Django's parser to refuse

    def __init__(self, stream, boundary: bytes):
        self._stream = stream
        self._chunks = self._rewrite(b"--" + boundary + b"\r\n")
        self._out = b""

    def _raw(self):
        while chunk := self._stream.read(self.chunk_size):
            yield chunk

    def _rewrite(self, marker: bytes):
        pending = b""
        in_header = False
        for chunk in self._raw():
            pending += chunk
            while True:
                if in_header:
                    end = pending.find(b"\r\n\r\n")
                    if end == -1:
                        if len(pending) > self.max_header:
                            in_header = False  # pass it on as it is
                            continue
                        break
                    header = pending[:end]
                    if len(header) > PART_HEADER_BUDGET:
                        header = _FILENAME.sub(_shorten_filename, header, count=1)
                    yield header
                    pending = pending[end:]
                    in_header = False
                    continue
                at = pending.find(marker)
                if at == -1:
                    keep = len(marker) - 1  # a marker may straddle two chunks
                    if len(pending) > keep:
                        yield pending[:-keep]
                        pending = pending[-keep:]
                    break
                yield pending[: at + len(marker)]
                pending = pending[at + len(marker) :]
                in_header = True
        if pending:
            yield pending

    def read(self, size=-1):
        while size < 0 or len(self._out) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._out += chunk
        if size < 0:
            data, self._out = self._out, b""
        else:
            data, self._out = self._out[:size], self._out[size:]
        return data

    def readline(self, size=-1):
        while b"\n" not in self._out and (size < 0 or len(self._out) < size):
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._out += chunk
        end = self._out.find(b"\n") + 1 or len(self._out)
        if size >= 0:
            end = min(end, size)
        data, self._out = self._out[:end], self._out[end:]
        return data


class EncryptedFile(UploadedFile):
    """What the handler hands the view: no plaintext, just where the ciphertext is and its random key."""

    def __init__(self, *, name, content_type, size, storage_name, file_key, kind, sha256, rejected=None):
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)
        self.storage_name = storage_name
        self.file_key = file_key
        self.kind = kind
        self.sha256 = sha256
        self.rejected = rejected

    def discard(self):
        if self.storage_name:
            default_storage.delete(self.storage_name)
            self.storage_name = None


class EncryptingUploadHandler(FileUploadHandler):
    """Encrypts each uploaded file as it streams in, so no plaintext byte reaches the disk.

    Django's default handlers keep small uploads in memory and write larger ones (over 2.5 MB) in clear to a
    temporary file; this handler replaces them for the public form and follow-up (set per request with
    `request.upload_handlers`). The type is checked from the content's first bytes, not the name or the
    browser's claim; files too large or of another type are dropped and reported back to the form.
    """

    chunk_size = 64 * 1024

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.files_seen = getattr(self, "files_seen", 0) + 1
        self.key = crypto.new_key()
        self.encryptor = crypto.StreamEncryptor(self.key)
        self.storage_name = f"cases/{secrets.token_hex(16)}.r2dr"
        self.fh = None
        self.size = 0
        self.head = b""
        self.sniffed = None
        self.digest = hashlib.sha256()
        self.rejected = "count" if self.files_seen > max_files() else None

    def _open(self):
        path = default_storage.path(self.storage_name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        self.fh = open(path, "xb")  # noqa: SIM115 - closed in file_complete / upload_interrupted

    def _reject(self, reason):
        self.rejected = reason
        if self.fh:
            self.fh.close()
            self.fh = None
            default_storage.delete(self.storage_name)

    def _write(self, data: bytes):
        if self.fh is None:
            self._open()
        self.fh.write(self.encryptor.update(data))

    def receive_data_chunk(self, raw_data, start):
        if self.rejected:
            return None
        self.size += len(raw_data)
        if self.size > max_file_bytes():
            self._reject("size")
            return None
        self.digest.update(raw_data)
        if self.sniffed is None:
            self.head += raw_data[:16]
            if len(self.head) < 16:
                self._pending = getattr(self, "_pending", b"") + raw_data
                return None
            self.sniffed = sniff(self.head) or False
            if not self.sniffed:
                self._reject("type")
                return None
            raw_data = getattr(self, "_pending", b"") + raw_data
            self._pending = b""
        self._write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.rejected and self.sniffed is None:
            self.sniffed = sniff(self.head) or False
            if not self.sniffed:
                self._reject("type")
            else:
                self._write(getattr(self, "_pending", b""))
                self._pending = b""
        if not self.rejected and self.size == 0:
            self._reject("empty")
        if self.rejected:
            return EncryptedFile(
                name=self.file_name, content_type="", size=0, storage_name=None, file_key=b"", kind="",
                sha256="", rejected=self.rejected,
            )  # fmt: skip
        self.fh.write(self.encryptor.finalize())
        self.fh.close()
        self.fh = None
        kind, content_type = self.sniffed
        if kind == "image" and not self._image_readable(content_type):
            default_storage.delete(self.storage_name)
            return EncryptedFile(
                name=self.file_name, content_type="", size=0, storage_name=None, file_key=b"", kind="",
                sha256="", rejected="image",
            )  # fmt: skip
        return EncryptedFile(
            name=self.file_name,
            content_type=content_type,
            size=self.size,
            storage_name=self.storage_name,
            file_key=self.key,
            kind=kind,
            sha256=self.digest.hexdigest(),
        )

    def _image_readable(self, content_type: str) -> bool:
        # Checked now, from the ciphertext just written (plaintext only in memory), so an image the officer's view
        # could not show is refused while the defender can still send another.
        with default_storage.open(self.storage_name, "rb") as fh:
            data = b"".join(crypto.stream_decrypt(self.key, fh))
        try:
            image_check(data, content_type)
        except ImageUnreadable:
            return False
        return True

    def upload_interrupted(self):
        if getattr(self, "fh", None):
            self._reject("interrupted")


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """A copy of an image without EXIF/GPS/XMP or other metadata: only the pixels are re-encoded. Raises
    ImageUnreadable for an image that cannot be decoded or is over the pixel limit."""
    with _open_image(data) as img:
        try:
            return _reencode(img, content_type)
        except Exception as exc:  # a damaged stream raises whatever its decoder meets
            raise ImageUnreadable(str(exc)) from exc


def _reencode(img, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    img.load()
    img = ImageOps.exif_transpose(img)  # keep the visible orientation, drop the tag
    clean = Image.new(img.mode, img.size)
    clean.putdata(list(img.getdata())) if img.mode == "P" else clean.paste(img)
    if img.mode == "P" and img.getpalette():
        clean.putpalette(img.getpalette())
    out = io.BytesIO()
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}[content_type]
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    clean.save(out, fmt)
    return out.getvalue()
