"""E-mail backends that keep defenders' addresses out of logs.

A service that e-mails a defender marks the message with `DEFENDER_HEADER` (value: the case reference). The
development backend prints such a message with the case reference in place of the address and without its body,
because the console backend's output is the web process's log, where the next access-log line ties it to the
case. The SMTP backend strips the header before sending, so the defender's mail provider never sees which case
the address belongs to.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

DEFENDER_HEADER = "X-R2DR-Defender"


def defender_headers(*, reference: str) -> dict[str, str]:
    """Headers marking a message as going to a defender (the case reference, never the address)."""
    return {DEFENDER_HEADER: reference}


def _header(message: EmailMessage) -> str | None:
    for name, value in message.extra_headers.items():
        if name.lower() == DEFENDER_HEADER.lower():
            return value
    return None


def _without_header(message: EmailMessage) -> EmailMessage:
    stripped = copy.copy(message)
    stripped.extra_headers = {k: v for k, v in message.extra_headers.items() if k.lower() != DEFENDER_HEADER.lower()}
    return stripped


def redacted(message: EmailMessage) -> EmailMessage:
    """A copy of a defender message fit for a log: the case reference instead of the recipients, no body, no
    attachments, no marker header. Other messages come back unchanged."""
    reference = _header(message)
    if reference is None:
        return message
    return EmailMessage(
        subject=message.subject,
        body=f"[body withheld: e-mail to the defender of case {reference}]",
        from_email=message.from_email,
        to=[f"defender-of-case-{reference}@withheld.invalid"],
    )


class ConsoleEmailBackend(DjangoConsoleBackend):
    """The development and demo backend: Django's console backend, with defender messages redacted."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        return super().send_messages([redacted(m) for m in email_messages])


class SMTPEmailBackend(DjangoSMTPBackend):
    """Production: Django's SMTP backend, with the defender marker removed before a message leaves."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        return super().send_messages([_without_header(m) for m in email_messages])


class DiscardingEmailBackend(BaseEmailBackend):
    """Counts messages and sends none: `seed_demo` uses it, so seeding prints no e-mails (escalations of the demo's
    urgent cases, invitations) between the recovery kits and the address a newcomer needs."""

    discarded = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = len(list(email_messages))
        type(self).discarded += count
        return count
