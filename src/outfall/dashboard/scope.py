"""What a dashboard or report request covers: a town (or the whole area), a year or a month.

Every logged-in user reads the whole area (``accounts.permissions``), so any town may be chosen;
town staff see their own town until they choose another (or the whole area, ``all``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.accounts.models import Town
from outfall.core.enums import Role
from outfall.core.errors import InputError, NotFoundError
from outfall.core.months import parse_month

__all__ = ["ALL", "town_of", "town_named", "year_of", "month_of", "default_month", "year_choices",
           "scope_context"]

#: The town selector's value for the whole area.
ALL = "all"


def town_of(user, value: str | None) -> Town | None:
    """The town of a ``town`` query value: a town's id, ``all`` (None: the whole area), or nothing
    (the user's own town for town staff, else the whole area). An unknown id is a clear 404."""
    value = (value or "").strip()
    if value == ALL:
        return None
    if not value:
        if user.role_enum == Role.TOWN and user.town_id:
            return user.town
        return None
    town = Town.objects.filter(pk=int(value)).first() if value.isascii() and value.isdigit() and len(value) < 10 else None
    if town is None:
        raise NotFoundError(f"town {value!r}", user_message=_("镇街「%(town)s」不存在") % {"town": value})
    return town


def town_named(name: str | None) -> Town | None:
    """The town of a name or code (the CLI's ``--town``); None for no name; a clear error otherwise."""
    name = (name or "").strip()
    if not name:
        return None
    town = Town.objects.filter(name=name).first() or Town.objects.filter(code=name).first()
    if town is None:
        known = "、".join(Town.objects.order_by("code").values_list("name", flat=True)[:40]) or "—"
        raise NotFoundError(f"town {name!r}", user_message=_("镇街「%(town)s」不存在 (现有: %(known)s)")
                            % {"town": name, "known": known})
    return town


def year_of(value: str | None) -> int:
    """The year of a ``year`` query value (default this year); a clear error for anything else."""
    value = (value or "").strip()
    if not value:
        return timezone.localdate().year
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not 1970 <= int(value) <= 9998:
        raise InputError(f"bad year {value!r}", user_message=_("年份「%(year)s」无效") % {"year": value})
    return int(value)


def default_month() -> dt.date:
    """The last whole month (the one a monthly report is usually asked for)."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_of(value: str | None) -> dt.date:
    """The first day of the month of a ``month`` query value ``YYYY-MM`` (default the last whole month)."""
    value = (value or "").strip()
    return parse_month(value) if value else default_month()


def year_choices(selected: int) -> list[int]:
    """The years the selector offers: this year and the five before it, and the selected one."""
    this = timezone.localdate().year
    return sorted({*range(this - 5, this + 1), selected}, reverse=True)


def scope_context(user, town: Town | None) -> dict:
    """Template variables of the town selector."""
    return {"towns": list(Town.objects.order_by("code")), "town": town, "ALL": ALL}
