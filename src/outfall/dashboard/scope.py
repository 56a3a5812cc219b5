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

__all__ = ["ALL", "town_of", "town_named", "year_of", "default_year", "month_of", "default_month", "year_choices",
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


def _newest_reading_day() -> dt.date | None:
    """The local day of the newest section reading (the sections list's cached newest times: no scan)."""
    from outfall.monitoring.layers import latest_times
    from outfall.monitoring.models import Section

    newest = max((t for t in latest_times(Section.objects.all()).values() if t is not None), default=None)
    return None if newest is None else timezone.localtime(newest).date()


def default_year() -> int:
    """This year, or, when no section has a reading this year yet (early January, or a system whose
    monitoring data stop earlier — the demo's year), the year of the newest section reading, so the
    first view shows a year with data."""
    this = timezone.localdate().year
    newest = _newest_reading_day()
    return this if newest is None else min(this, newest.year)


def year_of(value: str | None) -> int:
    """The year of a ``year`` query value (default :func:`default_year`); a clear error for anything else."""
    value = (value or "").strip()
    if not value:
        return default_year()
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not 1970 <= int(value) <= 9998:
        raise InputError(f"bad year {value!r}", user_message=_("年份「%(year)s」无效") % {"year": value})
    return int(value)


def default_month() -> dt.date:
    """The last whole month (the one a monthly report is usually asked for), or the month of the
    newest section reading when the readings stop before it."""
    last_whole = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    newest = _newest_reading_day()
    return last_whole if newest is None else min(last_whole, newest.replace(day=1))


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
