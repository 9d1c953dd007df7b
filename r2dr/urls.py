"""URL wiring. Each app exposes `urlpatterns` (top level),
`institution_urlpatterns` (mounted under /<institution-slug>/) and
`api_urlpatterns` (mounted under /api/v1/)."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from r2dr import api, views
from r2dr.notifications import views as notification_views

APPS = ["indicators", "cases", "training", "training.certificates", "training.workshops", "reports"]

admin.site.site_header = "r2dr administration"

institution_patterns = [
    path("", views.institution_home, name="institution_home"),
    path("members/", views.institution_members, name="institution_members"),
    path("settings/", views.institution_settings, name="institution_settings"),
    path("members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("notifications/", notification_views.notifications_list, name="notifications_list"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", notification_views.notification_open, name="notification_open"),
    path("notifications/preferences/", notification_views.notification_preferences, name="notification_preferences"),
]
top_patterns = []
api_patterns = [
    path("institutions/", api.InstitutionList.as_view(), name="api_institutions"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
]
for app_name in APPS:
    module = import_module(f"{app_name}.urls")
    top_patterns += getattr(module, "urlpatterns", [])
    institution_patterns += getattr(module, "institution_urlpatterns", [])
    api_patterns += getattr(module, "api_urlpatterns", [])

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_patterns)),
    path("me/", views.my_account, name="my_account"),
    path("me/workspaces/", views.workspace_choose, name="workspace_choose"),
    # Before the token route: "accept" must never be read as a token.
    path("invitations/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/", views.invitation_open, name="invitation_open"),  # links sent before ?token=
    path("regional/", views.regional_home, name="regional_home"),
    path("regional/institutions/new/", views.institution_onboard, name="institution_onboard"),
    *top_patterns,
    path("<slug:institution_slug>/", include(institution_patterns)),
]

handler400 = "r2dr.views.error_400"
handler403 = "r2dr.views.error_403"
handler404 = "r2dr.views.error_404"
handler500 = "r2dr.views.error_500"
