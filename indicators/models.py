"""Models of the indicators app.

Two halves:
- the framework (regional, versioned data): FrameworkVersion -> Area -> Attribute -> Indicator, plus the
  taxonomy Terms used for disaggregation. Comparisons across versions and cycles match by `code`, never by id.
- the monitoring (tenant-owned): MonitoringRound (regional), Cycle -> CycleArea -> Value -> Source, with
  ValueHistory and CycleEvent as the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from r2dr.i18n import TranslatableMixin
from r2dr.tenancy import TenantModel


class FrameworkVersion(TranslatableMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    number = models.PositiveIntegerField(_("version number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes on this version"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"{self.tr('title')} (v{self.number})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Term(TranslatableMixin, models.Model):
    """A taxonomy term (disaggregation category). Retired, never deleted."""

    vocabulary = models.CharField(_("vocabulary"), max_length=40)
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    order = models.PositiveIntegerField(default=0)
    is_retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["vocabulary", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code")]

    def __str__(self):
        return f"{self.vocabulary}:{self.code}"


class Area(TranslatableMixin, models.Model):
    """A thematic area (one of the five R2DR categories) within a framework version."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    declaration_articles = models.CharField(_("UN Declaration on HRDs articles"), max_length=120, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="area_unique_code_per_version")]

    def __str__(self):
        return f"{self.code} {self.tr('title')}"


class Attribute(TranslatableMixin, models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="attributes")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="attribute_unique_code_per_version")]

    def __str__(self):
        return f"{self.code} {self.tr('title')}"


class Indicator(TranslatableMixin, models.Model):
    class Type(models.TextChoices):
        STRUCTURAL = "structural", _("Structural")
        PROCESS = "process", _("Process")
        OUTCOME = "outcome", _("Outcome")

    class ValueType(models.TextChoices):
        YES_PARTLY_NO = "ypn", _("Yes / partly / no / data not available")
        COUNT = "count", _("Count")
        PERCENT = "percent", _("Percentage")
        CATEGORICAL = "categorical", _("Categorical")
        NARRATIVE = "narrative", _("Narrative")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="indicators")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    title = models.CharField(_("title"), max_length=300)
    definition = models.TextField(_("definition"))
    rationale = models.TextField(_("rationale"), blank=True)
    computation_method = models.TextField(_("method of computation"), blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    # Categorical indicators: [{"code": ..., "label": ...}, ...]
    categories = models.JSONField(_("categories"), default=list, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    guidance = models.TextField(_("guidance"))
    data_sources = models.TextField(_("likely data sources"), blank=True)
    # Vocabulary codes of Terms, e.g. ["sex", "defender_group"].
    disaggregation = models.JSONField(_("disaggregation dimensions"), default=list, blank=True)
    declaration_articles = models.CharField(_("UN Declaration on HRDs articles"), max_length=120, blank=True)
    treaty_articles = models.CharField(_("treaty articles"), max_length=200, blank=True)
    sdg_targets = models.CharField(_("SDG targets"), max_length=120, blank=True)
    periodicity = models.CharField(_("periodicity"), max_length=60, blank=True, default="Annual")
    limitations = models.TextField(_("comments and limitations"), blank=True)
    # See indicators.rating: {"kind": "map", "map": {...}} or {"kind": "threshold", ...} or {"kind": "none"}.
    rating_rule = models.JSONField(_("rating rule"), default=dict, blank=True)
    rating_note = models.CharField(_("note on the rating rule"), max_length=300, blank=True)
    # Consistency: this count may not exceed the value of the indicator with this code (same cycle).
    total_code = models.CharField(_("cannot exceed indicator"), max_length=20, blank=True)
    # Outlier warning when a number moves more than this share against the previous cycle.
    outlier_threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, default=0.5)
    # Key of indicators.computations.REGISTRY: figure computed from the NHRI's verified cases.
    computation = models.CharField(_("computed from cases"), max_length=40, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="indicator_unique_code_per_version")]

    def __str__(self):
        return f"{self.code} {self.tr('title')}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (self.ValueType.COUNT, self.ValueType.PERCENT)


