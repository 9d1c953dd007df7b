"""Reads of notifications and preferences: one person's, in one institution, through the tenant-scoped path."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from r2dr.models import Institution, Membership, Notification, NotificationPreference
from r2dr.notifications import Delivery, NotificationKind, notification_kind, notification_kinds_for_roles


def notifications_unread_count(*, institution: Institution | int, recipient: Any) -> int:
    """The number behind the header's "Notifications" link (one indexed count)."""
    return Notification.objects.for_institution(institution).filter(recipient=recipient, read_at__isnull=True).count()


def notifications_for(*, institution: Institution | int, recipient: Any) -> QuerySet[Notification]:
    """One person's notifications in one institution, newest first (no join: kinds are labelled from the registry)."""
    return Notification.objects.for_institution(institution).filter(recipient=recipient).order_by("-occurred_at", "-pk")


def notification_get(*, institution: Institution | int, recipient: Any, notification_id: int) -> Notification:
    """One of this person's notifications in this institution; `Notification.DoesNotExist` for anyone else's."""
    return Notification.objects.for_institution(institution).get(recipient=recipient, pk=notification_id)


def notification_kind_label(key: str) -> str:
    kind = notification_kind(key)
    return str(kind.label) if kind is not None else key


def roles_in(*, institution: Institution | int, user: Any) -> set[str]:
    institution_id = institution.pk if isinstance(institution, Institution) else institution
    return set(Membership.objects.filter(institution_id=institution_id, user=user).values_list("role", flat=True))


def notification_kinds_of(*, institution: Institution | int, user: Any) -> list[NotificationKind]:
    """The kinds this person may receive in this institution, by the roles they hold there."""
    return notification_kinds_for_roles(roles_in(institution=institution, user=user))


def notification_preference_of(*, institution: Institution, user: Any) -> NotificationPreference:
    """This person's preferences in this institution, or the defaults as an unsaved row (a read never writes)."""
    found = NotificationPreference.objects.for_institution(institution).filter(user=user).first()
    return found if found is not None else NotificationPreference(institution=institution, user=user)


def default_language(institution: Institution) -> str:
    """The language of e-mails to someone who chose none: the institution's first one the site offers."""
    offered = {code for code, _name in settings.LANGUAGES}
    for code in institution.languages or []:
        if code in offered:
            return code
    return settings.LANGUAGE_CODE


def delivery_of(preference: NotificationPreference | None, kind: NotificationKind) -> str:
    """The e-mail delivery a person chose for a kind, or the kind's default (also for a choice it no longer allows)."""
    chosen = (preference.deliveries or {}).get(kind.key) if preference is not None else None
    return chosen if chosen in kind.deliveries else kind.default


def language_of(preference: NotificationPreference | None, institution: Institution) -> str:
    offered = {code for code, _name in settings.LANGUAGES}
    if preference is not None and preference.language in offered:
        return preference.language
    return default_language(institution)


__all__ = [
    "Delivery",
    "delivery_of",
    "language_of",
    "notification_get",
    "notification_kinds_of",
    "notification_preference_of",
    "notifications_for",
    "notifications_unread_count",
]
