"""Admin for users and towns; every save or delete also writes a ChangeRecord."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.forms.models import model_to_dict

from outfall.accounts.models import Town, User
from outfall.history.services import record_change


def _state(obj, fields) -> dict:
    data = model_to_dict(obj, fields=fields)
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}


class HistoryAdminMixin:
    """Saves and deletes from the admin leave history like every service does."""

    history_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = _state(type(obj).objects.get(pk=obj.pk), self.history_fields) if change else None
            super().save_model(request, obj, form, change)
            record_change(obj, action="update" if change else "create", actor=request.user, before=before,
                          after=_state(obj, self.history_fields), note="admin")

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_change(obj, action="delete", actor=request.user, before=_state(obj, self.history_fields),
                          after=None, note="admin")
            super().delete_model(request, obj)


@admin.register(User)
class UserAdmin(HistoryAdminMixin, BaseUserAdmin):
    history_fields = ("username", "first_name", "last_name", "email", "role", "town", "is_active", "is_staff",
                      "is_superuser")
    fieldsets = BaseUserAdmin.fieldsets + (("角色 / Role", {"fields": ("role", "town")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色 / Role", {"fields": ("role", "town")}),)
    list_display = ("username", "first_name", "role", "town", "is_active")
    list_filter = ("role", "town", "is_active")


@admin.register(Town)
class TownAdmin(HistoryAdminMixin, admin.ModelAdmin):
    history_fields = ("code", "name", "kind", "boundary")
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")
