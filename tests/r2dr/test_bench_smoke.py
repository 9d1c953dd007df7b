"""Smoke runs of the benchmark commands (the real runs are `make bench`).

Marked `bench`: left out of the unit suite (pyproject's addopts), run once in CI by `make bench-smoke`."""

import io
import json
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.bench


@pytest.mark.django_db
def test_benchmarks_run_on_demo_data_and_print_numbers():
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench", "--runs", "2", "--skip-pdf", stdout=out)
    text = out.getvalue()
    assert re.search(r"regional dashboard.*: (\d+)-\1 queries per request", text), text
    # The real run builds each PDF in a child process (to measure its memory) against the configured
    # database; here the same measurement runs in-process against the test database.
    for kind in ("national-pdf", "regional-pdf"):
        out = io.StringIO()
        call_command("bench", "--only", kind, stdout=out)
        data = json.loads(out.getvalue().strip().splitlines()[-1])
        assert data["pages"] > 1 and data["seconds"] > 0 and data["peak_rss_mb"] > 0
    out = io.StringIO()
    call_command("indicators_bench", "--repeat", "1", stdout=out)
    assert re.search(r"\d+ quer", out.getvalue()), out.getvalue()
