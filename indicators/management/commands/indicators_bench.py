"""Print query counts and timings of the indicators pages and selectors on the current database.

Run after `manage.py seed_demo --scale N`. Numbers, not pass/fail: see README (make bench).
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators import selectors
from indicators.models import Cycle, CycleArea
from r2dr.tenancy import scopes_disabled


def _measure(fn, repeat):
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


class Command(BaseCommand):
    help = "Query counts and median timings of indicators pages and regional selectors."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, repeat=5, **options):
        with scopes_disabled():
            # A real institution's cycle (the training cohort's practice cycle is seeded last) and an area of it
            # that someone answers for.
            cycle = (
                Cycle.objects.filter(areas__respondents__isnull=False, institution__is_practice=False)
                .order_by("-id")
                .first()
            )
            if cycle is None:
                raise CommandError("No cycle with respondents: run seed_demo first.")
            cycle_area = CycleArea.objects.filter(cycle=cycle, respondents__isnull=False).order_by("-id").first()
            user = cycle_area.respondents.first()
            n_values = cycle.values.count()
            total_cycles = Cycle.objects.count()
        User = get_user_model()
        client = Client()
        client.force_login(User.objects.get(pk=user.pk))
        slug = cycle.institution.slug
        area_url = f"/{slug}/indicators/cycles/{cycle.pk}/areas/{cycle_area.area.code}/"
        overview_url = f"/{slug}/indicators/cycles/{cycle.pk}/"
        rows = [
            ("data-entry page (one area)", lambda: client.get(area_url)),
            ("cycle overview page", lambda: client.get(overview_url)),
            ("my-work page", lambda: client.get(f"/{slug}/indicators/my-work/")),
            ("public framework page", lambda: Client().get("/framework/")),
            ("regional_status_matrix()", lambda: selectors.regional_status_matrix()),
            ("national_results()", lambda: selectors.national_results(institution=cycle.institution, cycle=cycle)),
        ]
        self.stdout.write(
            f"database: {connection.vendor}; cycles: {total_cycles}; values in the measured cycle: {n_values}"
        )
        for label, fn in rows:
            ms, queries = _measure(fn, repeat)
            self.stdout.write(f"{label:32s} {queries:4d} queries  {ms:8.1f} ms (median of {repeat})")
