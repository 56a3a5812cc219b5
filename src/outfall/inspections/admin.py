"""Admin: inspections and their photos read-only (they change through ``inspections.services``)."""

from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin
from outfall.inspections.models import Inspection, InspectionPhoto


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "outfall", "inspector", "inspected_at", "discharging", "distance_m", "far", "open_case")
    list_filter = ("discharging", "far", "open_case")
    search_fields = ("outfall__code", "outfall__name", "finding")


@admin.register(InspectionPhoto)
class InspectionPhotoAdmin(ReadOnlyAdmin):
    list_display = ("id", "inspection", "kind", "content_type", "size_bytes")
    list_filter = ("kind",)
