from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin
from outfall.monitoring.models import OutfallReading, Section, SectionReading


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
