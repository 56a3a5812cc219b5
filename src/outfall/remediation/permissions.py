"""Who may see and do what with remediation tasks: the one place (STYLE rule 5).

- admins and bureau staff see every task, create and edit tasks, record progress, start, request
  the close-out, sign off (销号) and reopen;
- town staff see the tasks of their town's outfalls, record progress on them, start them and
  request their close-out; they never sign off or reopen;
- inspectors and viewers read every task.
"""

from __future__ import annotations

from outfall.accounts import permissions
from outfall.core.enums import Role


def _bureau(user) -> bool:
    return permissions.can_read(user) and user.role_enum in (Role.ADMIN, Role.BUREAU)


def _own_town(user, task) -> bool:
    return (permissions.can_read(user) and user.role_enum == Role.TOWN and user.town_id is not None
            and task.outfall.town_id == user.town_id)


def visible_tasks(queryset, user):
    if not permissions.can_read(user):
        return queryset.none()
    if user.role_enum == Role.TOWN:
        return queryset.filter(outfall__town_id=user.town_id or -1)
    return queryset


def can_create(user) -> bool:
    """Set a task (and edit its plan, party, department, deadline)."""
    return _bureau(user)


def can_work(user, task) -> bool:
    """Record progress with evidence and start the work: the town of the outfall or the bureau."""
    return _bureau(user) or _own_town(user, task)


def can_request_close(user, task) -> bool:
    """Ask for the close-out (申请销号): the town of the outfall or the bureau."""
    return can_work(user, task)


def can_sign_off(user) -> bool:
    """Sign off (销号) and reopen: bureau roles only; a town account never."""
    return _bureau(user)


def can_reopen(user) -> bool:
    return _bureau(user)
