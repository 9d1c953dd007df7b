"""Opening and building report runs: what a report shows, its data version, the PDF and its file.

Nothing here queues a task (`reports.services.report_request` and the Celery tasks do), so the tasks can call
these services without an import cycle.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from r2dr.models import Institution, SubRegion
from reports import pdf, selectors
from reports.models import ReportKind, ReportRun, RunStatus
from reports.selectors import NationalData, RegionalData

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# Errors worth another attempt: the database or the disk was briefly unavailable.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OSError)


class ReportUnavailable(Exception):
    """The data a report needs does not exist (e.g. no published cycle)."""


# --- what a report shows ---------------------------------------------------------


def _national_content(*, institution: Institution, cycle_id: int | None) -> NationalData:
    data = selectors.national_dashboard(institution=institution, cycle_id=cycle_id, for_pdf=True)
    if data.cycle is None:
        raise ReportUnavailable(_("This cycle is not published, so there is no report to build."))
    return data


def _regional_content(*, round_id: int | None, parameters: dict) -> RegionalData:
    return selectors.regional_dashboard(
        round_id=round_id,
        subregion=parameters.get("subregion") or None,
        country=parameters.get("country") or None,
        for_pdf=True,
    )


def _content_for(run: ReportRun, institution: Institution | None) -> NationalData | RegionalData:
    if run.kind == ReportKind.NATIONAL:
        return _national_content(institution=institution, cycle_id=run.cycle_id)
    return _regional_content(round_id=run.round_id, parameters=run.parameters or {})


def _title(kind: str, *, institution: Institution | None, data: NationalData | RegionalData, parameters: dict) -> str:
    if kind == ReportKind.NATIONAL:
        return _("%(institution)s · National report %(cycle)s") % {
            "institution": institution.tr("short_name") or institution.tr("name"),
            "cycle": selectors.cycle_label(data.cycle),
        }
    country = dict(selectors.countries()).get(parameters.get("country"), parameters.get("country"))
    scope = country or dict(SubRegion.choices).get(parameters.get("subregion"), "")
    round_name = selectors.round_name(data.rounds, data.round_id) if data.round_id else ""
    title = _("Regional report") + " · " + (round_name or _("latest published results"))
    return f"{title} · {scope}" if scope else title


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def file_exists(run: ReportRun) -> bool:
    return bool(run.file_path) and (Path(settings.MEDIA_ROOT) / run.file_path).is_file()


# --- runs that stopped showing signs of life ---------------------------------------------


def report_run_enqueue_failed(*, run_id: int, institution_id: int | None) -> None:
    """The build of a just-requested run could not be handed to the broker: the run fails with a reason the
    reports page shows, instead of waiting as `queued` for a message that was never sent."""
    with transaction.atomic():
        run = selectors.scoped_runs(institution_id).select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return
        with translation.override(run.language):
            _fail(
                run,
                _(
                    "The report could not be queued because the report service is unavailable. "
                    "Please try again in a few minutes; if it keeps failing, tell your administrator."
                ),
            )


def report_runs_stale_requeue() -> list[tuple[int, int | None]]:
    """The sweep: every run queued or running with no sign of life for `R2DR_REPORT_STALE_SECONDS` is queued
    again (returned as (run id, institution id) for the caller to publish), or failed with a reason once it was
    re-queued `R2DR_REPORT_MAX_REQUEUES` times. A re-queued run counts as alive again from now, so two sweeps
    in a row queue it once; rows another sweep holds are skipped."""
    due: list[tuple[int, int | None]] = []
    scopes = [*Institution.objects.values_list("pk", flat=True), None]  # every institution, then the region
    for scope in scopes:
        with transaction.atomic():
            for run in selectors.stuck_runs(selectors.scoped_runs(scope)).select_for_update(skip_locked=True):
                with translation.override(run.language):
                    if run.requeues >= settings.R2DR_REPORT_MAX_REQUEUES:
                        logger.warning("report run %s: stuck after %s re-queues, failed", run.pk, run.requeues)
                        _fail(
                            run,
                            _(
                                "The report could not be built: the report service stopped before finishing it, "
                                "%(count)d times. Please request it again; if it fails again, tell your administrator."
                            )
                            % {"count": run.requeues + 1},
                        )
                        continue
                    logger.warning("report run %s: no sign of life while %s, re-queued", run.pk, run.status)
                    run.status = RunStatus.QUEUED
                    run.requeues += 1
                    run.heartbeat_at = timezone.now()
                    run.failure_reason = _("The build stopped before it finished; it has been queued again.")
                    run.save(update_fields=["status", "requeues", "heartbeat_at", "failure_reason"])
                due.append((run.pk, scope))
    return due


class _Heartbeat:
    """While a run builds, a thread marks it alive every fifth of the stale deadline: rendering one PDF may take
    longer than the deadline, and only a worker that died must look stuck to the sweep."""

    def __init__(self, run_id: int, institution_id: int | None):
        self.run_id = run_id
        self.institution_id = institution_id
        self.interval = settings.R2DR_REPORT_STALE_SECONDS / 5
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"report-run-{run_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                selectors.scoped_runs(self.institution_id).filter(pk=self.run_id, status=RunStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # noqa: BLE001 - a missed beat must not break the build; the sweep may re-queue it
            logger.warning("report run %s: heartbeat failed", self.run_id, exc_info=True)
        finally:
            # The thread's own connection; the worker's thread keeps its own.
            connections.close_all()


# --- opening a run ------------------------------------------------------------------


def report_run_open(
    *,
    kind: str,
    by: AbstractBaseUser | None,
    institution: Institution | None = None,
    cycle_id: int | None = None,
    round_id: int | None = None,
    parameters: dict | None = None,
    language: str | None = None,
) -> tuple[ReportRun, bool]:
    """The run that answers a request for a report: (run, reused). Queues nothing (see `report_request`).

    An identical request whose data has not changed gets the finished run back (its file is reused); a request
    already queued or being built is not opened twice. Otherwise a new queued run is created."""
    parameters = {k: v for k, v in (parameters or {}).items() if v}
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if kind == ReportKind.NATIONAL:
        if institution is None or cycle_id is None:
            raise ValueError("a national report needs an institution and a cycle")
    else:
        institution = None
    with translation.override(language):
        if kind == ReportKind.NATIONAL:
            data = _national_content(institution=institution, cycle_id=cycle_id)
        else:
            data = _regional_content(round_id=round_id, parameters=parameters)
            round_id = data.round_id
        version = selectors.data_version(data.version_payload(), language=language)
        title = _title(kind, institution=institution, data=data, parameters=parameters)
    with transaction.atomic():
        existing = selectors.reusable_run(
            kind=kind,
            institution=institution,
            cycle_id=cycle_id,
            round_id=_int_or_none(round_id),
            parameters=parameters,
            language=language,
            version=version,
        )
        if existing is not None and (file_exists(existing) or existing.status in (RunStatus.QUEUED, RunStatus.RUNNING)):
            return existing, True
        run = ReportRun.objects.create(
            heartbeat_at=timezone.now(),
            kind=kind,
            institution=institution,
            cycle_id=cycle_id,
            round_id=_int_or_none(round_id),
            parameters=parameters,
            language=language,
            title=title,
            data_version=version,
            requested_by=by,
        )
    return run, False


def regional_run_open_if_changed() -> ReportRun | None:
    """Nightly: a new scheduled run of the current round's regional report when its data changed (None if not)."""
    with transaction.atomic():
        run, reused = report_run_open(kind=ReportKind.REGIONAL, by=None, language=settings.LANGUAGE_CODE)
        if reused:
            return None
        selectors.scoped_runs(None).filter(pk=run.pk).update(scheduled=True)
    return run


