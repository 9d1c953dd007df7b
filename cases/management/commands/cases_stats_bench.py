"""Time cases.selectors.case_statistics as the regional dashboard calls it (six dimensions, no cache)."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries

from cases import selectors

DIMENSIONS = ("violation_type", "subregion", "country", "defender_group", "right", "perpetrator_type")


class Command(BaseCommand):
    help = "Print the time of the six regional case_statistics calls of the dashboard (median of --runs)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, runs=10, **options):
        shared = sum(r["count"] or 0 for r in selectors.case_statistics(regional=True, group_by="year", min_cell=1))
        totals, per_dim = [], {d: [] for d in DIMENSIONS}
        for _ in range(runs):
            start = time.perf_counter()
            for dimension in DIMENSIONS:
                t = time.perf_counter()
                selectors.case_statistics(regional=True, group_by=dimension)
                per_dim[dimension].append((time.perf_counter() - t) * 1000)
            totals.append((time.perf_counter() - start) * 1000)
        reset_queries()
        self.stdout.write(f"{shared} cases shared for statistics, database {connection.vendor}")
        self.stdout.write(
            f"six calls: median {statistics.median(totals):.0f} ms, min {min(totals):.0f} ms, max {max(totals):.0f} ms"
        )
        for dimension, times in per_dim.items():
            self.stdout.write(f"  {dimension}: median {statistics.median(times):.1f} ms")
