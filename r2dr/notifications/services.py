"""Writes of notifications and preferences. E-mails leave after the commit, through Celery: they carry nothing but
the kind, the institution, the reference and the link, so the broker sees no content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from r2dr.models import Institution, Membership, Notification, NotificationPreference
from r2dr.notifications import Delivery, notification_kind, notification_kinds_for_roles
from r2dr.notifications import tasks as notification_tasks
from r2dr.notifications.selectors import delivery_of, roles_in


def notifications_create(
    *, institution: Institution, kind: str, recipients: Iterable[Any], link: str, reference: str = ""
) -> list[Notification]:
    """Tell `recipients` that an event of `kind` happened, shown at `link` (a path on this site).

    Only recipients holding one of the kind's roles in the institution are notified, whoever the caller names. A
    recipient who has an unread notification of this kind for this link gets its count raised instead of a second
    one (and no second immediate e-mail). Immediate e-mails are queued once the caller's transaction commits.
    Returns the notifications made or raised."""
    registered = notification_kind(kind)
    if registered is None:
        raise ValueError(f"unregistered notification kind {kind!r}")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a notification links to a path on this site")
    wanted = {getattr(r, "pk", r) for r in recipients}
    if not wanted:
        return []
    entitled = set(
        Membership.objects.filter(
            institution=institution, role__in=sorted(registered.roles), user_id__in=wanted, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if not entitled:
        return []
    now = timezone.now()
    with transaction.atomic():
        scoped = Notification.objects.for_institution(institution)
        unread = scoped.filter(kind=kind, link=link, recipient_id__in=entitled, read_at__isnull=True)
        raised = set(unread.values_list("recipient_id", flat=True))
        if raised:
            # A digest lists a notification again after a new event; an immediate e-mail is not repeated while
            # the first is unread (a burst of replies must not become a burst of mail).
            unread.filter(delivery=Delivery.DIGEST).update(emailed_at=None)
            unread.update(events=F("events") + 1, occurred_at=now)
        preferences = {
            p.user_id: p
            for p in NotificationPreference.objects.for_institution(institution).filter(user_id__in=entitled - raised)
        }
        Notification.objects.bulk_create(
            [
                Notification(
                    institution=institution,
                    recipient_id=user_id,
                    kind=kind,
                    reference=reference[:32],
                    link=link,
                    created_at=now,
                    occurred_at=now,
                    delivery=delivery_of(preferences.get(user_id), registered),
                )
                for user_id in sorted(entitled - raised)
            ],
            # Another request may have made the same unread notification since: that one stands.
            ignore_conflicts=True,
        )
        made = list(scoped.filter(kind=kind, link=link, recipient_id__in=entitled, read_at__isnull=True))
        immediate = [n.pk for n in made if n.delivery == Delivery.IMMEDIATE and n.emailed_at is None]
        if immediate:
            institution_id = institution.pk
            # Robust: the event is committed, and the request that caused it (a defender's report) must not fail
            # because the broker is down; the hourly run sends what was not queued (`notification_emails_catch_up`).
            transaction.on_commit(
                lambda: notification_tasks.notification_emails_send.delay(institution_id, immediate), robust=True
            )
    return made


def notifications_mark_read(
    *,
    institution: Institution | int,
    recipient: Any,
    ids: Iterable[int] | None = None,
    link: str | None = None,
) -> int:
    """Mark this person's notifications in this institution read: the given ids, those for one link (the page they
    just opened), or all. An id that is not theirs here is refused (`Notification.DoesNotExist`), nothing marked.
    Returns how many were unread."""
    scoped = Notification.objects.for_institution(institution).filter(recipient=recipient)
    with transaction.atomic():
        if ids is not None:
            wanted = {int(i) for i in ids}
            if not wanted:
                return 0
            if scoped.filter(pk__in=wanted).count() != len(wanted):
                raise Notification.DoesNotExist
            scoped = scoped.filter(pk__in=wanted)
        if link is not None:
            scoped = scoped.filter(link=link)
        return scoped.filter(read_at__isnull=True).update(read_at=timezone.now())


def notifications_withdraw(*, institution: Institution, link: str, keep: Iterable[Any]) -> int:
    """Take back the unread notifications for a page from everyone but `keep` (a case restricted to its named
    officers, say: the others may no longer open the link). Returns how many were withdrawn."""
    keep_ids = {getattr(u, "pk", u) for u in keep}
    return (
        Notification.objects.for_institution(institution)
        .filter(link=link, read_at__isnull=True)
        .exclude(recipient_id__in=keep_ids)
        .delete()[0]
    )


def notifications_delete_for(*, institution: Institution, link: str) -> int:
    """Delete every notification, read or not, for a page that is gone for good (a deleted case): its reference
    must not outlive it in anyone's list. Returns how many were deleted."""
    return Notification.objects.for_institution(institution).filter(link=link).delete()[0]


def notification_preference_save(
    *, institution: Institution, user: Any, deliveries: dict[str, str], language: str | None = None
) -> NotificationPreference:
    """Record a person's e-mail choices in one institution (only kinds their roles there let them receive, and
    only choices each kind allows); kinds not mentioned keep their earlier choice."""
    kinds = {k.key: k for k in notification_kinds_for_roles(roles_in(institution=institution, user=user))}
    for key, delivery in deliveries.items():
        if key not in kinds:
            raise ValidationError(_("You do not receive notifications of this kind here."))
        if delivery not in kinds[key].deliveries:
            raise ValidationError(_("This choice is not offered for this kind of notification."))
    if language is not None and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Unknown language."))
    with transaction.atomic():
        preference, _created = (
            NotificationPreference.objects.for_institution(institution)
            .select_for_update()
            .get_or_create(institution=institution, user=user)
        )
        preference.deliveries = {**(preference.deliveries or {}), **deliveries}
        if language is not None:
            preference.language = language
        preference.updated_at = timezone.now()
        preference.save(update_fields=["deliveries", "language", "updated_at"])
    return preference


def notifications_offboard(*, membership: Membership, by: Any) -> None:
    """Offboarding step: a member's notifications and preferences in the institution end with the roles that gave
    them. Without any role left there, all of them go; otherwise those of kinds no remaining role receives."""
    institution = membership.institution
    if institution is None:
        return
    remaining = roles_in(institution=institution, user=membership.user_id)
    notifications = Notification.objects.for_institution(institution).filter(recipient_id=membership.user_id)
    preferences = NotificationPreference.objects.for_institution(institution).filter(user_id=membership.user_id)
    if not remaining:
        notifications.delete()
        preferences.delete()
        return
    still = {kind.key for kind in notification_kinds_for_roles(remaining)}
    notifications.exclude(kind__in=sorted(still)).delete()
    for preference in preferences.select_for_update():
        kept = {k: v for k, v in (preference.deliveries or {}).items() if k in still}
        if kept != preference.deliveries:
            preference.deliveries = kept
            preference.save(update_fields=["deliveries"])
