"""The platform's one notification system: apps register the kinds of event they notify of; r2dr stores, counts,
lists and e-mails them, and keeps each person's choice of immediate e-mail, daily digest or none.

A notification carries no content: its kind, the institution, an opaque reference the reader may already be told
(a case reference, say) and the path of the page that shows the event to those entitled to open it. What happened
is read on that page, behind sign-in and the page's own checks; an e-mail says only as much as the notification.

Apps register their kinds in `AppConfig.ready()` (`notification_kind_register`), as they register navigation,
onboarding and offboarding steps, and create notifications with `r2dr.notifications.services.notifications_create`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from r2dr.models import NotificationDelivery as Delivery


@dataclass(frozen=True)
class NotificationKind:
    """One kind of event an app notifies of.

    `roles`: the institution roles a recipient must hold; a notification never reaches anyone else, and ends
    (with the person's preference for it) when they no longer hold one of them there. `deliveries`: the e-mail
    choices a person may make for it (leave out `Delivery.OFF` where hearing of the event is part of the job);
    `default`: the choice of someone who made none."""

    key: str
    label: str | Promise
    description: str | Promise
    roles: frozenset[str]
    deliveries: tuple[str, ...] = (Delivery.IMMEDIATE, Delivery.DIGEST)
    default: str = Delivery.IMMEDIATE

    def __post_init__(self) -> None:
        if not self.roles:
            raise ValueError(f"notification kind {self.key!r} names no role that may receive it")
        if self.default not in self.deliveries or not set(self.deliveries) <= set(Delivery.values):
            raise ValueError(f"notification kind {self.key!r}: default {self.default!r} not among {self.deliveries}")


_kinds: dict[str, NotificationKind] = {}


def notification_kind_register(*, kind: NotificationKind) -> None:
    """Register a kind under its key (registering twice replaces, so reloads are safe)."""
    _kinds[kind.key] = kind


def notification_kind(key: str) -> NotificationKind | None:
    return _kinds.get(key)


def notification_kinds() -> list[NotificationKind]:
    return list(_kinds.values())


def notification_kinds_for_roles(roles: set[str]) -> list[NotificationKind]:
    """The kinds a holder of `roles` (in one institution) may receive, in registration order."""
    return [kind for kind in _kinds.values() if kind.roles & roles]


__all__ = [
    "Delivery",
    "NotificationKind",
    "notification_kind",
    "notification_kind_register",
    "notification_kinds",
    "notification_kinds_for_roles",
]
