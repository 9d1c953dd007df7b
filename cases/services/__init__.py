"""Writes of the cases app, one module per workflow. The public writes and the exceptions they raise are re-exported
here, so callers write `from cases import services` and `services.case_submit(...)`; readers are in
`cases.selectors` (clear fields) and `cases.plaintext` (decrypted content)."""

from cases.services.access_log import access_log_append
from cases.services.case_settings import case_settings_create
from cases.services.directory import protection_mechanism_save, taxonomy_term_save
from cases.services.duplicates import (
    MergeRefused,
    case_index_names,
    case_link,
    case_merge,
    case_names_index_pending,
)
from cases.services.escalation import (
    ESCALATION_OVERDUE,
    ESCALATION_REPEAT,
    ESCALATION_URGENT,
    ESCALATION_WHY,
    case_escalate,
    case_repeat_attack_detect,
    cases_escalate_overdue,
    interventions_remind_overdue,
)
from cases.services.intake import (
    EncryptedUpload,
    attachments_add,
    case_submit,
    case_submitter_notify,
    consent_change,
    message_add,
)
from cases.services.interventions import InterventionRefused, intervention_save
from cases.services.keys import (
    KeysNotReady,
    key_grant_create,
    key_grant_recover,
    key_grant_revoke,
    keyring_setup,
    keyring_unlock,
    officer_key_create,
    officer_key_offboard,
    officer_key_replace,
    officer_passphrase_change,
)
from cases.services.record import case_record
from cases.services.retention import OnLegalHold, case_delete, case_legal_hold
from cases.services.saved_views import saved_inbox_view_delete, saved_inbox_view_save
from cases.services.search import (
    NoSearchWords,
    SearchNeedsKeys,
    SearchRefused,
    SearchResult,
    case_index_words,
    case_words_index_pending,
    cases_search,
)
from cases.services.un_communication import un_draft_discard, un_draft_save
from cases.services.workflow import (
    TransitionRefused,
    case_restrict,
    case_transition,
    case_triage,
    cases_assign,
    source_add,
    statistics_share,
    statistics_share_every_year,
)

__all__ = [
    "ESCALATION_OVERDUE",
    "ESCALATION_REPEAT",
    "ESCALATION_URGENT",
    "ESCALATION_WHY",
    "EncryptedUpload",
    "InterventionRefused",
    "KeysNotReady",
    "MergeRefused",
    "NoSearchWords",
    "OnLegalHold",
    "SearchNeedsKeys",
    "SearchRefused",
    "SearchResult",
    "TransitionRefused",
    "access_log_append",
    "attachments_add",
    "case_delete",
    "case_escalate",
    "case_index_names",
    "case_index_words",
    "case_legal_hold",
    "case_link",
    "case_merge",
    "case_names_index_pending",
    "case_record",
    "case_repeat_attack_detect",
    "case_restrict",
    "case_settings_create",
    "case_submit",
    "case_submitter_notify",
    "case_transition",
    "case_words_index_pending",
    "case_triage",
    "cases_assign",
    "cases_escalate_overdue",
    "cases_search",
    "consent_change",
    "interventions_remind_overdue",
    "intervention_save",
    "key_grant_create",
    "key_grant_recover",
    "key_grant_revoke",
    "keyring_setup",
    "keyring_unlock",
    "message_add",
    "officer_key_create",
    "officer_key_offboard",
    "officer_key_replace",
    "officer_passphrase_change",
    "protection_mechanism_save",
    "saved_inbox_view_delete",
    "saved_inbox_view_save",
    "source_add",
    "taxonomy_term_save",
    "statistics_share",
    "statistics_share_every_year",
    "un_draft_discard",
    "un_draft_save",
]
