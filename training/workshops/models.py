"""Workshops: a programme round and its quotas, facilitators' availability (in their own zone), and bookings.

Slots are computed from availability (training.workshops.selectors.slots), never stored; a booking holds one seat
of one slot, and the database refuses a second active booking of the same seat (`workshop_booking_one_per_seat`),
so two requests racing for the last seat cannot both win, whatever the code above it checked."""

from __future__ import annotations

import datetime
import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from r2dr.tenancy import TenantModel


def validate_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone.")) from exc


class ProgrammeRound(models.Model):
    """A season of the programme ("HRD programme 2025"): it ties availability and bookings together and sets how
    many one-on-one workshops each institution may book in it."""

    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    workshop_quota = models.PositiveSmallIntegerField(
        _("one-on-one workshops per institution"), default=2, validators=[MaxValueValidator(50)]
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="round_ends_after_start")
        ]

    def __str__(self):
        return self.title


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class Availability(models.Model):
    """A facilitator's published availability for one round, in the facilitator's own zone. Capacity 1 makes
    one-on-one workshops (they count against the round's quota); more makes a small group clinic."""

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    programme_round = models.ForeignKey(
        ProgrammeRound, on_delete=models.PROTECT, related_name="availabilities", verbose_name=_("programme round")
    )
    title = models.CharField(_("title"), max_length=200)
    time_zone = models.CharField(_("your time zone"), max_length=64, validators=[validate_zone])
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("free minutes before"), default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("free minutes after"), default=0, validators=[MaxValueValidator(240)]
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    horizon_weeks = models.PositiveSmallIntegerField(
        _("bookable up to (weeks ahead)"), default=8, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    change_cutoff_hours = models.PositiveSmallIntegerField(
        _("changes and cancellations up to (hours before)"), default=24, validators=[MaxValueValidator(24 * 14)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("places per slot"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    mode = models.CharField(_("how"), max_length=16, choices=Mode.choices, default=Mode.ONLINE)
    meeting_link = models.URLField(_("meeting link (pasted by you)"), blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    is_active = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["facilitator", "is_active"], name="availability_facilitator")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="availability_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def one_on_one(self) -> bool:
        return self.capacity == 1


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyRule(models.Model):
    """Every `weekday`, slots of `slot_minutes` from `start` until `end` (wall-clock times in the facilitator's
    zone, so a slot stays at 09:00 Sydney time across a change of daylight saving time)."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="weekly_rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="weekly_rule_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="weekly_rule_slot_at_least_15"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class OneOffSlot(models.Model):
    """One slot outside the weekly rules, at `starts_at` (stored as an instant; entered in the facilitator's zone)."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="one_off_slots")
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["availability", "starts_at"], name="one_off_slot_unique_start"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class DateException(models.Model):
    """A day (in the facilitator's zone) without slots: a holiday, travel."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("no slots on"))

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["availability", "day"], name="date_exception_unique_day")]

    def __str__(self):
        return self.day.isoformat()


class Topic(models.TextChoices):
    INDICATOR_DATA = "indicator_data", _("Indicator data collection")
    CASE_HANDLING = "case_handling", _("Case handling")
    PLATFORM = "platform", _("Using the platform")
    HRD_PROTECTION = "hrd_protection", _("HRD protection work")
    REPORT_WRITING = "report_writing", _("Report writing")
    OTHER = "other", _("Other")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


def booking_uid() -> str:
    return f"{uuid.uuid4()}@r2dr"


class Booking(TenantModel):
    """An institution's booking of one seat of one slot. `uid` is the iCalendar UID of every invitation about it,
    `sequence` the iCalendar SEQUENCE (raised by each reschedule and by the cancellation)."""

    availability = models.ForeignKey(Availability, on_delete=models.PROTECT, related_name="bookings")
    # Copied from the availability, so the database can refuse a facilitator's seat twice at one start.
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    programme_round = models.ForeignKey(ProgrammeRound, on_delete=models.PROTECT, related_name="bookings")
    one_on_one = models.BooleanField(default=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    seat = models.PositiveSmallIntegerField(default=1)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("booked by")
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    description = models.TextField(_("what you would like to work on"), max_length=2000)
    language = models.CharField(_("preferred language"), max_length=10)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    uid = models.CharField(max_length=80, unique=True, default=booking_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    change_reason = models.TextField(_("reason for the last change"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    changed_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # The guard against double booking: one active booking per seat of a facilitator's slot. A one-on-one
            # slot has one seat, so two institutions can never hold it at once.
            models.UniqueConstraint(
                fields=["facilitator", "starts_at", "seat"],
                condition=Q(status="booked"),
                name="workshop_booking_one_per_seat",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="booking_seat_positive"),
        ]
        indexes = [
            models.Index(fields=["institution", "programme_round", "status"], name="booking_institution_round"),
            models.Index(fields=["institution", "starts_at"], name="booking_institution_start"),
            models.Index(fields=["facilitator", "starts_at"], name="booking_facilitator_start"),
        ]

    def __str__(self):
        return f"booking {self.pk}"

    @property
    def active(self) -> bool:
        return self.status == BookingStatus.BOOKED

    def cutoff(self) -> datetime.datetime:
        """Until when either side may reschedule or cancel."""
        return self.starts_at - datetime.timedelta(hours=self.availability.change_cutoff_hours)


def feed_token_hash(token: str) -> str:
    """Feeds store only this digest of their token, so a copy of the database subscribes to nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A subscribable calendar of workshops: a facilitator's own (`institution` empty) or an institution's, for one
    member. Only the SHA-256 of its token is kept, so a copy of the database subscribes to nothing; revoking it
    (or the end of the membership that entitled it) stops it at the next poll."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(
        "r2dr.Institution", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "institution", "revoked_at"], name="calendar_feed_owner")]

    def __str__(self):
        return f"calendar feed {self.pk}"


class SessionRecord(TenantModel):
    """What happened at a held workshop. `shared_note` is the institution's to read; `private_note` is the
    facilitator's own and never shown on any institution page."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="session_record")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("who attended")
    )
    other_attendees = models.PositiveSmallIntegerField(
        _("other people who attended"), default=0, validators=[MaxValueValidator(500)]
    )
    shared_note = models.TextField(_("note shared with the institution"), blank=True, max_length=5000)
    private_note = models.TextField(_("private note (only facilitators read it)"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["institution", "recorded_at"], name="session_record_institution")]

    def __str__(self):
        return f"session record {self.pk}"


class FollowUpAction(TenantModel):
    """Something to do after a session, by someone, by a day; one reminder goes once it is overdue."""

    session = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("what"), max_length=300)
    who = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["institution", "due_on"], name="follow_up_institution_due")]

    def __str__(self):
        return self.what


class AssistanceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class AssistanceRequest(TenantModel):
    """A technical-assistance request outside workshops (a question, a document to review). Its history is in
    `events`, which keep the name of whoever acted, so it reads the same after a facilitator leaves."""

    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    description = models.TextField(_("what you need"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=16, choices=AssistanceStatus.choices, default=AssistanceStatus.REQUESTED
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "status", "opened_at"], name="assistance_institution_status"),
            models.Index(fields=["status", "topic"], name="assistance_status_topic"),
        ]

    def __str__(self):
        return f"assistance request {self.pk}"


class AssistanceEvent(TenantModel):
    """One step of a request: its new status, who moved it (their name kept as it was), when and why."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=AssistanceStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["institution", "request", "at"], name="assistance_event_request")]

    def __str__(self):
        return f"{self.status} {self.at:%Y-%m-%d}"
