"""URLs of the reports app: `urlpatterns` at the top level, `institution_urlpatterns`
under /<institution-slug>/ (wired in r2dr/urls.py)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("regional/dashboard/", views.regional_dashboard, name="reports_regional_dashboard"),
    path("regional/dashboard/<slug:chart_key>.csv", views.regional_chart_csv, name="reports_regional_csv"),
    path("regional/reports/", views.regional_reports, name="reports_regional_reports"),
    path("regional/reports/<int:run_id>/", views.regional_run, name="reports_regional_run"),
    path("regional/reports/<int:run_id>/download/", views.regional_download, name="reports_regional_download"),
]
institution_urlpatterns = [
    path("dashboard/", views.national_dashboard, name="reports_national_dashboard"),
    path("dashboard/<slug:chart_key>.csv", views.national_chart_csv, name="reports_national_csv"),
    path("reports/", views.national_reports, name="reports_national_reports"),
    path("reports/<int:run_id>/", views.national_run, name="reports_national_run"),
    path("reports/<int:run_id>/download/", views.national_download, name="reports_national_download"),
    path("results/", views.public_results, name="reports_public_results"),
    path("results/report.pdf", views.public_report_download, name="reports_public_report"),
    path("results/settings/", views.results_page_settings, name="reports_results_settings"),
]