class MonitoringRound(TranslatableMixin, models.Model):
    """A regional call: every institution runs its cycle of the year on one framework version."""

    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="rounds")
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    due_date = models.DateField(_("due date"))
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.tr("title")


class Cycle(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PUBLISHED = "published", _("Published")

    round = models.ForeignKey(MonitoringRound, null=True, blank=True, on_delete=models.PROTECT, related_name="cycles")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Annotations on the rows `selectors.cycles_for` returns, not columns.
    n_areas: int
    n_approved: int

    class Meta:
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["institution", "status", "period_end"])]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CycleArea(TenantModel):
    """One area a cycle covers: its respondents, its review state, findings and recommendations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    respondents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    findings = models.TextField(_("findings"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area__order", "area__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "area"], name="cyclearea_unique")]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self):
        return f"{self.cycle} · {self.area.code}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


# What a regional admin may change on an indicator of a draft version: the service copies these fields and
# the form shows them, in this order.
INDICATOR_EDITABLE_FIELDS = (
    "title",
    "type",
    "definition",
    "rationale",
    "computation_method",
    "value_type",
    "categories",
    "min_value",
    "max_value",
    "guidance",
    "data_sources",
    "disaggregation",
    "declaration_articles",
    "treaty_articles",
    "sdg_targets",
    "periodicity",
    "limitations",
    "rating_rule",
    "rating_note",
    "total_code",
    "outlier_threshold",
    "computation",
    "is_retired",
)


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Value(TenantModel):
    """The answer to one indicator in one cycle, stored as typed (validation runs separately)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="values")
    cycle_area = models.ForeignKey(CycleArea, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices, blank=True)
    disaggregation = models.JSONField(default=dict, blank=True)
    justification = models.TextField(_("justification of a change against the previous cycle"), blank=True)
    computed_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    approved_snapshot = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "indicator"], name="value_unique_per_cycle")]
        indexes = [models.Index(fields=["institution", "cycle"])]

    def __str__(self):
        return f"{self.indicator.code}: {self.answer}"


class Source(TenantModel):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document or report")
        LAW = "law", _("Law, regulation or policy")
        URL = "url", _("Web page")
        INTERVIEW = "interview", _("Interview with human rights defenders")
        CASE_DATA = "case_data", _("The institution's own case data")
        STATISTICS = "statistics", _("Official statistics")
        OTHER = "other", _("Other")

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind of source"), max_length=16, choices=Kind.choices)
    citation = models.CharField(_("reference"), max_length=500)
    url = models.URLField(_("web address"), blank=True, max_length=500)
    date = models.DateField(_("date of the source"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="indicators/sources/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["institution", "value"])]

    def __str__(self):
        return self.citation


class ValueHistory(TenantModel):
    """Who changed what, when, old -> new, why. Append-only."""

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="history")
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["institution", "value", "at"])]


class CycleEvent(TenantModel):
    """A state transition of a cycle or of one of its areas (submit, return, approve, reopen, publish)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    cycle_area = models.ForeignKey(CycleArea, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    ACTION_LABELS = {
        "open": _("opened"),
        "assign": _("assignments changed"),
        "submit": _("submitted"),
        "return": _("returned for changes"),
        "approve": _("approved"),
        "reopen": _("reopened"),
        "conclusions": _("findings updated"),
        "publish": _("published"),
        "import": _("imported a file"),
    }

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["institution", "cycle", "at"])]

    @property
    def label(self):
        return self.ACTION_LABELS.get(self.action, self.action)


__all__ = [
    "Area",
    "Attribute",
    "Confidence",
    "Cycle",
    "CycleArea",
    "CycleEvent",
    "FrameworkVersion",
    "Indicator",
    "MonitoringRound",
    "Source",
    "Term",
    "Value",
    "ValueHistory",
]
