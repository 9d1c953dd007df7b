"""One check that a person (or at least a patient browser) is sending a request, for any form that needs it.

A challenge offers three ways through, any one of which solves it:

- a picture of five digits drawn to defeat the usual OCR (r2dr/challenge_image.py);
- a short text question, for people who cannot see the picture (screen readers, no images);
- where JavaScript runs, a proof of work the browser computes by itself (static/js/challenge.js): `count`
  nonces whose SHA-256 with the challenge's seed starts with `bits` zero bits, a few seconds at most on a
  slow phone, as GlobaLeaks asks of its submitters.

The server keeps nothing per challenge until it is solved: what it must check comes back with the request, in a
*ticket* (answers as keyed MACs, the work's seed) carried inside an already protected form state or signed into
a hidden field. A solved challenge answers exactly one request: its id is claimed atomically when it is solved,
so a replayed ticket needs a new challenge. Apps choose when to ask (cases: once a limit triggers; sign-in:
after repeated failures on an account) and name a purpose, so a ticket issued for one form solves nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from base64 import b64encode
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from r2dr.challenge_image import challenge_png
from r2dr.onetime import onetime_claim, onetime_claimed

DIGITS = "23456789"  # no 0/1, which read as O/l in many fonts
ANSWER_LENGTH = 5
# A ticket older than this solves nothing (a new challenge is shown instead).
TICKET_MAX_AGE_SECONDS = 60 * 60
_TICKET_SALT = "r2dr.challenge.ticket"
# Field names the challenge snippet (templates/r2dr/_challenge.html) posts.
FIELD_PICTURE = "challenge"
FIELD_TEXT = "challenge_text"
FIELD_WORK = "challenge_work"
FIELD_TICKET = "challenge_ticket"


def work_parameters() -> tuple[int, int]:
    """(bits, count) of the proof of work: R2DR_CHALLENGE_WORK overrides the measured default."""
    bits, count = getattr(settings, "R2DR_CHALLENGE_WORK", (14, 8))
    return int(bits), int(count)


@dataclass(frozen=True)
class Challenge:
    """What a page shows; `ticket` is what must come back with the answer."""

    ticket: dict
    image: str  # a data: URI (the CSP allows data: images)
    question: str
    # The form was sent again with nothing answered, before the browser's own check could even start (pressed
    # while the page's script was still loading, on a slow phone): the script sends it by itself once done.
    send_when_done: bool = False

    @property
    def work_seed(self) -> str:
        return self.ticket["s"]

    @property
    def work_bits(self) -> int:
        return self.ticket["b"]

    @property
    def work_count(self) -> int:
        return self.ticket["n"]

    def signed_ticket(self) -> str:
        """The ticket for a hidden field, where no protected state carries it."""
        return ticket_sign(self.ticket)


def _mac(purpose: str, challenge_id: str, kind: str, answer: str) -> str:
    return salted_hmac("r2dr.challenge", f"{purpose}\0{challenge_id}\0{kind}\0{answer}").hexdigest()


def _question(rng: secrets.SystemRandom) -> tuple[str, str]:
    """A short question a person answers with a number, in the page's language, and its answer."""
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    form = rng.randrange(3)
    if form == 0:
        return _("What is %(a)d plus %(b)d? Answer with a number.") % {"a": a, "b": b}, str(a + b)
    if form == 1:
        a, b = max(a, b) + 5, min(a, b)
        return _("What is %(a)d minus %(b)d? Answer with a number.") % {"a": a, "b": b}, str(a - b)
    if a == b:
        b = a + 1
    return _("Which is larger, %(a)d or %(b)d? Answer with that number.") % {"a": a, "b": b}, str(max(a, b))


def challenge_new(*, purpose: str) -> Challenge:
    rng = secrets.SystemRandom()
    challenge_id = secrets.token_urlsafe(16)
    answer = "".join(secrets.choice(DIGITS) for _ in range(ANSWER_LENGTH))
    question, reply = _question(rng)
    bits, count = work_parameters()
    ticket = {
        "id": challenge_id,
        "p": purpose,
        "at": int(time.time()),
        "m": _mac(purpose, challenge_id, "picture", answer),
        "q": _mac(purpose, challenge_id, "text", reply),
        "s": secrets.token_hex(12),
        "b": bits,
        "n": count,
    }
    image = "data:image/png;base64," + b64encode(challenge_png(answer, rng=rng)).decode()
    return Challenge(ticket=ticket, image=image, question=question)


