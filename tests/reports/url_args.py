"""URL-argument factories of the reports app (institution B's objects)."""

from tests.url_args import url_arg


@url_arg("run_id", owned=True)
def _run_id(world):
    """A national report run of B, still queued (its download redirects to its status page)."""
    from reports.models import ReportKind, ReportRun

    return ReportRun.objects.create(
        institution=world.b,
        kind=ReportKind.NATIONAL,
        cycle_id=1,
        title=f"{world.sentinel} national report",
        failure_reason=world.sentinel,
        parameters={"note": world.sentinel},
    ).pk


@url_arg("chart_key")
def _chart_key(world):
    return "cases_by_violation_type"
