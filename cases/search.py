"""The blind word index, pure: words of decrypted case text normalised, then hashed with a key derived from the
institution's private key (one keyring version), so only an unlocked officer can index a case or test a word.

Normalisation: NFKC, case folded, punctuation dropped, accents of Latin, Greek and Cyrillic letters removed (so
"López" finds "Lopez"), Thai marks kept. Thai is written without spaces between words: its runs are cut into words
by libthai's dictionary (the Debian package libthai0, which Pango and so WeasyPrint already need), the same way
for the indexed text and the query, so a query word matches where the dictionary cut the text. Other scripts
without spaces (Lao, Khmer, Burmese, Chinese) are taken one run at a time: only the whole run matches.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import hmac
import re
import threading
import unicodedata

MIN_LENGTH = 2
DIGEST_BYTES = 16  # 128 bits: no two words of an institution's vocabulary share a digest
REFERENCE = re.compile(r"[A-Z]-[A-Z0-9]{7}")
THAI = re.compile(r"([\u0e00-\u0e7f]+)")
# Words too common to find anything by (English, Indonesian, Thai): not indexed, left out of queries.
_STOP_WORDS = """
    the and for with that this from was were are but not his her him she they them their our you your has have had
    who which what when where into onto over been being its than then there these those also about after before
    yang dan di ke dari dengan untuk pada ini itu ada tidak atau juga oleh dalam akan sudah telah karena saya kami
    kita mereka dia ia nya adalah sebagai bahwa tersebut
    ที่ และ ของ ใน เป็น ได้ มี ไม่ จะ ให้ ว่า การ ความ กับ แต่ หรือ ก็ นี้ นั้น ไป มา อยู่ แล้ว โดย
    """

_libthai: ctypes.CDLL | None = None
_breaker: int | None = None
_thai_lock = threading.Lock()


class ThaiBreakerMissing(RuntimeError):
    """libthai is not installed: Thai text cannot be cut into words the way the index was built."""


def _thai_breaker() -> tuple[ctypes.CDLL, int]:
    global _libthai, _breaker  # pylint: disable=global-statement  # loaded once per process, on first Thai text
    if _libthai is None or _breaker is None:
        name = ctypes.util.find_library("thai") or "libthai.so.0"
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            raise ThaiBreakerMissing("install the Debian package libthai0 (scripts/system-deps runtime)") from exc
        lib.th_brk_new.restype = ctypes.c_void_p
        lib.th_brk_new.argtypes = [ctypes.c_char_p]
        lib.th_brk_wc_find_breaks.restype = ctypes.c_int
        lib.th_brk_wc_find_breaks.argtypes = [
            ctypes.c_void_p,
            ctypes.c_wchar_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_size_t,
        ]
        breaker = lib.th_brk_new(None)
        if not breaker:
            raise ThaiBreakerMissing("libthai has no word dictionary (the Debian package libthai-data)")
        _libthai, _breaker = lib, breaker
    return _libthai, _breaker


def thai_words(run: str) -> list[str]:
    """A run of Thai letters cut into words by libthai's dictionary."""
    lib, breaker = _thai_breaker()
    positions = (ctypes.c_int * (len(run) + 1))()
    with _thai_lock:  # one breaker per process; its calls are not documented as thread-safe
        found = lib.th_brk_wc_find_breaks(breaker, run, positions, len(run) + 1)
    cuts = [0, *positions[: max(found, 0)], len(run)]
    return [run[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


def _fold(token: str) -> str:
    """NFKC and case folding, accents removed from Latin, Greek and Cyrillic letters only: a Thai vowel or tone
    mark changes the word."""
    out = []
    base = ""
    for char in unicodedata.normalize("NFKD", token.casefold()):
        if unicodedata.combining(char):
            if base and ord(base) < 0x0530:
                continue
        else:
            base = char
        out.append(char)
    return unicodedata.normalize("NFKC", "".join(out))


STOP_WORDS = frozenset(_fold(w) for w in _STOP_WORDS.split())


def _keep(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def normalise_words(text: str) -> list[str]:
    """The distinct searchable words of `text`, sorted: "Polisi menangkap BUDI di Jakarta." ->
    ["budi", "jakarta", "menangkap", "polisi"]."""
    plain = "".join(c if _keep(c) else " " for c in unicodedata.normalize("NFC", text or ""))
    words = set()
    for part in THAI.split(plain):
        pieces = thai_words(part) if THAI.fullmatch(part) else part.split()
        for piece in pieces:
            # Compatibility forms may unfold into punctuation ("¼" is "1⁄4"): split again after folding.
            for word in "".join(c if _keep(c) else " " for c in _fold(piece)).split():
                if len(word) >= MIN_LENGTH and word not in STOP_WORDS:
                    words.add(word)
    return sorted(words)


def as_reference(query: str) -> str | None:
    """The case reference a query is, if it has that shape (" c-abc2345 " -> "C-ABC2345"); the hyphen is needed,
    or every eight-letter word would be taken for one."""
    match = REFERENCE.fullmatch((query or "").strip().upper())
    return match.group(0) if match else None


def word_key(institution_private: bytes, keyring_id: int) -> bytes:
    """The word index key of one keyring version: never the name digests' key, so a word and a name never share a
    digest, and a rotated keyring leaves every old digest meaningless."""
    return hmac.new(institution_private, f"r2dr:word-index:{keyring_id}".encode(), hashlib.sha256).digest()


def word_digests(institution_private: bytes, keyring_id: int, words: list[str]) -> list[str]:
    key = word_key(institution_private, keyring_id)
    return sorted({hmac.new(key, w.encode(), hashlib.sha256).digest()[:DIGEST_BYTES].hex() for w in words})
