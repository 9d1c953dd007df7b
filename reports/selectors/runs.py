"""Report runs and the public results page: reads of the reports app's own rows."""

from __future__ import annotations

from django.db.models import QuerySet

from r2dr.models import Institution
from reports.models import ReportKind, ReportRun, ResultsPage, RunStatus


def scoped_runs(institution_id: int | None) -> QuerySet[ReportRun]:
    """The national runs of one institution, or (None) the regional runs."""
    if institution_id is None:
        return ReportRun.objects.regional_runs()
    return ReportRun.objects.for_institution(institution_id).filter(kind=ReportKind.NATIONAL)


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
    """A finished run built from exactly this data, or a queued/running one for the same request."""
    qs = (
        ReportRun.objects.for_institution(institution) if institution is not None else ReportRun.objects.regional_runs()
    )
    qs = qs.filter(kind=kind, cycle_id=cycle_id, round_id=round_id, language=language, parameters=parameters)
    done = qs.filter(status=RunStatus.DONE, data_version=version).exclude(file_path="").first()
    if done is not None:
        return done
    return qs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()


def latest_done_run(*, institution: Institution, cycle_id: int, language: str | None = None) -> ReportRun | None:
    qs = ReportRun.objects.for_institution(institution).filter(
        kind=ReportKind.NATIONAL, cycle_id=cycle_id, status=RunStatus.DONE
    )
    if language:
        qs = qs.filter(language=language)
    return qs.exclude(file_path="").first()


def results_page(*, institution: Institution) -> ResultsPage | None:
    return ResultsPage.objects.for_institution(institution).first()
