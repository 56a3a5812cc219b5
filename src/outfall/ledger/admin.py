"""Admin: read-only views of the ledger (changes go through the pages, API or CLI, which keep history)."""

from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin
from outfall.ledger.models import Outfall, Photo, ResponsibleParty


@admin.register(Outfall)
class OutfallAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "type_l1", "town", "receiving_water", "status")
    list_filter = ("type_l1", "status", "town")
    search_fields = ("code", "name", "national_code")

    def get_queryset(self, request):
        return Outfall.objects.visible_to(request.user).select_related("town")


@admin.register(ResponsibleParty)
class ResponsiblePartyAdmin(ReadOnlyAdmin):
    list_display = ("name", "uscc", "industry")
    search_fields = ("name", "uscc")


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ("outfall", "kind", "caption", "uploaded_at")
