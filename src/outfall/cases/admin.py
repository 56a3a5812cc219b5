"""Admin: cases, campaigns and notes read-only (they change through ``cases.services``)."""

from django.contrib import admin

from outfall.cases.models import Campaign, Case, CaseNote
from outfall.history.admin import ReadOnlyAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "number", "title", "intake_date", "deadline", "state", "result", "assigned_town")
    list_filter = ("source", "state", "result")
    search_fields = ("number", "title")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "year", "start_date", "end_date")


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyAdmin):
    list_display = ("id", "case", "author_name", "created_at", "file_name")
