"""Removing report files nobody needs any more (nightly)."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from r2dr.models import Institution
from reports import selectors
from reports.models import ReportRun, RunStatus

logger = logging.getLogger(__name__)

KEEP_RUNS = 3  # newest finished runs kept per report (same kind, cycle, round, language and filters)
PRUNE_AFTER_DAYS = 30
PRUNED_REASON = "pruned"  # failure_reason marker of a run whose file was removed


def _prune_runs(runs: QuerySet[ReportRun], *, keep: int, cutoff: datetime.datetime) -> list[str]:
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


def report_files_prune(
    *, keep: int = KEEP_RUNS, older_than_days: int = PRUNE_AFTER_DAYS, now: datetime.datetime | None = None
) -> int:
    """Remove report files nobody needs: those of finished runs older than `older_than_days` that are not among the
    `keep` newest of their report, and PDF files no run points to (left by a restored or reset database). Pruned
    runs say so and can be built again. Returns the number of files removed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    root = Path(settings.MEDIA_ROOT)
    doomed: set[str] = set()
    referenced: set[str] = set()
    scopes = [*Institution.objects.values_list("pk", flat=True), None]  # every institution, then the region
    with transaction.atomic():
        for institution_id in scopes:
            runs = selectors.scoped_runs(institution_id)
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
