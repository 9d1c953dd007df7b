"""`manage.py bench`: numbers for the reports app, on whatever data the database holds
(meant for `seed_demo --scale 1`).

Prints the regional dashboard's query count and server time over N runs, and
the national and regional PDF build times and peak memory. Each PDF is built
in a fresh child process (`--only ...`), so its peak RSS is that of one worker
doing one report. Nothing is kept: runs are rolled back and files removed.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from r2dr.models import Institution, Membership
from r2dr.roles import Role
from r2dr.tenancy import scopes_disabled
from reports import selectors, services, sources
from reports.models import ReportKind, ReportRun


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the regional dashboard and PDF builds (prints numbers)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="dashboard requests to time")
        parser.add_argument("--skip-pdf", action="store_true")
        parser.add_argument("--only", choices=["national-pdf", "regional-pdf"], help=argparse_hidden())

    def handle(self, *args, runs=20, skip_pdf=False, only=None, **options):
        if only:
            self.stdout.write(json.dumps(self._pdf(only)))
            return
        self._sizes()
        self._dashboard(runs)
        failed = []
        if not skip_pdf:
            for kind in ("national-pdf", "regional-pdf"):
                result = subprocess.run(
                    [sys.executable, "manage.py", "bench", "--only", kind],
                    cwd=settings.BASE_DIR,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    self.stderr.write(result.stderr[-2000:])
                    failed.append(kind)
                    continue
                data = json.loads(result.stdout.strip().splitlines()[-1])
                self.stdout.write(
                    f"{kind}: {data['seconds']:.2f} s, peak RSS {data['peak_rss_mb']:.0f} MB, "
                    f"{data['pages']} pages, {data['size_kb']:.0f} KB ({data['subject']})"
                )
        if failed:
            raise CommandError(f"benchmark failed: {', '.join(failed)}")

    # --- data -----------------------------------------------------------------

    def _sizes(self):
        data = selectors.regional_dashboard()
        cycles = sum(len(sources.published_cycles(institution=row["institution"])) for row in data.rows)
        stats = sources.case_statistics(regional=True, group_by="year")
        shared_cases = sum(r["count"] or 0 for r in stats)
        indicators = sum(len(a.indicators.all()) for area in sources.framework_areas() for a in area.attributes.all())
        self.stdout.write(
            f"data: {data.institution_count} institutions, {cycles} published cycles, "
            f"{len(data.all_areas)} areas / {indicators} indicators, {shared_cases} cases shared for statistics, "
            f"database {connection.vendor}"
        )

    def _dashboard(self, runs):
        with scopes_disabled():
            membership = (
                Membership.objects.filter(role=Role.REGIONAL_ADMIN, institution=None).select_related("user").first()
            )
        if membership is None:
            self.stderr.write("no regional admin: run seed_demo first")
            return
        client = Client()
        client.force_login(membership.user)
        views = (("default view", ""), ("filtered by sub-region and area", "?subregion=south_east_asia&area=1"))
        for label, query in views:
            for cold in (True, False):
                timings, queries = self._time(client, runs, query, cold=cold)
                state = (
                    "no precomputed case statistics (cache emptied before each request, release built inline)"
                    if cold
                    else "precomputed case statistics (normal operation: beat rebuilds them every 4 min)"
                )
                self.stdout.write(
                    f"regional dashboard, {label}, {state}: {min(queries)}-{max(queries)} queries per request; "
                    f"server time {self._summary(timings)}"
                )

        builds = []
        for _ in range(max(3, runs // 4)):
            started = time.perf_counter()
            sources.case_statistics_release(regional=True)
            builds.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"regional case-statistics release build (Celery, background): {self._summary(sorted(builds))}"
        )

    def _time(self, client, runs, query="", cold=True):
        timings, queries = [], []
        for i in range(runs + 1):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get("/regional/dashboard/" + query)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if i == 0:
                continue  # warm-up: template and URL caches
            timings.append(elapsed)
            queries.append(len(ctx.captured_queries))
        return sorted(timings), queries

    @staticmethod
    def _summary(timings):
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        return (
            f"over {len(timings)} runs: median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, "
            f"min {timings[0]:.0f} ms"
        )

    # --- PDFs (child process) ----------------------------------------------------

    def _pdf(self, kind):
        result = {}
        try:
            with transaction.atomic():
                if kind == "national-pdf":
                    best = None
                    for inst in Institution.objects.filter(is_active=True):
                        cycles = sources.published_cycles(institution=inst)
                        if cycles and (best is None or len(cycles) > best[1]):
                            best = (inst, len(cycles), cycles[0])
                    if best is None:
                        raise SystemExit("no published cycle")
                    inst, _n, cycle = best
                    run = ReportRun.objects.create(
                        kind=ReportKind.NATIONAL, institution=inst, cycle_id=cycle.pk, title="bench"
                    )
                    subject = f"{inst.short_name or inst.name}, {cycle}"
                else:
                    run = ReportRun.objects.create(kind=ReportKind.REGIONAL, title="bench")
                    subject = "whole region, latest published results"
                started = time.perf_counter()
                run = services.report_build(run_id=run.pk, institution_id=run.institution_id, reuse=False)
                seconds = time.perf_counter() - started
                if run.status != "done":
                    raise SystemExit(run.failure_reason)
                path = Path(settings.MEDIA_ROOT) / run.file_path
                result = {
                    "seconds": seconds,
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "pages": run.page_count,
                    "size_kb": run.file_size / 1024,
                    "subject": subject,
                }
                with scopes_disabled():
                    shared = ReportRun.objects.filter(file_path=run.file_path).exclude(pk=run.pk).exists()
                if not shared:  # a file another run points to stays
                    path.unlink(missing_ok=True)
                raise _Rollback
        except _Rollback:
            pass
        return result


def argparse_hidden():
    return argparse.SUPPRESS
