"""Views of the indicators app, one module per workflow: thin; permissions via r2dr.permissions, reads via
selectors, writes via services. Shared helpers live in `_common`; `indicators/urls.py` wires these names."""

from indicators.views.cycles import (
    cycle_assign,
    cycle_create,
    cycle_detail,
    cycle_export_csv,
    cycle_export_xlsx,
    cycle_import,
    cycle_publish,
    cycle_results,
    cycles,
    my_work,
)
from indicators.views.entry import area_entry, source_delete, source_file, value_history, value_save
from indicators.views.framework import framework_download_csv, framework_download_json, framework_public
from indicators.views.framework_admin import (
    area_edit,
    framework_admin,
    framework_version,
    framework_version_publish,
    indicator_add,
    indicator_edit,
)
from indicators.views.regional import regional_overview, round_toggle, rounds
from indicators.views.review import area_conclusions, area_reopen, area_review, area_submit

__all__ = [
    "area_conclusions",
    "area_edit",
    "area_entry",
    "area_reopen",
    "area_review",
    "area_submit",
    "cycle_assign",
    "cycle_create",
    "cycle_detail",
    "cycle_export_csv",
    "cycle_export_xlsx",
    "cycle_import",
    "cycle_publish",
    "cycle_results",
    "cycles",
    "framework_admin",
    "framework_download_csv",
    "framework_download_json",
    "framework_public",
    "framework_version",
    "framework_version_publish",
    "indicator_add",
    "indicator_edit",
    "my_work",
    "regional_overview",
    "round_toggle",
    "rounds",
    "source_delete",
    "source_file",
    "value_history",
    "value_save",
]