# --- building ---------------------------------------------------------------------


def report_build(
    *, run_id: int, institution_id: int | None, final_attempt: bool = True, reuse: bool = True
) -> ReportRun:
    """Build a run's PDF. Safe to call twice: a finished run is left alone, a
    file with the same data version is reused, and files are written atomically
    under a name derived from the data version."""
    with transaction.atomic():
        run = selectors.scoped_runs(institution_id).select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE and file_exists(run):
            return run
        run.status = RunStatus.RUNNING
        run.started_at = run.heartbeat_at = timezone.now()
        run.finished_at = None
        run.attempts += 1
        run.failure_reason = ""
        run.save(update_fields=["status", "started_at", "heartbeat_at", "finished_at", "attempts", "failure_reason"])
    institution = Institution.objects.get(pk=institution_id) if institution_id else None
    started = time.monotonic()
    try:
        with _Heartbeat(run.pk, institution_id), translation.override(run.language):
            data = _content_for(run, institution)
            version = selectors.data_version(data.version_payload(), language=run.language)
            twin = (
                selectors.scoped_runs(institution_id)
                .filter(
                    status=RunStatus.DONE,
                    data_version=version,
                    cycle_id=run.cycle_id,
                    round_id=run.round_id,
                    language=run.language,
                    parameters=run.parameters,
                )
                .exclude(pk=run.pk)
                .first()
            )
            if reuse and twin is not None and file_exists(twin):
                file_path, size, pages = twin.file_path, twin.file_size, twin.page_count
            else:
                pdf_bytes, pages = _render(run, data, institution)
                file_path = _store(run, version, pdf_bytes)
                size = len(pdf_bytes)
    except TRANSIENT_ERRORS as exc:
        logger.warning("report run %s: transient error %s", run_id, type(exc).__name__)
        if final_attempt:
            return _fail(
                run,
                _("The report could not be built because a service was unavailable (%(error)s).")
                % {"error": type(exc).__name__},
            )
        _requeue(run, exc)
        raise
    except ReportUnavailable as exc:
        return _fail(run, str(exc))
    except Exception as exc:
        logger.exception("report run %s failed", run_id)
        return _fail(
            run,
            _(
                "The report could not be built (%(error)s). Please try again; if it fails again, tell your administrator."
            )
            % {"error": type(exc).__name__},
        )
    run.status = RunStatus.DONE
    run.data_version = version
    run.file_path = file_path
    run.file_size = size
    run.page_count = pages
    run.finished_at = timezone.now()
    run.build_seconds = round(time.monotonic() - started, 3)
    run.save(
        update_fields=[
            "status",
            "data_version",
            "file_path",
            "file_size",
            "page_count",
            "finished_at",
            "build_seconds",
        ]
    )
    return run


