"""Who may see and record field inspections: the one place (STYLE rule 5).

==================  ==========================================  ======================
role                records an inspection of                    reads inspections
==================  ==========================================  ======================
admin, bureau       every outfall                               all
inspector           every outfall (巡查员: the field role)       all
town staff          the outfalls of their own town              all
viewer              none                                        all
==================  ==========================================  ======================

Quick-test values are stored as readings with source ``field`` as part of the inspection: whoever
may record the inspection may record them (``monitoring.ingest.ingest_field_readings``).
"""

from __future__ import annotations

from outfall.accounts import permissions
from outfall.core.enums import Role


def visible_inspections(queryset, user):
    """Every reader reads every inspection, as every reader reads the whole ledger."""
    return queryset if permissions.can_read(user) else queryset.none()


def can_record_any(user) -> bool:
    """May record an inspection of some outfall (shows the 现场巡查 entry points)."""
    if not permissions.can_read(user):
        return False
    role = user.role_enum
    return role in (Role.ADMIN, Role.BUREAU, Role.INSPECTOR) or (role == Role.TOWN and bool(user.town_id))


def can_record(user, outfall) -> bool:
    """May record an inspection of ``outfall``."""
    if not can_record_any(user):
        return False
    if user.role_enum == Role.TOWN:
        return outfall.town_id == user.town_id
    return True
