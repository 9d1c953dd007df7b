"""Django admin (superusers only): framework data and taxonomy terms. Nothing here can be deleted: terms and
indicators are retired, cycles keep their history."""

from django.contrib import admin

from indicators.models import Area, Attribute, FrameworkVersion, Indicator, MonitoringRound, Term


class NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Term)
class TermAdmin(NoDelete):
    list_display = ["vocabulary", "code", "label", "is_retired"]
    list_filter = ["vocabulary", "is_retired"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(NoDelete):
    list_display = ["number", "title", "status", "published_at"]
    readonly_fields = ["status", "published_at", "published_by"]


class PublishedReadOnly(NoDelete):
    """Rows of a published framework version are immutable."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_editable:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Area)
class AreaAdmin(PublishedReadOnly):
    list_display = ["code", "title", "version"]
    list_filter = ["version"]


@admin.register(Attribute)
class AttributeAdmin(PublishedReadOnly):
    list_display = ["code", "title", "version"]
    list_filter = ["version"]


@admin.register(Indicator)
class IndicatorAdmin(PublishedReadOnly):
    list_display = ["code", "title", "type", "value_type", "version", "is_retired"]
    list_filter = ["version", "type", "value_type", "is_retired"]
    search_fields = ["code", "title"]


@admin.register(MonitoringRound)
class MonitoringRoundAdmin(NoDelete):
    list_display = ["year", "title", "version", "due_date", "is_open"]
