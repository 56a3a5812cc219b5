"""Calendar periods of the summaries (概览, 月报): a month, a year, the twelve months before a date.

Every period is a pair of local dates ``(start, end)``, ``end`` exclusive, as
:mod:`outfall.reports.parts` takes them. Pure: dates in, dates out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from outfall.core.errors import InputError

__all__ = ["parse_month", "month_bounds", "year_bounds", "months_before", "month_label", "next_month", "local_bounds",
           "months", "monthly_counts"]

_MONTH = re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})\s*$")


def parse_month(text: str | None) -> dt.date:
    """The first day of the month written ``YYYY-MM`` (``2026-10``); a clear error otherwise.

    >>> parse_month("2026-10"), parse_month(" 2025-3 ")
    (datetime.date(2026, 10, 1), datetime.date(2025, 3, 1))
    >>> parse_month("2026-13")
    Traceback (most recent call last):
    ...
    outfall.core.errors.InputError: bad month '2026-13'
    """
    m = _MONTH.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1970 <= int(m.group(1)) <= 9998:
        raise InputError(f"bad month {text!r}",
                         user_message=f"月份「{text or ''}」无效，应写作 YYYY-MM，例如 2026-10")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def next_month(first: dt.date) -> dt.date:
    """The first day of the month after the one ``first`` lies in.

    >>> next_month(dt.date(2026, 12, 5))
    datetime.date(2027, 1, 1)
    """
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """``(start, end)`` of the month of ``first``, end exclusive.

    >>> month_bounds(dt.date(2026, 2, 14))
    (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))
    """
    start = first.replace(day=1)
    return start, next_month(start)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """``(1 January, 1 January of the next year)``.

    >>> year_bounds(2025)
    (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    """
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def month_label(first: dt.date) -> str:
    """``YYYY-MM``.

    >>> month_label(dt.date(2026, 3, 1))
    '2026-03'
    """
    return f"{first.year}-{first.month:02d}"


def months_before(end: dt.date, n: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` whole months that end where ``end`` (exclusive) is, oldest first; an ``end`` inside a
    month counts that month as the last one.

    >>> [month_label(s) for s, _e in months_before(dt.date(2026, 1, 1), 3)]
    ['2025-10', '2025-11', '2025-12']
    >>> [month_label(s) for s, _e in months_before(dt.date(2026, 1, 15), 2)]
    ['2025-12', '2026-01']
    """
    last = (end - dt.timedelta(days=1)).replace(day=1)
    out = []
    for _ in range(n):
        out.append(month_bounds(last))
        last = (last - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def local_bounds(start: dt.date, end: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes of local midnight at ``start`` and ``end`` in ``tz`` (for time filters).

    >>> from zoneinfo import ZoneInfo
    >>> [t.isoformat() for t in local_bounds(dt.date(2026, 1, 1), dt.date(2026, 2, 1), ZoneInfo("Asia/Shanghai"))]
    ['2026-01-01T00:00:00+08:00', '2026-02-01T00:00:00+08:00']
    """
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def months(start: dt.date, end: dt.date) -> list[str]:
    """The ``YYYY-MM`` labels of every month that has a day in ``[start, end)``.

    >>> months(dt.date(2025, 11, 15), dt.date(2026, 2, 1))
    ['2025-11', '2025-12', '2026-01']
    >>> months(dt.date(2025, 3, 1), dt.date(2025, 3, 1))
    []
    """
    out, y, m = [], start.year, start.month
    while dt.date(y, m, 1) < end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_counts(dates: Iterable[dt.date | None], start: dt.date, end: dt.date) -> list[int]:
    """How many of ``dates`` fall in each month of :func:`months` (dates outside ``[start, end)``
    and None are not counted).

    >>> monthly_counts([dt.date(2025, 1, 3), dt.date(2025, 1, 31), dt.date(2025, 3, 1), None], dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    [2, 0, 1]
    """
    labels = months(start, end)
    index = {label: i for i, label in enumerate(labels)}
    counts = [0] * len(labels)
    for d in dates:
        if d is not None and start <= d < end:
            counts[index[f"{d.year:04d}-{d.month:02d}"]] += 1
    return counts
