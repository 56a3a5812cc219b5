"""Bounds on the times a reading may carry: from 1970 to one day after now.

A time outside is a typing or clock error (year 0001 from an empty spreadsheet cell, 9999 from a
placeholder, a station whose clock ran ahead). Refusing it at entry also keeps the database and
the time zone conversions away from the edges of ``datetime`` (0001-01-01 at +08:00 is before
0001-01-01 UTC and cannot be converted).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["EARLIEST", "FUTURE_SLACK", "check_time_bounds"]

#: The earliest reading time accepted (UTC).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: How far after the current time a reading may be (station clocks and time zones).
FUTURE_SLACK = dt.timedelta(days=1)


def check_time_bounds(t: dt.datetime, *, now: dt.datetime | None = None) -> dt.datetime:
    """Return the aware time ``t`` if it lies within [1970-01-01 UTC, now + 1 day], else raise.

    Parameters
    ----------
    t : datetime
        An aware datetime.
    now : datetime, keyword-only, optional
        The current time (aware); default the clock.

    Raises
    ------
    ValueError
        With a Chinese and English message giving the accepted range.

    Examples
    --------
    >>> now = dt.datetime(2025, 11, 7, tzinfo=dt.UTC)
    >>> check_time_bounds(dt.datetime(2025, 11, 6, 20, tzinfo=dt.UTC), now=now).year
    2025
    >>> check_time_bounds(dt.datetime(9999, 12, 31, tzinfo=dt.UTC), now=now)
    Traceback (most recent call last):
    ...
    ValueError: 时间 9999-12-31 00:00:00+00:00 晚于当前时间一天以上 / time is more than a day in the future
    """
    now = now or dt.datetime.now(dt.UTC)
    if t.tzinfo is None:
        raise ValueError(f"时间 {t} 没有时区 / time has no time zone")
    # Compare the wall-clock parts with the offset folded into the bound: converting an edge time
    # such as 0001-01-01 at +08:00 to UTC would overflow.
    offset = t.utcoffset() or dt.timedelta(0)
    naive = t.replace(tzinfo=None)
    if naive < EARLIEST.replace(tzinfo=None) + offset:
        raise ValueError(f"时间 {t} 早于 1970-01-01 / time is before 1970-01-01")
    if naive > (now + FUTURE_SLACK).replace(tzinfo=None) + offset:
        raise ValueError(f"时间 {t} 晚于当前时间一天以上 / time is more than a day in the future")
    return t
