"""Time the regional case statistics as the dashboard reads them: one jointly suppressed release (no cache),
sliced into the dashboard's tables."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors

DIMENSIONS = ("violation_type", "subregion", "country", "defender_group", "gender", "right", "perpetrator_type")


class Command(BaseCommand):
    help = "Print the time of building the regional release and slicing the dashboard's tables (median of --runs)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, runs=10, **options):
        shared = sum(r["count"] or 0 for r in selectors.case_statistics(regional=True, group_by="year", min_cell=1))
        builds, slices, totals = [], [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                release = selectors.case_statistics_release(regional=True)
                built = time.perf_counter()
                for dimension in DIMENSIONS:
                    selectors.case_statistics(regional=True, group_by=dimension, release=release)
                done = time.perf_counter()
            builds.append((built - start) * 1000)
            slices.append((done - built) * 1000)
            totals.append((done - start) * 1000)
        self.stdout.write(f"{shared} cases shared for statistics, database {connection.vendor}")
        self.stdout.write(
            f"release: {len(release.values)} published cells, {len(release.primary)} small, "
            f"{len(release.hidden) - len(release.primary)} withheld to protect them; {len(queries)} queries"
        )
        self.stdout.write(
            f"release + {len(DIMENSIONS)} tables: median {statistics.median(totals):.0f} ms, "
            f"min {min(totals):.0f} ms, max {max(totals):.0f} ms"
        )
        self.stdout.write(f"  build (queries and joint suppression): median {statistics.median(builds):.0f} ms")
        self.stdout.write(f"  slicing {len(DIMENSIONS)} tables: median {statistics.median(slices):.1f} ms")
