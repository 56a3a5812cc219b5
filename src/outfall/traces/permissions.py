"""Who may see and do what with traces and verification tasks: the one place (STYLE rule 5).

- admins and bureau staff start traces, see every trace and task, create tasks and record results;
- town staff see the traces that touch their town (a candidate outfall, the section or the alert of
  their town) and the tasks of their town's outfalls or assigned to them, and record the result of
  those tasks;
- inspectors see every trace and record the result of the tasks assigned to them;
- viewers read every trace and task.
"""

from __future__ import annotations

from django.db.models import Q

from outfall.accounts import permissions
from outfall.core.enums import Role


def _town_of(user) -> int | None:
    """The town of a town-scoped reader, None for everyone who reads everything."""
    if permissions.can_read(user) and user.role_enum == Role.TOWN:
        return user.town_id or -1
    return None


def visible_traces(queryset, user):
    if not permissions.can_read(user):
        return queryset.none()
    town = _town_of(user)
    if town is None:
        return queryset
    return queryset.filter(Q(candidates__town_id=town) | Q(section__town_id=town) | Q(alert__town_id=town)).distinct()


def visible_tasks(queryset, user):
    if not permissions.can_read(user):
        return queryset.none()
    town = _town_of(user)
    if town is None:
        return queryset
    return queryset.filter(Q(outfall__town_id=town) | Q(assignee=user))


def can_trace(user) -> bool:
    """Start a trace (from an alert or a section page)."""
    return permissions.can_read(user) and permissions.editable_town_ids(user) is None


def can_create_tasks(user, trace=None) -> bool:
    return can_trace(user)


def can_complete(user, task) -> bool:
    """Record the result of ``task`` (open or done: a done task's result cannot be changed)."""
    if not permissions.can_read(user):
        return False
    role = user.role_enum
    if role in (Role.ADMIN, Role.BUREAU):
        return True
    if role == Role.TOWN:
        return task.assignee_id == user.pk or (user.town_id is not None and task.outfall.town_id == user.town_id)
    if role == Role.INSPECTOR:
        return task.assignee_id == user.pk
    return False


def can_be_assigned(user, outfall) -> bool:
    """Whom a task may be given to: someone who may then complete it."""
    if not (user.is_active and permissions.can_read(user)):
        return False
    return user.role_enum in (Role.ADMIN, Role.BUREAU, Role.INSPECTOR) or (
        user.role_enum == Role.TOWN and user.town_id == outfall.town_id)
