"""Models of the training app: the course (regional content), its cohorts (regional runs, which APF facilitates)
and the learners' enrolments with their progress (tenant rows: each enrolment belongs to the institution the
learner works for, whose admins see it; facilitators read them through explicit regional selectors).

Course content is loaded from `training/content/` by `manage.py training_load`; facilitators may revise a lesson
in the UI, and the loader then leaves it alone (see `LessonRevision`).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from r2dr.i18n import TranslatableMixin
from r2dr.moments import validate_time_zone  # the cohort migration names it here
from r2dr.tenancy import TenantModel

WORDS_PER_MINUTE = 200


def reading_minutes_for(text: str) -> int:
    """Estimated reading time of a text, in whole minutes (at least one)."""
    return max(1, round(len(text.split()) / WORDS_PER_MINUTE))


class Course(TranslatableMixin, models.Model):
    key = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    def __str__(self):
        return self.tr("title")


class Module(TranslatableMixin, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(max_length=80, unique=True)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"), default=6)
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("Leave empty for unlimited attempts.")
    )

    class Meta:
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="training_module_number")]

    def __str__(self):
        return self.tr("title")


class Lesson(TranslatableMixin, models.Model):
    """One reading of a module. `loaded_hash` is the digest of the content file as last loaded: the loader
    compares it to tell a changed file from an unchanged one."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    key = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    video_url = models.URLField(_("video link"), blank=True)
    transcript = models.TextField(_("transcript (Markdown)"), blank=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    loaded_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["module__number", "position"]

    def __str__(self):
        return self.tr("title")

    def clean(self):
        if self.video_url and not self.transcript.strip():
            raise ValidationError({"transcript": _("A lesson with a video needs its full transcript.")})


class LessonRevision(models.Model):
    """One version of a lesson's text: `by` is the facilitator who wrote it, or empty for the content loader."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="revisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200)
    body = models.TextField()
    note = models.CharField(_("what changed"), max_length=200, blank=True)

    class Meta:
        ordering = ["lesson", "-at", "-pk"]

    def __str__(self):
        return f"{self.lesson_id} @ {self.at:%Y-%m-%d %H:%M}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer")
    MULTIPLE = "multiple", _("Several answers")
    TRUEFALSE = "truefalse", _("True or false")


class Question(TranslatableMixin, models.Model):
    """A question of a module's bank. Questions leaving the bank become inactive (attempts keep pointing at them)."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    general_feedback = models.TextField(_("general feedback"), blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["module", "position"]

    def __str__(self):
        return self.key


class Option(TranslatableMixin, models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("answer"), max_length=500)
    correct = models.BooleanField(default=False)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="training_option_position")]

    def __str__(self):
        return self.text[:60]


class Cohort(TranslatableMixin, models.Model):
    """A run of a course inside a window of whole days in the cohort's own zone: open from 00:00 on `starts_on`
    to the end of `ends_on` (the first instant of the next day is already closed)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    title = models.CharField(_("title"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    # Where module 3 is practised (training.services.practice): opened by a facilitator, never public.
    practice_institution = models.OneToOneField(
        "r2dr.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="practice_cohort"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_window")]

    def __str__(self):
        return self.tr("title")

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot come before the first.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def opens_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.starts_on, datetime.time.min, tzinfo=self.zone)

    @property
    def closes_at(self) -> datetime.datetime:
        """The first instant after the window: midnight at the end of the last day, in the cohort's zone."""
        return datetime.datetime.combine(self.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.zone)

    @property
    def last_minute(self) -> datetime.datetime:
        """The window's last minute, to show ("open until 30 Apr, 23:59"): the instant after it is already closed."""
        return self.closes_at - datetime.timedelta(minutes=1)

    def phase(self, at: datetime.datetime) -> str:
        """ "before", "open" or "after" the window at the instant `at`."""
        if at < self.opens_at:
            return "before"
        if at < self.closes_at:
            return "open"
        return "after"


class ModuleTarget(models.Model):
    """A soft target date for one module in one cohort: shown to learners and reminded of, never enforced."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="targets")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    target_on = models.DateField(_("target date"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "module"], name="training_target_per_module")]

    def __str__(self):
        return f"{self.cohort_id}/{self.module_id}: {self.target_on}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended")


class Enrolment(TenantModel):
    """A learner in a cohort, on behalf of their institution."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    reminders = models.BooleanField(_("send me reminders"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="training_one_enrolment_per_cohort")]
        indexes = [
            models.Index(fields=["institution", "cohort"], name="training_enrolment_cohort"),
            models.Index(fields=["institution", "user"], name="training_enrolment_user"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.cohort_id}"


class LessonCompletion(TenantModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="training_lesson_done_once")]
        indexes = [models.Index(fields=["institution", "enrolment"], name="training_completion_enrolment")]

    def __str__(self):
        return f"{self.enrolment_id}: {self.lesson_id}"


class QuizAttempt(TenantModel):
    """One attempt at a module's quiz. The draw (`question_ids`, in the order shown) and each question's option
    order (`option_order`, {question id: [option ids]}) are frozen when the attempt starts; `answers` holds
    {question id: [chosen option ids]} once submitted."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    question_ids = models.JSONField(default=list)
    option_order = models.JSONField(default=dict)
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module", "number"], name="training_attempt_number"),
            models.UniqueConstraint(
                fields=["enrolment", "module"],
                condition=Q(submitted_at__isnull=True),
                name="training_one_open_attempt",
            ),
        ]
        indexes = [models.Index(fields=["institution", "enrolment", "module"], name="training_attempt_enrolment")]

    def __str__(self):
        return f"{self.enrolment_id}/{self.module_id} #{self.number}"


class ReminderKind(models.TextChoices):
    INACTIVE = "inactive", _("No activity for a week")
    TARGET = "target", _("A module's target date is tomorrow")


class ReminderSent(TenantModel):
    """That a reminder went to an enrolment, so a second run of the hourly task sends it no second time.
    `key` tells reminders of one kind apart (the module of a target, the inactivity period)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind", "key"], name="training_reminder_once"),
        ]
        indexes = [models.Index(fields=["institution", "enrolment"], name="training_reminder_inst")]

    def __str__(self):
        return f"{self.kind}:{self.key} → {self.enrolment_id}"


class ErasureRequest(TenantModel):
    """A learner's request to erase what the course holds about them in one institution, and when it was done."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "user"], name="training_erasure_inst_user")]

    def __str__(self):
        return f"erasure {self.pk} ({self.institution_id})"
