"""Duplicate detection without identities in clear: names are normalised, then hashed with a key derived from
the institution's private key (only an unlocked officer holds it)."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from difflib import SequenceMatcher

SEPARATORS = re.compile(r"[,;/\n]+|\s+(?:and|dan|และ|và|&)\s+", re.IGNORECASE)
NOT_LETTERS = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_names(text: str) -> list[str]:
    """ "Ana María LÓPEZ, Budi" -> ["ana lopez maria", "budi"]: accents, case, punctuation and word order removed."""
    names = []
    for part in SEPARATORS.split(text or ""):
        decomposed = unicodedata.normalize("NFKD", part)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        words = sorted(w for w in NOT_LETTERS.sub(" ", plain).split() if len(w) > 1)
        if words:
            names.append(" ".join(words))
    return sorted(set(names))


def name_key(institution_private: bytes, keyring_id: int) -> bytes:
    return hmac.new(institution_private, f"r2dr:name-digest:{keyring_id}".encode(), hashlib.sha256).digest()


def digests(institution_private: bytes, keyring_id: int, text: str) -> list[str]:
    key = name_key(institution_private, keyring_id)
    return [hmac.new(key, n.encode(), hashlib.sha256).hexdigest() for n in normalise_names(text)]


def similar(a: str, b: str, threshold: float = 0.85) -> bool:
    """Fuzzy match of two decrypted name fields (any normalised name pair close enough)."""

    return any(SequenceMatcher(None, x, y).ratio() >= threshold for x in normalise_names(a) for y in normalise_names(b))
