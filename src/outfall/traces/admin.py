"""Admin: traces and verification tasks read-only (they change through ``traces.services``)."""

from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin
from outfall.traces.models import Trace, VerificationTask


@admin.register(Trace)
class TraceAdmin(ReadOnlyAdmin):
    list_display = ("id", "section", "parameter", "at", "alert", "model_version", "created_by", "created_at")
    list_filter = ("parameter",)
    search_fields = ("section__code", "section__name")


@admin.register(VerificationTask)
class VerificationTaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "trace", "outfall", "assignee", "deadline", "state", "result", "done_at")
    list_filter = ("state", "result")
    search_fields = ("outfall__code", "outfall__name")