def _fail(run: ReportRun, reason: str) -> ReportRun:
    run.status = RunStatus.FAILED
    run.failure_reason = reason
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "failure_reason", "finished_at"])
    return run


def _requeue(run: ReportRun, exc: Exception) -> None:
    run.status = RunStatus.QUEUED
    run.failure_reason = _("Retrying after a temporary error (%(error)s).") % {"error": type(exc).__name__}
    run.save(update_fields=["status", "failure_reason"])


def _render(run: ReportRun, data: NationalData | RegionalData, institution: Institution | None) -> tuple[bytes, int]:
    context = {
        "run": run,
        "data": data,
        "institution": institution,
        "generated_at": timezone.now(),
        "status_labels": selectors.status_labels(),
        "change_labels": selectors.change_labels(),
        "platform_host": settings.R2DR_PLATFORM_HOST,
        "css_title": css_string(run.title),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
    }
    if run.kind == ReportKind.NATIONAL:
        template = "reports/pdf/national.html"
        context["summary"] = selectors.national_summary(data)
    else:
        template = "reports/pdf/regional.html"
        context["summary"] = selectors.regional_summary(data)
        context["completeness_by_institution"] = selectors.regional_completeness_by_institution(round_id=data.round_id)
        context["country_details"] = data.country_details
        context["subregion_label"] = dict(SubRegion.choices).get(data.filters.get("subregion"), "")
    return pdf.render_pdf(template, context)


def css_string(text: str) -> str:
    """Text for a CSS string literal: everything but letters, digits and spaces as CSS escapes."""
    # Escape spaces as well: a CSS escape swallows one whitespace character after it.
    return "".join(ch if ch.isalnum() else f"\\{ord(ch):06x}" for ch in text)


def _store(run: ReportRun, version: str, pdf_bytes: bytes) -> str:
    owner = f"institution-{run.institution_id}" if run.institution_id else "regional"
    relative = Path("reports") / owner / f"{run.kind}-{version[:32]}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    # Write then rename: a reader (or a second attempt) never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf_bytes)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return str(relative)
