from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from outfall.accounts.models import Town, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("角色 / Role", {"fields": ("role", "town")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色 / Role", {"fields": ("role", "town")}),)
    list_display = ("username", "first_name", "role", "town", "is_active")
    list_filter = ("role", "town", "is_active")


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")
