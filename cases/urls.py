"""URLs of this app: `urlpatterns` at the top level, `institution_urlpatterns`
under /<institution-slug>/ (wired in r2dr/urls.py).

The public form's steps all post to one URL, so browser history never shows which step was reached; receipt
codes travel only in POST bodies, never in URLs."""

from django.urls import path

from cases import views, views_case_pdf, views_directory, views_handling

urlpatterns = [
    path("report/", views.report_choose, name="cases_report_choose"),
    path("follow-up/", views.followup, name="cases_followup_any"),
    path("regional/cases/taxonomies/", views_directory.taxonomy_index, name="cases_taxonomy_index"),
    path("regional/cases/taxonomies/<slug:taxonomy>/new/", views_directory.taxonomy_new, name="cases_taxonomy_new"),
    path(
        "regional/cases/taxonomies/<slug:taxonomy>/<int:term_id>/",
        views_directory.taxonomy_edit,
        name="cases_taxonomy_edit",
    ),
]
institution_urlpatterns = [
    path("report/", views.report_form, name="cases_report"),
    path("follow-up/", views.followup, name="cases_followup"),
    path("cases/", views.case_list, name="cases_list"),
    path("cases/assign/", views.case_assign, name="cases_assign"),
    path("cases/export.csv", views.cases_export_csv, name="cases_export_csv"),
    path("cases/record/", views_handling.case_record, name="cases_record"),
    path("cases/views/", views_handling.saved_view_save, name="cases_saved_view_save"),
    path(
        "cases/views/<int:saved_view_id>/delete/",
        views_handling.saved_view_delete,
        name="cases_saved_view_delete",
    ),
    path("cases/<int:case_id>/merge/", views_handling.case_merge, name="cases_merge"),
    path("cases/<int:case_id>/un-communication/", views.case_un_communication, name="cases_un_communication"),
    path("cases/<int:case_id>/case-file/", views_case_pdf.case_file, name="cases_case_file"),
    path("cases/<int:case_id>/", views.case_detail, name="cases_detail"),
    path("cases/<int:case_id>/triage/", views.case_triage, name="cases_triage"),
    path("cases/<int:case_id>/transition/", views.case_transition, name="cases_transition"),
    path("cases/<int:case_id>/sources/", views.case_source_add, name="cases_source_add"),
    path("cases/<int:case_id>/legal-hold/", views.case_legal_hold, name="cases_legal_hold"),
    path("cases/<int:case_id>/link/", views.case_link, name="cases_link"),
    path("cases/<int:case_id>/restrict/", views.case_restrict, name="cases_restrict"),
    path("cases/<int:case_id>/interventions/", views.case_intervention, name="cases_intervention_add"),
    path(
        "cases/<int:case_id>/interventions/<int:intervention_id>/",
        views.case_intervention,
        name="cases_intervention",
    ),
    path("cases/<int:case_id>/files/<int:attachment_id>/", views.case_attachment, name="cases_attachment"),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/original/",
        views.case_attachment_original,
        name="cases_attachment_original",
    ),
    path("cases/unlock/", views.unlock_view, name="cases_unlock"),
    path("cases/lock/", views.lock_view, name="cases_lock"),
    path("cases/keys/", views.keys_view, name="cases_keys"),
    path("cases/keys/my-key/", views.my_key_create, name="cases_my_key"),
    path("cases/keys/my-key/passphrase/", views.my_key_passphrase, name="cases_my_passphrase"),
    path("cases/keys/setup/", views.keys_setup, name="cases_keys_setup"),
    path("cases/keys/grant/", views.grant_create, name="cases_grant"),
    path("cases/keys/grants/<int:grant_id>/revoke/", views.grant_revoke, name="cases_grant_revoke"),
    path("cases/keys/recover/", views.recover_view, name="cases_recover"),
    path("cases/statistics/sharing/", views.statistics_sharing, name="cases_statistics_sharing"),
    path("cases/access-log/", views.access_log, name="cases_access_log"),
    path("cases/directory/", views_directory.directory, name="cases_directory"),
    path("cases/directory/<int:mechanism_id>/", views_directory.directory_edit, name="cases_directory_edit"),
]
