"""Writes of the reports app: requesting, building and publishing reports."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from r2dr.models import Institution, SubRegion
from reports import selectors
from reports.models import ReportKind, ReportRun, ResultsPage, RunStatus

logger = logging.getLogger(__name__)

# Errors worth another attempt: the database or the disk was briefly unavailable.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OSError)


class ReportUnavailable(Exception):
    """The data a report needs does not exist (e.g. no published cycle)."""


# --- what a report shows ---------------------------------------------------------


def _national_content(*, institution, cycle_id):
    data = selectors.national_dashboard(institution=institution, cycle_id=cycle_id, for_pdf=True)
    if data.cycle is None:
        raise ReportUnavailable(_("This cycle is not published, so there is no report to build."))
    return data


def _regional_content(*, round_id, parameters):
    return selectors.regional_dashboard(
        round_id=round_id,
        subregion=parameters.get("subregion") or None,
        country=parameters.get("country") or None,
        for_pdf=True,
    )


def _content_for(run: ReportRun, institution):
    if run.kind == ReportKind.NATIONAL:
        return _national_content(institution=institution, cycle_id=run.cycle_id)
    return _regional_content(round_id=run.round_id, parameters=run.parameters or {})


def _title(kind, *, institution=None, data=None, parameters=None) -> str:
    if kind == ReportKind.NATIONAL:
        return _("%(institution)s · National report %(cycle)s") % {
            "institution": institution.short_name or institution.name,
            "cycle": selectors.cycle_label(data.cycle),
        }
    country = dict(selectors._countries()).get(parameters.get("country"), parameters.get("country"))
    scope = country or dict(SubRegion.choices).get(parameters.get("subregion"), "")
    round_name = ""
    for r in data.rounds or []:
        if str(selectors._round_pk(r)) == str(data.round_id):
            round_name = selectors.cycle_label(r)
    title = _("Regional report") + " · " + (round_name or _("latest published results"))
    return f"{title} · {scope}" if scope else title


# --- requesting -------------------------------------------------------------------


def report_request(
    *, kind, by, institution=None, cycle_id=None, round_id=None, parameters=None, language=None
) -> tuple[ReportRun, bool]:
    """Ask for a report. Returns (run, reused).

    An identical request whose data has not changed gets the finished run back
    (its file is reused); a request already queued or being built is not
    queued twice. Otherwise a new run is queued for the `reports` workers.
    """
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
        if existing is not None and _file_exists(existing):
            return existing, True
        if existing is not None and existing.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            return existing, True
        run = ReportRun.objects.create(
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
        transaction.on_commit(lambda: _enqueue(run))
    return run, False


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _enqueue(run: ReportRun) -> None:
    from reports.tasks import build_report

    build_report.delay(run.pk, run.institution_id)


# --- building ---------------------------------------------------------------------


def _file_exists(run: ReportRun) -> bool:
    return bool(run.file_path) and (Path(settings.MEDIA_ROOT) / run.file_path).is_file()


def _scoped_runs(institution_id):
    if institution_id is None:
        return ReportRun.objects.regional_runs()
    return ReportRun.objects.for_institution(institution_id).filter(kind=ReportKind.NATIONAL)


def report_build(
    *, run_id: int, institution_id: int | None, final_attempt: bool = True, reuse: bool = True
) -> ReportRun:
    """Build a run's PDF. Safe to call twice: a finished run is left alone, a
    file with the same data version is reused, and files are written atomically
    under a name derived from the data version."""
    with transaction.atomic():
        run = _scoped_runs(institution_id).select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE and _file_exists(run):
            return run
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.finished_at = None
        run.attempts += 1
        run.failure_reason = ""
        run.save(update_fields=["status", "started_at", "finished_at", "attempts", "failure_reason"])
    institution = Institution.objects.get(pk=institution_id) if institution_id else None
    started = time.monotonic()
    try:
        with translation.override(run.language):
            data = _content_for(run, institution)
            version = selectors.data_version(data.version_payload(), language=run.language)
            twin = (
                _scoped_runs(institution_id)
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
            if reuse and twin is not None and _file_exists(twin):
                file_path, size, pages = twin.file_path, twin.file_size, twin.page_count
            else:
                pdf, pages = _render(run, data, institution)
                file_path = _store(run, version, pdf)
                size = len(pdf)
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


def _render(run: ReportRun, data, institution) -> tuple[bytes, int]:
    from reports import pdf

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


def _store(run: ReportRun, version: str, pdf: bytes) -> str:
    owner = f"institution-{run.institution_id}" if run.institution_id else "regional"
    relative = Path("reports") / owner / f"{run.kind}-{version[:32]}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    # Write then rename: a reader (or a second attempt) never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return str(relative)


# --- scheduled --------------------------------------------------------------------


def regional_rebuild_if_changed() -> ReportRun | None:
    """Nightly: queue the regional report of the current round when its data changed."""
    run, reused = report_request(kind=ReportKind.REGIONAL, by=None, language=settings.LANGUAGE_CODE)
    if not reused:
        ReportRun.objects.regional_runs().filter(pk=run.pk).update(scheduled=True)
        return run
    return None


# --- public results page ------------------------------------------------------------


def results_page_update(*, institution, is_public: bool, cycle_id=None, introduction: str = "", by) -> ResultsPage:
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


# --- old files ----------------------------------------------------------------------

KEEP_RUNS = 3  # newest finished runs kept per report (same kind, cycle, round, language and filters)
PRUNE_AFTER_DAYS = 30
PRUNED_REASON = "pruned"  # failure_reason marker of a run whose file was removed


def _prune_runs(runs, *, keep: int, cutoff) -> list[str]:
    """Mark older finished runs of each report as pruned; return the files only they pointed to."""
    groups: dict = {}
    for run in runs.filter(status=RunStatus.DONE).exclude(file_path="").order_by("-finished_at", "-pk"):
        key = (run.kind, run.cycle_id, run.round_id, run.language, repr(sorted((run.parameters or {}).items())))
        groups.setdefault(key, []).append(run)
    kept_paths, pruned = set(), []
    for members in groups.values():
        kept_paths |= {r.file_path for r in members[:keep]}
        pruned += [r for r in members[keep:] if r.finished_at and r.finished_at < cutoff]
    pruned = [r for r in pruned if r.file_path not in kept_paths]  # a kept run still uses that file
    if pruned:
        runs.filter(pk__in=[r.pk for r in pruned]).update(status=RunStatus.FAILED, failure_reason=PRUNED_REASON)
    return sorted({r.file_path for r in pruned} - kept_paths)


def report_files_prune(*, keep: int = KEEP_RUNS, older_than_days: int = PRUNE_AFTER_DAYS, now=None) -> int:
    """Remove report files nobody needs: those of finished runs older than `older_than_days` that are not among the
    `keep` newest of their report, and PDF files no run points to (left by a restored or reset database). Pruned
    runs say so and can be built again. Returns the number of files removed."""
    import datetime

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    root = Path(settings.MEDIA_ROOT)
    doomed: set[str] = set()
    referenced: set[str] = set()
    scopes = [*Institution.objects.values_list("pk", flat=True), None]  # every institution, then the region
    with transaction.atomic():
        for institution_id in scopes:
            runs = _scoped_runs(institution_id)
            doomed.update(_prune_runs(runs, keep=keep, cutoff=cutoff))
            live = runs.exclude(file_path="").exclude(failure_reason=PRUNED_REASON)
            referenced.update(live.values_list("file_path", flat=True))
    doomed -= referenced  # another run of the same data still points to the file
    reports_dir = root / "reports"
    if reports_dir.is_dir():
        old = (now - datetime.timedelta(days=1)).timestamp()  # never race a build writing its file
        for path in reports_dir.rglob("*.pdf"):
            relative = str(path.relative_to(root))
            if relative not in referenced and path.stat().st_mtime < old:
                doomed.add(relative)
    removed = 0
    for relative in sorted(doomed):
        path = root / relative
        if path.is_file():
            path.unlink()
            removed += 1
    if removed:
        logger.info("report files pruned: %s", removed)
    return removed
