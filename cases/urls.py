"""URLs of this app: `urlpatterns` at the top level, `institution_urlpatterns`
under /<institution-slug>/ (wired in r2dr/urls.py).

The public form's steps all post to one URL, so browser history never shows which step was reached; receipt
codes travel only in POST bodies, never in URLs."""

from django.urls import path

from cases.views import (
    case,
    directory,
    escalation,
    exports,
    inbox,
    interventions,
    keys,
    merge,
    public_follow_up,
    public_report,
    record,
    search,
    statistics,
)

urlpatterns = [
    path("report/", public_report.report_choose, name="cases_report_choose"),
    path("follow-up/", public_follow_up.followup, name="cases_followup_any"),
    path("regional/cases/taxonomies/", directory.taxonomy_index, name="cases_taxonomy_index"),
    path("regional/cases/taxonomies/<slug:taxonomy>/new/", directory.taxonomy_new, name="cases_taxonomy_new"),
    path(
        "regional/cases/taxonomies/<slug:taxonomy>/<int:term_id>/",
        directory.taxonomy_edit,
        name="cases_taxonomy_edit",
    ),
]
institution_urlpatterns = [
    path("report/", public_report.report_form, name="cases_report"),
    path("follow-up/", public_follow_up.followup, name="cases_followup"),
    path("cases/", inbox.case_list, name="cases_list"),
    path("cases/assign/", inbox.case_assign, name="cases_assign"),
    path("cases/search/", search.case_search, name="cases_search"),
    path("cases/export.csv", exports.cases_export_csv, name="cases_export_csv"),
    path("cases/record/", record.case_record, name="cases_record"),
    path("cases/views/", inbox.saved_view_save, name="cases_saved_view_save"),
    path(
        "cases/views/<int:saved_view_id>/delete/",
        inbox.saved_view_delete,
        name="cases_saved_view_delete",
    ),
    path("cases/<int:case_id>/merge/", merge.case_merge, name="cases_merge"),
    path("cases/<int:case_id>/un-communication/", exports.case_un_communication, name="cases_un_communication"),
    path("cases/<int:case_id>/case-file/", exports.case_file, name="cases_case_file"),
    path("cases/<int:case_id>/", case.case_detail, name="cases_detail"),
    path("cases/<int:case_id>/escalation/", escalation.case_escalation, name="cases_escalation"),
    path("cases/<int:case_id>/triage/", case.case_triage, name="cases_triage"),
    path("cases/<int:case_id>/transition/", case.case_transition, name="cases_transition"),
    path("cases/<int:case_id>/sources/", case.case_source_add, name="cases_source_add"),
    path("cases/<int:case_id>/legal-hold/", case.case_legal_hold, name="cases_legal_hold"),
    path("cases/<int:case_id>/link/", case.case_link, name="cases_link"),
    path("cases/<int:case_id>/restrict/", case.case_restrict, name="cases_restrict"),
    path("cases/<int:case_id>/interventions/", interventions.case_intervention, name="cases_intervention_add"),
    path(
        "cases/<int:case_id>/interventions/<int:intervention_id>/",
        interventions.case_intervention,
        name="cases_intervention",
    ),
    path("cases/<int:case_id>/files/<int:attachment_id>/", case.case_attachment, name="cases_attachment"),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/original/",
        case.case_attachment_original,
        name="cases_attachment_original",
    ),
    path("cases/unlock/", keys.unlock_view, name="cases_unlock"),
    path("cases/lock/", keys.lock_view, name="cases_lock"),
    path("cases/keys/", keys.keys_view, name="cases_keys"),
    path("cases/keys/my-key/", keys.my_key_create, name="cases_my_key"),
    path("cases/keys/my-key/passphrase/", keys.my_key_passphrase, name="cases_my_passphrase"),
    path("cases/keys/setup/", keys.keys_setup, name="cases_keys_setup"),
    path("cases/keys/grant/", keys.grant_create, name="cases_grant"),
    path("cases/keys/grants/<int:grant_id>/revoke/", keys.grant_revoke, name="cases_grant_revoke"),
    path("cases/keys/recover/", keys.recover_view, name="cases_recover"),
    path("cases/statistics/sharing/", statistics.statistics_sharing, name="cases_statistics_sharing"),
    path("cases/access-log/", keys.access_log, name="cases_access_log"),
    path("cases/directory/", directory.directory, name="cases_directory"),
    path("cases/directory/<int:mechanism_id>/", directory.directory_edit, name="cases_directory_edit"),
]
