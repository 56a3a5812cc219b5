from django.contrib import admin
from django.db import transaction

from outfall.history.admin import ReadOnlyAdmin
from outfall.monitoring import services
from outfall.monitoring.models import OutfallReading, Section, SectionReading, StationBinding


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "water_type", "target_class", "river", "automatic_station")
    list_filter = ("level", "water_type", "target_class")
    search_fields = ("code", "name")


@admin.register(SectionReading)
class SectionReadingAdmin(ReadOnlyAdmin):
    list_display = ("section", "time", "parameter", "value", "qualifier", "unit", "source", "qc_flag")
    list_filter = ("parameter", "source", "qc_flag")


@admin.register(OutfallReading)
class OutfallReadingAdmin(ReadOnlyAdmin):
    list_display = ("outfall", "time", "parameter", "value", "qualifier", "unit", "source", "qc_flag")
    list_filter = ("parameter", "source")


@admin.register(StationBinding)
class StationBindingAdmin(admin.ModelAdmin):
    """站点授权: add and withdraw through the services (history kept); a binding is never edited in place."""

    list_display = ("user", "section", "outfall", "note", "created_at")
    list_filter = ("user",)
    search_fields = ("user__username", "section__code", "section__name", "outfall__code", "outfall__name")
    autocomplete_fields = ("user", "section", "outfall")
    fields = ("user", "section", "outfall", "note")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        bound = services.add_station_binding(obj.user, obj.site, actor=request.user, note=obj.note)
        obj.pk = bound.pk

    def delete_model(self, request, obj):
        services.remove_station_binding(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for binding in queryset.select_related("user", "section", "outfall"):
                services.remove_station_binding(binding, actor=request.user)
