"""Admin of the history (read-only) and the read-only base other apps use for service-owned models."""

from django.contrib import admin

from outfall.history.models import ChangeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Models changed only through services (which write history) are read-only in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "action", "target_repr", "batch_id")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "actor_name", "batch_id")
