"""Superuser admin for the cases app's regional data only. Case rows, keys and the access log are deliberately
not registered: they are encrypted or append-only, and read only through the officer views."""

from django.contrib import admin

from cases.models import DefenderGroup, PerpetratorType, ProtectionMechanism, Right, ViolationType

for model in (ViolationType, DefenderGroup, PerpetratorType, Right):
    admin.site.register(model, list_display=("code", "label", "order", "is_active"), search_fields=("code", "label"))
admin.site.register(
    ProtectionMechanism, list_display=("name", "institution", "is_active"), list_filter=("institution",)
)
