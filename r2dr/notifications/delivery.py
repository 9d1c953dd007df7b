"""Notification e-mails, immediate and daily: sent from Celery, each in its recipient's language, saying only the
kind of event, the institution, the reference and the link (no case text, no names: the broker and every mailbox
on the way see nothing more).

Both are safe to run twice: a notification is locked while its e-mail goes out and stamped `emailed_at` in the same
transaction, so a second run (a retry, a second worker) skips it; a failed send rolls the stamp back and the
retry sends it."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from r2dr.models import Institution, Notification, NotificationPreference
from r2dr.notifications import Delivery
from r2dr.notifications.selectors import language_of, notification_kind_label


def _preferences(institution: Institution, user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    return {
        p.user_id: p for p in NotificationPreference.objects.for_institution(institution).filter(user_id__in=user_ids)
    }


def _items(notifications: list[Notification]) -> list[dict[str, Any]]:
    return [
        {
            "kind": notification_kind_label(n.kind),
            "reference": n.reference,
            "events": n.events,
            "url": settings.R2DR_SITE_URL + n.link,
        }
        for n in notifications
    ]


def _context(institution: Institution, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "institution": institution.tr("name"),
        "items": items,
        "list_url": settings.R2DR_SITE_URL
        + reverse("notifications_list", kwargs={"institution_slug": institution.slug}),
        "preferences_url": settings.R2DR_SITE_URL
        + reverse("notification_preferences", kwargs={"institution_slug": institution.slug}),
    }


def _send(recipient: Any, subject: str, body: str) -> None:
    # Raises on failure, so the caller's transaction (which stamps emailed_at) rolls back and Celery retries.
    send_mail(subject, body, None, [recipient.email])


def notification_emails_send(*, institution: Institution, ids: Iterable[int]) -> int:
    """The immediate e-mails of these notifications (those not yet sent, not read in the meantime). Returns how
    many went out."""
    ids = sorted(set(ids))
    scoped = Notification.objects.for_institution(institution)
    preferences = _preferences(institution, scoped.filter(pk__in=ids).values_list("recipient_id", flat=True))
    sent = 0
    for notification_id in ids:
        with transaction.atomic():
            notification = (
                scoped.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, delivery=Delivery.IMMEDIATE, emailed_at__isnull=True, read_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            recipient = notification.recipient
            if recipient.is_active and recipient.email:
                with translation.override(language_of(preferences.get(recipient.pk), institution)):
                    context = _context(institution, _items([notification]))
                    item = context["items"][0]
                    subject = _("%(institution)s · %(kind)s · %(reference)s") % {
                        "institution": institution.short_name or context["institution"],
                        "kind": item["kind"],
                        "reference": item["reference"],
                    }
                    body = render_to_string("r2dr/email/notification.txt", context)
                _send(recipient, subject.strip(), body)
                sent += 1
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return sent


# An immediate e-mail not sent this long after its event was never queued (the broker was down) or failed for good.
CATCH_UP_AFTER = datetime.timedelta(minutes=10)


def notification_emails_catch_up(*, institution: Institution, now: datetime.datetime | None = None) -> int:
    """Send the immediate e-mails still unsent some minutes after their event (run hourly with the digests)."""
    now = now or timezone.now()
    ids = (
        Notification.objects.for_institution(institution)
        .filter(
            delivery=Delivery.IMMEDIATE,
            emailed_at__isnull=True,
            read_at__isnull=True,
            occurred_at__lt=now - CATCH_UP_AFTER,
        )
        .values_list("pk", flat=True)
    )
    return notification_emails_send(institution=institution, ids=list(ids))


def digest_cutoff(*, institution: Institution, now: datetime.datetime) -> datetime.datetime:
    """The latest digest hour (R2DR_NOTIFICATION_DIGEST_HOUR, the institution's local time) not after `now`: a
    digest lists what happened before it. Computed, not remembered, so a missed run is caught up by the next."""
    try:
        zone = zoneinfo.ZoneInfo(institution.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    cutoff = datetime.datetime.combine(local.date(), datetime.time(settings.R2DR_NOTIFICATION_DIGEST_HOUR), tzinfo=zone)
    if cutoff > local:
        cutoff = datetime.datetime.combine(
            local.date() - datetime.timedelta(days=1),
            datetime.time(settings.R2DR_NOTIFICATION_DIGEST_HOUR),
            tzinfo=zone,
        )
    return cutoff


def notification_digests_send(*, institution: Institution, now: datetime.datetime | None = None) -> int:
    """One e-mail per person who chose the daily digest, listing their notifications of this institution still
    unread and not yet e-mailed from before the latest digest hour. Returns how many e-mails went out."""
    now = now or timezone.now()
    pending = Notification.objects.for_institution(institution).filter(
        delivery=Delivery.DIGEST,
        emailed_at__isnull=True,
        read_at__isnull=True,
        occurred_at__lt=digest_cutoff(institution=institution, now=now),
    )
    recipients = sorted(set(pending.values_list("recipient_id", flat=True)))
    preferences = _preferences(institution, recipients)
    sent = 0
    for recipient_id in recipients:
        with transaction.atomic():
            rows = list(
                pending.filter(recipient_id=recipient_id)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .order_by("-occurred_at", "-pk")
            )
            if not rows:
                continue
            recipient = rows[0].recipient
            if recipient.is_active and recipient.email:
                with translation.override(language_of(preferences.get(recipient_id), institution)):
                    context = _context(institution, _items(rows))
                    subject = _("%(institution)s: %(count)d unread notifications") % {
                        "institution": institution.short_name or context["institution"],
                        "count": len(rows),
                    }
                    body = render_to_string("r2dr/email/notification_digest.txt", context)
                _send(recipient, subject, body)
                sent += 1
            Notification.objects.for_institution(institution).filter(pk__in=[n.pk for n in rows]).update(
                emailed_at=timezone.now()
            )
    return sent