def ticket_sign(ticket: dict) -> str:
    return signing.dumps(ticket, salt=_TICKET_SALT, compress=True)


def ticket_unsign(text: str | None) -> dict | None:
    if not text or len(text) > 4000:
        return None
    try:
        ticket = signing.loads(text, salt=_TICKET_SALT, max_age=TICKET_MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return ticket if isinstance(ticket, dict) else None


def _digits(text: str) -> str:
    """Digits typed in any script (Thai, Arabic-Indic, Devanagari...) as ASCII; everything else dropped."""
    out = []
    for ch in str(text)[:64]:
        value = unicodedata.digit(ch, None)
        if value is not None and unicodedata.decimal(ch, None) is not None:
            out.append(str(value))
    return "".join(out)


def work_hash(seed: str, index: int, nonce: str) -> bytes:
    return hashlib.sha256(f"{seed}:{index}:{nonce}".encode()).digest()


def _leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def work_valid(ticket: dict, work: str) -> bool:
    """Whether `work` ("n0,n1,...") holds `count` nonces, each giving `bits` leading zero bits for its index."""
    nonces = str(work)[:400].split(",")
    try:
        seed, bits, count = str(ticket["s"]), int(ticket["b"]), int(ticket["n"])
    except (KeyError, TypeError, ValueError):
        return False
    if len(nonces) != count or any(not n.isdigit() or len(n) > 12 for n in nonces):
        return False
    return all(_leading_zero_bits(work_hash(seed, i, n)) >= bits for i, n in enumerate(nonces))


def _answered(ticket: dict, picture: str, text: str, work: str) -> bool:
    purpose, challenge_id = str(ticket.get("p")), str(ticket.get("id"))
    if picture and hmac.compare_digest(str(ticket.get("m")), _mac(purpose, challenge_id, "picture", _digits(picture))):
        return True
    if text and hmac.compare_digest(str(ticket.get("q")), _mac(purpose, challenge_id, "text", _digits(text))):
        return True
    return bool(work) and work_valid(ticket, work)


def _spent_key(ticket: dict) -> str:
    return "r2dr:challenge-spent:" + hashlib.sha256(str(ticket.get("id")).encode()).hexdigest()[:32]


def challenge_solved(*, ticket: dict | None, purpose: str, picture: str = "", text: str = "", work: str = "") -> bool:
    """True for the first request that solves this challenge, and never again for it: the solved challenge is
    claimed atomically (whatever the request then does), so a replay needs the next challenge."""
    if not isinstance(ticket, dict) or ticket.get("p") != purpose or not ticket.get("id"):
        return False
    try:
        if time.time() - int(ticket["at"]) > TICKET_MAX_AGE_SECONDS:
            return False
    except (KeyError, TypeError, ValueError):
        return False
    if not _answered(ticket, picture, text, work):
        return False
    # In the database, not the cache: a Redis restart must not make a solved challenge good again.
    return onetime_claim(key=_spent_key(ticket), ttl_seconds=TICKET_MAX_AGE_SECONDS + 60)


def challenge_solved_by_post(*, post, purpose: str, ticket: dict | None = None) -> bool:
    """challenge_solved with the answers from a POST; the ticket from its signed hidden field unless given."""
    if ticket is None:
        ticket = ticket_unsign(post.get(FIELD_TICKET))
    return challenge_solved(
        ticket=ticket,
        purpose=purpose,
        picture=post.get(FIELD_PICTURE, ""),
        text=post.get(FIELD_TEXT, ""),
        work=post.get(FIELD_WORK, ""),
    )


def challenge_spent(ticket: dict | None) -> bool:
    """Whether this challenge was already solved once (to tell a replay from a wrong answer)."""
    return isinstance(ticket, dict) and bool(ticket.get("id")) and onetime_claimed(key=_spent_key(ticket))
