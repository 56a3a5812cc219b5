"""Counting cases for the dashboard and the monthly report: months of a period and counts per month.

Pure: dates in, labels and integers out. Periods are half-open, ``[start, end)`` (local dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

__all__ = ["months", "monthly_counts", "as_of"]


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


def as_of(end: dt.date, today: dt.date) -> dt.date:
    """The day a period's overdue counts are taken on: its last day, or today while it runs.

    >>> as_of(dt.date(2025, 4, 1), dt.date(2026, 1, 1)), as_of(dt.date(2026, 4, 1), dt.date(2026, 1, 1))
    (datetime.date(2025, 3, 31), datetime.date(2026, 1, 1))
    """
    return min(end - dt.timedelta(days=1), today)
