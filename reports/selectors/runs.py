"""Report runs and the public results page: reads of the reports app's own rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from r2dr.models import Institution
from reports.models import ReportKind, ReportRun, ResultsPage, RunStatus


def scoped_runs(institution_id: int | None) -> QuerySet[ReportRun]:
    """The national runs of one institution, or (None) the regional runs."""
    if institution_id is None:
        return ReportRun.objects.regional_runs()
    return ReportRun.objects.for_institution(institution_id).filter(kind=ReportKind.NATIONAL)


def stale_cutoff() -> datetime:
    """Queued or running runs with no sign of life since this instant are stuck: their message or worker is gone."""
    return timezone.now() - timedelta(seconds=settings.R2DR_REPORT_STALE_SECONDS)


def _pending(runs: QuerySet[ReportRun], *, alive: bool) -> QuerySet[ReportRun]:
    """Queued or running runs with (alive) or without a sign of life since the stale cutoff. created_at stands in for
    rows queued before runs had a heartbeat."""
    cutoff = stale_cutoff()
    if alive:
        seen = Q(heartbeat_at__gte=cutoff) | Q(heartbeat_at__isnull=True, created_at__gte=cutoff)
    else:
        seen = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    return runs.filter(seen, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


def stuck_runs(runs: QuerySet[ReportRun]) -> QuerySet[ReportRun]:
    """Those of `runs` queued or running with no sign of life for `R2DR_REPORT_STALE_SECONDS`."""
    return _pending(runs, alive=False)


def national_runs(*, institution: Institution, limit: int = 20) -> list[ReportRun]:
    return list(
        ReportRun.objects.for_institution(institution)
        .filter(kind=ReportKind.NATIONAL)
        .select_related("requested_by")[:limit]
    )


def national_run(*, institution: Institution, run_id: int) -> ReportRun:
    return ReportRun.objects.for_institution(institution).filter(kind=ReportKind.NATIONAL).get(pk=run_id)


def regional_runs(*, limit: int = 20) -> list[ReportRun]:
    return list(ReportRun.objects.regional_runs().select_related("requested_by")[:limit])


def regional_run(*, run_id: int) -> ReportRun:
    return ReportRun.objects.regional_runs().get(pk=run_id)


def reusable_run(
    *,
    kind: str,
    institution: Institution | None,
    cycle_id: int | None,
    round_id: int | None,
    parameters: dict,
    language: str,
    version: str,
) -> ReportRun | None:
    """A finished run built from exactly this data, or a queued/running one for the same request that is not stuck."""
    qs = (
        ReportRun.objects.for_institution(institution) if institution is not None else ReportRun.objects.regional_runs()
    )
    qs = qs.filter(kind=kind, cycle_id=cycle_id, round_id=round_id, language=language, parameters=parameters)
    done = qs.filter(status=RunStatus.DONE, data_version=version).exclude(file_path="").first()
    if done is not None:
        return done
    # A stuck run is never handed out again: the sweep re-queues it, and this request gets a run of its own.
    return _pending(qs, alive=True).first()


def latest_done_run(*, institution: Institution, cycle_id: int, language: str | None = None) -> ReportRun | None:
    qs = ReportRun.objects.for_institution(institution).filter(
        kind=ReportKind.NATIONAL, cycle_id=cycle_id, status=RunStatus.DONE
    )
    if language:
        qs = qs.filter(language=language)
    return qs.exclude(file_path="").first()


def latest_done_run_in(*, institution: Institution, cycle_id: int, languages: list[str]) -> ReportRun | None:
    """The latest finished run of the cycle in the first of `languages` it was built in, else the latest in any."""
    runs = list(
        ReportRun.objects.for_institution(institution)
        .filter(kind=ReportKind.NATIONAL, cycle_id=cycle_id, status=RunStatus.DONE)
        .exclude(file_path="")
        .order_by("-created_at", "-pk")
    )
    for language in languages:
        for run in runs:
            if run.language == language:
                return run
    return runs[0] if runs else None


def results_page(*, institution: Institution) -> ResultsPage | None:
    return ResultsPage.objects.for_institution(institution).first()
