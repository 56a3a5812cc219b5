"""Who may see and act on alerts: the one place (STYLE rule 5).

Every logged-in user reads every alert. Admins and bureau staff act on all of them (acknowledge,
trace, confirm, close, assign) and manage channels and limits; town staff act on the alerts of their
own town and add limits to their own town's outfalls; inspectors and viewers only read. The rules
are the ledger's (``accounts.permissions``), applied to the alert's town.
"""

from __future__ import annotations

from outfall.accounts import permissions


def visible(queryset, user):
    return queryset if permissions.can_read(user) else queryset.none()


def actable(queryset, user):
    """The alerts ``user`` may act on."""
    towns = permissions.editable_town_ids(user)
    if towns is None:
        return queryset
    return queryset.filter(town_id__in=towns)


def can_act(user, alert) -> bool:
    return permissions.can_edit_town(user, alert.town_id)


def can_manage_channels(user) -> bool:
    return permissions.editable_town_ids(user) is None


def can_edit_limits(user, outfall) -> bool:
    return permissions.can_edit_town(user, outfall.town_id)
