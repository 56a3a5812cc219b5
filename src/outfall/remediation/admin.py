"""Read-only admin: every change goes through ``remediation.services`` (history, outfall status)."""

from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin as ReadOnly
from outfall.remediation.models import Evidence, ProgressUpdate, RemediationTask, Reminder


@admin.register(RemediationTask)
class RemediationTaskAdmin(ReadOnly):
    list_display = ("pk", "outfall", "measure", "state", "deadline", "signed_off_at")
    list_filter = ("state", "measure")
    search_fields = ("outfall__code", "outfall__name")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnly):
    list_display = ("pk", "task", "kind", "time", "actor_name")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ("pk", "name", "kind", "content_type", "size_bytes")


@admin.register(Reminder)
class ReminderAdmin(ReadOnly):
    list_display = ("pk", "task", "kind", "deadline", "sent_at", "channels", "failed")
