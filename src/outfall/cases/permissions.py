"""Who may see and do what with cases: the one place (STYLE rule 5).

- admins and bureau staff see every case and do every step: open, assign, note, reply, close
  (销号), reopen, import; they alone see a complainant's name and contact unmasked;
- town staff see the cases assigned to their town or linking it, open cases of their town (a field
  finding), record handling notes and the reply of those cases; they never close one;
- inspectors see every case, open cases (a field finding) and add handling notes;
- viewers read every case.
Everyone who may not see a complainant's details gets them masked (138****5678) in pages, API and
exports; asking for them unmasked is refused (403).
"""

from __future__ import annotations

from django.db.models import Q

from outfall.accounts import permissions
from outfall.core.enums import Role


def _town_of(user) -> int | None:
    """The town of a town-scoped reader (-1: a town account with no town), None for the others."""
    if permissions.can_read(user) and user.role_enum == Role.TOWN:
        return user.town_id or -1
    return None


def _bureau(user) -> bool:
    return permissions.can_read(user) and user.role_enum in (Role.ADMIN, Role.BUREAU)


def visible(queryset, user):
    """The cases ``user`` may see."""
    if not permissions.can_read(user):
        return queryset.none()
    town = _town_of(user)
    if town is None:
        return queryset
    ids = queryset.filter(Q(assigned_town_id=town) | Q(towns__id=town)).values("pk")
    return queryset.filter(pk__in=ids)


def links_town(user, case) -> bool:
    town = _town_of(user)
    return town is not None and (case.assigned_town_id == town or case.towns.filter(pk=town).exists())


def can_open(user) -> bool:
    """Open a case (town staff: of their own town, which the service links)."""
    return permissions.can_read(user) and user.role_enum in (Role.ADMIN, Role.BUREAU, Role.INSPECTOR) or (
        permissions.can_read(user) and user.role_enum == Role.TOWN and bool(user.town_id))


def can_open_for_town(user, town_id: int | None) -> bool:
    """Open a case from an object of ``town_id`` (an alert, a verification task's outfall): town staff
    only from their own town's objects."""
    if not can_open(user):
        return False
    return user.role_enum != Role.TOWN or (town_id is not None and town_id == user.town_id)


def can_assign(user, case=None) -> bool:
    """Assign or reassign a case to a town or department (交办)."""
    return _bureau(user)


def can_note(user, case) -> bool:
    """Record a handling note with evidence."""
    if _bureau(user) or permissions.can_read(user) and user.role_enum == Role.INSPECTOR:
        return True
    return links_town(user, case)


def can_reply(user, case) -> bool:
    """Record the reply to the complainant or the inspection office."""
    return _bureau(user) or links_town(user, case)


def can_close(user, case=None) -> bool:
    """Close (销号) or reopen a case: bureau roles only."""
    return _bureau(user)


def can_import(user) -> bool:
    """Import a batch of inspection cases from the office's workbook."""
    return _bureau(user)


def can_manage_campaigns(user) -> bool:
    return _bureau(user)


def can_see_contact(user) -> bool:
    """See a complainant's name and contact unmasked."""
    return _bureau(user)
