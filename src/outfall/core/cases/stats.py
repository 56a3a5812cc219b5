"""Counting cases for the dashboard and the monthly report (months of a period and counts per month
are :mod:`outfall.core.months`'s, kept here under their old names).

Pure: dates in, labels and integers out. Periods are half-open, ``[start, end)`` (local dates).
"""

from __future__ import annotations

import datetime as dt

from outfall.core.months import monthly_counts, months

__all__ = ["months", "monthly_counts", "as_of"]  # months, monthly_counts: from core.months


def as_of(end: dt.date, today: dt.date) -> dt.date:
    """The day a period's overdue counts are taken on: its last day, or today while it runs.

    >>> as_of(dt.date(2025, 4, 1), dt.date(2026, 1, 1)), as_of(dt.date(2026, 4, 1), dt.date(2026, 1, 1))
    (datetime.date(2025, 3, 31), datetime.date(2026, 1, 1))
    """
    return min(end - dt.timedelta(days=1), today)
