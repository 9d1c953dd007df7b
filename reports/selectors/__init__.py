"""Reads of the reports app, one module per workflow: national and regional dashboards (which the PDFs share),
case statistics tables, labels, data versions, runs. Other apps are read only through `reports.sources`.

The names below are the package's public surface; its modules never import from this `__init__`."""

from reports.selectors.case_tables import case_table
from reports.selectors.labels import (
    STATUSES,
    change_labels,
    change_of,
    cycle_label,
    status_counts,
    status_labels,
    status_rank,
)
from reports.selectors.national import CASE_DIMENSIONS_NATIONAL, NationalData, national_dashboard, national_summary
from reports.selectors.regional import (
    REGIONAL_CASE_DIMENSIONS,
    RegionalData,
    countries,
    regional_case_rows,
    regional_completeness_by_institution,
    regional_country_details,
    regional_dashboard,
    regional_summary,
    round_name,
)
from reports.selectors.runs import (
    latest_done_run,
    latest_done_run_in,
    national_run,
    national_runs,
    regional_run,
    regional_runs,
    results_page,
    reusable_run,
    scoped_runs,
    stale_cutoff,
    stuck_runs,
)
from reports.selectors.versions import LAYOUT_VERSION, data_version

__all__ = [
    "CASE_DIMENSIONS_NATIONAL",
    "LAYOUT_VERSION",
    "REGIONAL_CASE_DIMENSIONS",
    "STATUSES",
    "NationalData",
    "RegionalData",
    "case_table",
    "change_labels",
    "change_of",
    "countries",
    "cycle_label",
    "data_version",
    "latest_done_run",
    "latest_done_run_in",
    "national_dashboard",
    "national_run",
    "national_runs",
    "national_summary",
    "regional_case_rows",
    "regional_completeness_by_institution",
    "regional_country_details",
    "regional_dashboard",
    "regional_run",
    "regional_runs",
    "regional_summary",
    "reusable_run",
    "results_page",
    "round_name",
    "scoped_runs",
    "stale_cutoff",
    "stuck_runs",
    "status_counts",
    "status_labels",
    "status_rank",
]
