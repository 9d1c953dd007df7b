"""Reminders of the course, through the platform's notifications: a nudge after 7 days without activity while the
cohort is open, and a reminder the day before a module's target date. Both go at 09:00 in the learner's zone (their
institution's): the hourly task picks the learners whose local hour is 9. A learner may opt out; a learner who has
completed gets none. `ReminderSent` makes a second run of the same hour send nothing twice."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from r2dr.models import UserSettings
from r2dr.notifications import Delivery, NotificationKind
from r2dr.notifications.services import notifications_create
from r2dr.roles import Role
from training.models import Cohort, Enrolment, EnrolmentStatus, ModuleTarget, QuizAttempt, ReminderKind, ReminderSent

NUDGE = "training.nudge"
TARGET = "training.target"
SEND_HOUR = 9
INACTIVE_AFTER = datetime.timedelta(days=7)

NOTIFICATION_KINDS = [
    NotificationKind(
        key=NUDGE,
        label=_("Course reminder"),
        description=_("When you have not worked on your course for a week while it runs"),
        roles=frozenset({Role.TRAINEE}),
        deliveries=(Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.OFF),
    ),
    NotificationKind(
        key=TARGET,
        label=_("Module target tomorrow"),
        description=_("The day before a module's target date, if you have not finished it"),
        roles=frozenset({Role.TRAINEE}),
        deliveries=(Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.OFF),
    ),
]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _send(enrolment: Enrolment, kind: str, key: str, notification: str) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                institution_id=enrolment.institution_id, enrolment=enrolment, kind=kind, key=key
            )
            link = reverse(
                "training_course", kwargs={"institution_slug": enrolment.institution.slug, "enrolment_id": enrolment.pk}
            )
            notifications_create(
                institution=enrolment.institution, kind=notification, recipients=[enrolment.user_id], link=link
            )
    except IntegrityError:
        return False  # sent already (another run of this hour)
    return True


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send every reminder due at `now`; returns how many were sent. Reads all open cohorts' running enrolments
    (regional: the task works for every institution) and passes each notification to its institution."""
    now = now or timezone.now()
    cohorts = [
        c
        for c in Cohort.objects.filter(ends_on__gte=(now - datetime.timedelta(days=2)).date())
        if c.phase(now) == "open"
    ]
    if not cohorts:
        return 0
    enrolments = list(
        Enrolment.objects.regional()
        .filter(cohort__in=cohorts, status=EnrolmentStatus.ACTIVE, reminders=True, user__is_active=True)
        .select_related("institution", "cohort")
    )
    # The learner's own zone when they chose one (r2dr.models.UserSettings), else their institution's.
    own = dict(
        UserSettings.objects.filter(user_id__in={e.user_id for e in enrolments})
        .exclude(time_zone="")
        .values_list("user_id", "time_zone")
    )

    def zone_of(enrolment: Enrolment) -> zoneinfo.ZoneInfo:
        return _zone(own.get(enrolment.user_id) or enrolment.institution.time_zone)

    due = [e for e in enrolments if now.astimezone(zone_of(e)).hour == SEND_HOUR]
    if not due:
        return 0
    targets: dict[int, list[ModuleTarget]] = {}
    for target in ModuleTarget.objects.filter(cohort__in=cohorts):
        targets.setdefault(target.cohort_id, []).append(target)
    passed = set(
        QuizAttempt.objects.regional().filter(enrolment__in=due, passed=True).values_list("enrolment_id", "module_id")
    )
    sent = 0
    for enrolment in due:
        local_day = now.astimezone(zone_of(enrolment)).date()
        last = enrolment.last_activity_at or enrolment.enrolled_at
        if now - last >= INACTIVE_AFTER:
            sent += _send(enrolment, ReminderKind.INACTIVE, f"since-{last:%Y%m%dT%H%M%S}", NUDGE)
        for target in targets.get(enrolment.cohort_id, []):
            if (
                target.target_on == local_day + datetime.timedelta(days=1)
                and (enrolment.pk, target.module_id) not in passed
            ):
                sent += _send(enrolment, ReminderKind.TARGET, f"module-{target.module_id}", TARGET)
    return sent
