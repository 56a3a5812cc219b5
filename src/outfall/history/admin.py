from django.contrib import admin

from outfall.history.models import ChangeRecord


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("time", "actor_name", "action", "target_repr", "batch_id")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "actor_name", "batch_id")
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
