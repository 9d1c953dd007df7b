"""Writes of the reports app that queue work: requesting a report, serving the precomputed regional case
statistics, and the public results page. Building and pruning live in `reports.building` and `reports.pruning`,
which the Celery tasks call; this module is the only one that imports `reports.tasks`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from r2dr.models import Institution
from reports import building, case_release, tasks
from reports.building import ReportUnavailable, report_build
from reports.models import ReportRun, ResultsPage

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from cases.selectors import Release

logger = logging.getLogger(__name__)

__all__ = [
    "ReportUnavailable",
    "regional_case_release_serve",
    "report_build",
    "report_request",
    "results_page_update",
]


def report_request(
    *,
    kind: str,
    by: AbstractBaseUser | None,
    institution: Institution | None = None,
    cycle_id: int | None = None,
    round_id: int | None = None,
    parameters: dict | None = None,
    language: str | None = None,
) -> tuple[ReportRun, bool]:
    """Ask for a report. Returns (run, reused).

    An identical request whose data has not changed gets the finished run back
    (its file is reused); a request already queued or being built (and not
    stuck) is not queued twice. Otherwise a new run is queued for the `reports`
    workers; when the broker cannot take it, the run is returned failed with a
    reason to show (outside an enclosing transaction, at once).
    """
    with transaction.atomic():
        run, reused = building.report_run_open(
            kind=kind,
            by=by,
            institution=institution,
            cycle_id=cycle_id,
            round_id=round_id,
            parameters=parameters,
            language=language,
        )
        if not reused:
            transaction.on_commit(lambda: _enqueue(run))
    if not reused and not transaction.get_connection().in_atomic_block:
        run.refresh_from_db()  # the build may have run (eager) or failed to queue
    return run, reused


def _enqueue(run: ReportRun) -> None:
    if not tasks.build_report_publish(run.pk, run.institution_id):
        building.report_run_enqueue_failed(run_id=run.pk, institution_id=run.institution_id)


def regional_case_release_serve() -> Release:
    """The regional case statistics release a dashboard shows: the precomputed one, and a refresh queued (once)
    when it is older than `case_release.CASE_STATISTICS_CACHE_SECONDS`."""
    release, refresh = case_release.regional_case_release_get()
    if refresh:
        transaction.on_commit(_warm_publish)
    return release


def national_case_release_serve(*, institution: Institution) -> Release:
    """The national dashboard's case statistics release: the precomputed one, a refresh queued when stale."""
    release, refresh = case_release.national_case_release_get(institution=institution)
    if refresh:
        transaction.on_commit(lambda: _warm_publish(institution.pk))
    return release


def _warm_publish(institution_id: int | None = None) -> None:
    # A refresh is a nicety: with the broker down the dashboard still shows the release it has (a little old),
    # and the next view once the refresh lock lapses, or beat, asks again.
    try:
        if institution_id is None:
            tasks.warm_regional_case_statistics.delay()
        else:
            tasks.warm_national_case_statistics.delay(institution_id)
    except tasks.PUBLISH_ERRORS as exc:
        logger.warning(
            "%s case statistics: refresh could not be queued (%s)",
            "regional" if institution_id is None else "national",
            type(exc).__name__,
        )


def results_page_update(
    *,
    institution: Institution,
    is_public: bool,
    cycle_id: int | None = None,
    introduction: str = "",
    by: AbstractBaseUser | None,
) -> ResultsPage:
    with transaction.atomic():
        page = ResultsPage.objects.for_institution(institution).select_for_update().first()
        if page is None:
            page = ResultsPage(institution=institution)
        page.is_public = is_public
        page.cycle_id = cycle_id
        page.introduction = introduction
        page.updated_at = timezone.now()
        page.updated_by = by
        page.save()
    return page
