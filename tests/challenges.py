"""Solving a page's challenge (r2dr/challenge.py) as a browser with JavaScript does: by the proof of work."""

import html
import itertools
import re

from r2dr import challenge


def solved_work(seed: str, bits: int, count: int) -> str:
    """The proof of work a browser posts: for each index, the first nonce giving `bits` leading zero bits."""
    nonces = []
    for index in range(count):
        for nonce in itertools.count():
            if int.from_bytes(challenge.work_hash(seed, index, str(nonce)), "big") >> (256 - bits) == 0:
                nonces.append(str(nonce))
                break
    return ",".join(nonces)


def challenge_fields(page: bytes | str) -> dict:
    """The fields a browser would post for the challenge on `page`: its ticket (when signed) and the work."""
    text = page.decode() if isinstance(page, bytes) else page
    box = re.search(r"<fieldset class=\"challenge\"[^>]*>", text)
    assert box, "the page asks no challenge"
    attrs = dict(re.findall(r'data-work-(seed|bits|count)="([^"]*)"', box.group(0)))
    fields = {challenge.FIELD_WORK: solved_work(attrs["seed"], int(attrs["bits"]), int(attrs["count"]))}
    ticket = re.search(r'name="challenge_ticket" value="([^"]*)"', text)
    if ticket:
        fields[challenge.FIELD_TICKET] = html.unescape(ticket.group(1))
    return fields
