"""An unlocked officer's institution key, held between requests.

The institution private key is stored in the server session only encrypted under a random 32-byte key that
lives in a separate HttpOnly, SameSite=Strict cookie. The session store (database/Redis) alone holds only
ciphertext; the cookie alone is a random key. The unlock expires after R2DR_CASE_UNLOCK_IDLE seconds without
use (default 15 minutes) and whenever the institution key is rotated.
"""

from __future__ import annotations

import time

from django.conf import settings

from cases import crypto
from cases.selectors import active_keyring

COOKIE = "r2dr_case_key"
SESSION_KEY = "cases_unlock"


def idle_seconds() -> int:
    return int(getattr(settings, "R2DR_CASE_UNLOCK_IDLE", 15 * 60))


def _aad(request, institution_id) -> str:
    return f"r2dr:unlock:{request.user.pk}:{institution_id}"


def store(request, response, institution, keyring_id: int, private: bytes) -> None:
    cookie = request.COOKIES.get(COOKIE)
    try:
        key = crypto.unb64(cookie) if cookie else None
    except ValueError:
        key = None
    if not key or len(key) != crypto.KEY_BYTES:
        key = crypto.new_key()
    entries = dict(request.session.get(SESSION_KEY) or {})
    entries[str(institution.pk)] = {
        "ct": crypto.b64(crypto.encrypt(key, private, _aad(request, institution.pk))),
        "kr": keyring_id,
        "at": int(time.time()),
    }
    request.session[SESSION_KEY] = entries
    response.set_cookie(
        COOKIE,
        crypto.b64(key),
        httponly=True,
        samesite="Strict",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        path="/",
    )


def clear(request, response, institution=None) -> None:
    entries = dict(request.session.get(SESSION_KEY) or {})
    if institution is None:
        entries = {}
    else:
        entries.pop(str(institution.pk), None)
    request.session[SESSION_KEY] = entries
    if not entries:
        response.delete_cookie(COOKIE, path="/", samesite="Strict")


def private_key(request, institution) -> bytes | None:
    """The unlocked institution private key, or None (locked, idle too long, key rotated, cookie missing)."""
    entries = request.session.get(SESSION_KEY) or {}
    entry = entries.get(str(institution.pk))
    cookie = request.COOKIES.get(COOKIE)
    if not entry or not cookie:
        return None
    now = int(time.time())
    keyring = active_keyring(institution)
    if now - int(entry.get("at", 0)) > idle_seconds() or keyring is None or keyring.pk != entry.get("kr"):
        entries = dict(entries)
        entries.pop(str(institution.pk), None)
        request.session[SESSION_KEY] = entries
        return None
    try:
        private = crypto.decrypt(crypto.unb64(cookie), crypto.unb64(entry["ct"]), _aad(request, institution.pk))
    except (crypto.DecryptionError, ValueError, KeyError):
        return None
    entries = dict(entries)
    entries[str(institution.pk)] = {**entry, "at": now}
    request.session[SESSION_KEY] = entries
    return private


def is_unlocked(request, institution) -> bool:
    entry = (request.session.get(SESSION_KEY) or {}).get(str(institution.pk))
    return bool(entry and request.COOKIES.get(COOKIE) and time.time() - int(entry.get("at", 0)) <= idle_seconds())
