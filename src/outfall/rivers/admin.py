from django.contrib import admin

from outfall.history.admin import ReadOnlyAdmin
from outfall.rivers.models import Reach, River, Snap


@admin.register(River)
class RiverAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind")


@admin.register(Reach)
class ReachAdmin(ReadOnlyAdmin):
    list_display = ("reach_id", "name", "kind", "to_id", "length_m", "velocity_m_s", "flow_m3_s")
    search_fields = ("reach_id", "name")


@admin.register(Snap)
class SnapAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "distance_m", "far")
