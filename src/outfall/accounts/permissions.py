"""Who may see and change what: the one place (STYLE rule 5).

Every authenticated, active user may read the whole area's ledger. Admins and bureau staff may
change every record; town staff only records of their own town; inspectors and viewers none.
Pages, API, admin and CLI all ask these functions (through ``OutfallQuerySet.editable_by`` and
friends); none of them branches on roles itself.
"""

from __future__ import annotations

from outfall.core.enums import Role


def can_read(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def editable_town_ids(user) -> set[int] | None:
    """None: every town; a set: only these towns (possibly empty)."""
    if not can_read(user):
        return set()
    role = user.role_enum
    if role in (Role.ADMIN, Role.BUREAU):
        return None
    if role == Role.TOWN and user.town_id:
        return {user.town_id}
    return set()


def can_edit_town(user, town_id: int | None) -> bool:
    towns = editable_town_ids(user)
    if towns is None:
        return True
    return town_id is not None and town_id in towns


def can_edit_any(user) -> bool:
    towns = editable_town_ids(user)
    return towns is None or bool(towns)


class BureauDataQuerySet:
    """Mixin for data the bureau keeps (sections, the river network): every user reads it,
    admins and bureau staff change it. Use as ``class X(BureauDataQuerySet, models.QuerySet)``."""

    def visible_to(self, user):
        return self if can_read(user) else self.none()

    def editable_by(self, user):
        return self if editable_town_ids(user) is None else self.none()
