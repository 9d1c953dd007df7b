"""URLs of this app: `urlpatterns` at the top level, `institution_urlpatterns`
under /<institution-slug>/ (wired in r2dr/urls.py)."""

from django.urls import path

from indicators import views

urlpatterns = [
    path("framework/", views.framework_public, name="indicators_framework"),
    path("framework/r2dr-framework.json", views.framework_download_json, name="indicators_framework_json"),
    path("framework/r2dr-framework.csv", views.framework_download_csv, name="indicators_framework_csv"),
    path("regional/framework/", views.framework_admin, name="indicators_framework_admin"),
    path("regional/framework/<int:version_id>/", views.framework_version, name="indicators_framework_version"),
    path(
        "regional/framework/<int:version_id>/publish/",
        views.framework_version_publish,
        name="indicators_framework_version_publish",
    ),
    path(
        "regional/framework/<int:version_id>/indicators/<str:indicator_code>/",
        views.indicator_edit,
        name="indicators_indicator_edit",
    ),
    path("regional/framework/<int:version_id>/add-indicator/", views.indicator_add, name="indicators_indicator_add"),
    path("regional/framework/<int:version_id>/areas/<str:area_code>/", views.area_edit, name="indicators_area_edit"),
    path("regional/rounds/", views.rounds, name="indicators_rounds"),
    path("regional/rounds/<int:round_id>/toggle/", views.round_toggle, name="indicators_round_toggle"),
    path("regional/indicators/", views.regional_overview, name="indicators_regional"),
]

CYCLE = "indicators/cycles/<int:cycle_id>/"
AREA = CYCLE + "areas/<str:area_code>/"

institution_urlpatterns = [
    path("indicators/", views.cycles, name="indicators_cycles"),
    path("indicators/my-work/", views.my_work, name="indicators_my_work"),
    path("indicators/cycles/new/", views.cycle_create, name="indicators_cycle_create"),
    path(CYCLE, views.cycle_detail, name="indicators_cycle"),
    path(CYCLE + "assign/", views.cycle_assign, name="indicators_cycle_assign"),
    path(CYCLE + "publish/", views.cycle_publish, name="indicators_cycle_publish"),
    path(CYCLE + "results/", views.cycle_results, name="indicators_cycle_results"),
    path(CYCLE + "export.csv", views.cycle_export_csv, name="indicators_cycle_export_csv"),
    path(CYCLE + "export.xlsx", views.cycle_export_xlsx, name="indicators_cycle_export_xlsx"),
    path(CYCLE + "import/", views.cycle_import, name="indicators_cycle_import"),
    path(CYCLE + "indicators/<str:indicator_code>/", views.value_save, name="indicators_value"),
    path(AREA, views.area_entry, name="indicators_area"),
    path(AREA + "submit/", views.area_submit, name="indicators_area_submit"),
    path(AREA + "review/", views.area_review, name="indicators_area_review"),
    path(AREA + "reopen/", views.area_reopen, name="indicators_area_reopen"),
    path(AREA + "conclusions/", views.area_conclusions, name="indicators_area_conclusions"),
    path("indicators/values/<int:value_id>/history/", views.value_history, name="indicators_value_history"),
    path("indicators/sources/<int:source_id>/delete/", views.source_delete, name="indicators_source_delete"),
    path("indicators/sources/<int:source_id>/file/", views.source_file, name="indicators_source_file"),
]

from indicators import api  # noqa: E402

api_urlpatterns = [
    path("framework/indicators/", api.FrameworkIndicatorList.as_view(), name="api_framework_indicators"),
    path(
        "<slug:institution_slug>/indicators/cycles/<int:cycle_id>/values/",
        api.CycleValueList.as_view(),
        name="api_cycle_values",
    ),
]
