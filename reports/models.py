"""Report runs (PDF builds) and institutions' public results pages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from r2dr.tenancy import TenantManager, TenantModel, TenantQuerySet


class ReportKind(models.TextChoices):
    NATIONAL = "national", _("National report")
    REGIONAL = "regional", _("Regional report")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportRunQuerySet(TenantQuerySet):
    def regional_runs(self):
        """Regional reports: they belong to no institution; only regional selectors call this."""
        return self.regional().filter(kind=ReportKind.REGIONAL, institution__isnull=True)


class ReportRun(TenantModel):
    """One request for a PDF report, and the file built for it.

    A national run belongs to its institution (tenant-scoped like any tenant
    row); a regional run has no institution and is reached only through
    `ReportRun.objects.regional_runs()` from views with a regional scope.
    `data_version` is a hash of everything the PDF shows: an unchanged request
    finds the finished run with the same version and reuses its file.
    """

    institution = models.ForeignKey(
        "r2dr.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    # Ids of the indicators app's rows, held as plain integers: reports reads
    # indicators only through its selectors and never joins its tables.
    cycle_id = models.PositiveBigIntegerField(_("cycle"), null=True, blank=True)
    round_id = models.PositiveBigIntegerField(_("monitoring round"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    title = models.CharField(_("title"), max_length=300, blank=True)
    data_version = models.CharField(_("data version"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    failure_reason = models.TextField(_("reason of failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled = models.BooleanField(_("built by the nightly schedule"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life: when the run was (re)queued, then the worker's beats while it builds. The sweep
    # (`building.report_runs_stale_requeue`) and reuse go by it, so a message lost with the broker or a worker
    # killed mid-build cannot keep a run queued or running for good.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requeues = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Relative to MEDIA_ROOT; never served by URL, only streamed by a view.
    file_path = models.CharField(max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    build_seconds = models.FloatField(null=True, blank=True)

    objects = TenantManager.from_queryset(ReportRunQuerySet)()

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "kind", "created_at"], name="reportrun_inst_kind_created"),
            models.Index(fields=["kind", "status", "data_version"], name="reportrun_kind_status_version"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ReportKind.NATIONAL) & Q(institution__isnull=False) & Q(cycle_id__isnull=False))
                | (Q(kind=ReportKind.REGIONAL) & Q(institution__isnull=True)),
                name="reportrun_kind_matches_owner",
            ),
        ]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def download_name(self) -> str:
        """An ASCII file name that tells the languages apart (a Thai title slugifies to little more than its
        cycle; slugify's Unicode mode drops Thai vowel marks)."""
        stem = slugify(self.title) or f"report-{self.pk}"
        return f"{stem}-{self.language}.pdf" if self.language else f"{stem}.pdf"


class ResultsPage(TenantModel):
    """An institution's choice to publish its results on a public page."""

    is_public = models.BooleanField(_("publish our results page"), default=False)
    cycle_id = models.PositiveBigIntegerField(
        _("cycle shown"), null=True, blank=True, help_text=_("Empty: the latest published cycle.")
    )
    introduction = models.TextField(_("introduction"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["institution"], name="resultspage_one_per_institution")]

    def __str__(self):
        return f"results page · {self.institution_id}"
