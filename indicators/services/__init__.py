"""Every write of the indicators app, one module per workflow:

- `framework`: draft versions, indicators, areas, publication, monitoring rounds (regional admins);
- `cycles`: opening a cycle, assigning the work, publishing it;
- `values`: data entry (answers with their history, sources);
- `review`: the state machine of a cycle area (submit, return, approve, reopen) and its conclusions;
- `importing`: a filled sheet, all rows or none.

The names below are the app's write contract; callers import them from here.
"""

from indicators.services._common import TransitionError, notifications_suppressed
from indicators.services.cycles import cycle_assign, cycle_open, cycle_publish
from indicators.services.framework import (
    area_update,
    framework_version_create_draft,
    framework_version_publish,
    indicator_create,
    indicator_update,
    round_open,
    round_set_open,
)
from indicators.services.importing import ImportRejected, cycle_import
from indicators.services.review import (
    cycle_area_approve,
    cycle_area_reopen,
    cycle_area_return,
    cycle_area_set_conclusions,
    cycle_area_submit,
)
from indicators.services.values import source_add, source_remove, value_save

__all__ = [
    "ImportRejected",
    "TransitionError",
    "area_update",
    "cycle_area_approve",
    "cycle_area_reopen",
    "cycle_area_return",
    "cycle_area_set_conclusions",
    "cycle_area_submit",
    "cycle_assign",
    "cycle_import",
    "cycle_open",
    "cycle_publish",
    "framework_version_create_draft",
    "framework_version_publish",
    "indicator_create",
    "indicator_update",
    "notifications_suppressed",
    "round_open",
    "round_set_open",
    "source_add",
    "source_remove",
    "value_save",
]
