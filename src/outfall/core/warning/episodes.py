"""Episodes: one alert per site, parameter and rule for as long as the rule keeps firing.

An episode is a run of consecutive flagged readings of one series: it opens at the first flagged
reading, every later flagged reading attaches to it, and the first unflagged reading (recovery)
closes it. An episode already open from an earlier run (``initially_open``) continues when the
new readings start flagged, and is closed by the first unflagged one::

    flags   . . X X X . X . .          (. not flagged, X flagged)
    runs        └─────┘ └┘
                opens   closes at the next '.'

So replaying the same readings gives the same episodes, and an episode's readings are all flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from outfall.core.warning.engine import Readings

__all__ = ["Episodes", "Episode", "episodes"]


@dataclass(frozen=True)
class Episode:
    """One run. Indices point into the sorted :class:`~outfall.core.warning.engine.Readings`;
    ``first``/``last`` are −1 for an episode open before these readings that their first reading
    closes at once; ``closed_at`` is −1 while it is still open."""

    series: int
    first: int
    last: int
    continues: bool
    closed_at: int


@dataclass(frozen=True)
class Episodes:
    """Episodes as arrays (one entry each), with :meth:`__iter__` giving :class:`Episode` objects."""

    series: np.ndarray
    first: np.ndarray
    last: np.ndarray
    continues: np.ndarray
    closed_at: np.ndarray

    def __len__(self) -> int:
        return len(self.series)

    def __iter__(self) -> Iterator[Episode]:
        for k in range(len(self)):
            yield Episode(int(self.series[k]), int(self.first[k]), int(self.last[k]), bool(self.continues[k]),
                          int(self.closed_at[k]))


def episodes(readings: Readings, flags: np.ndarray, *, initially_open: np.ndarray | None = None,
             grace: int = 0) -> Episodes:
    """The episodes of one rule's ``flags`` over sorted ``readings``.

    Parameters
    ----------
    readings : Readings
        Sorted by (series, time).
    flags : numpy.ndarray of bool
        One rule's result per reading.
    initially_open : numpy.ndarray of bool, keyword-only, optional
        Per series: an episode of this rule is already open (from an earlier evaluation).
    grace : int, keyword-only
        Runs of one series separated by at most this many unflagged readings are one episode (a
        value hovering at the limit must not open a new alert at every crossing); the episode
        still closes at the first unflagged reading after its last flagged one.

    Examples
    --------
    >>> r = Readings.from_arrays([0] * 9, range(9), [0.0] * 9)
    >>> f = np.array([0, 0, 1, 1, 1, 0, 1, 0, 0], dtype=bool)
    >>> [(e.first, e.last, e.closed_at) for e in episodes(r, f)]
    [(2, 4, 5), (6, 6, 7)]
    >>> [(e.first, e.continues, e.closed_at) for e in episodes(r, ~f, initially_open=np.array([True]))]
    [(0, True, 2), (5, False, 6), (7, False, -1)]
    >>> [(e.first, e.last, e.closed_at) for e in episodes(r, f, grace=1)]
    [(2, 6, 7)]
    """
    n = len(readings)
    s = readings.series
    starts = readings.starts()
    flags = np.asarray(flags, dtype=bool)
    prev = np.zeros(n, dtype=bool)
    prev[1:] = flags[:-1]
    prev[starts] = False
    nxt = np.zeros(n, dtype=bool)
    nxt[:-1] = flags[1:]
    ends = np.append(starts[1:], True)
    nxt[ends] = False
    first = np.flatnonzero(flags & ~prev)
    last = np.flatnonzero(flags & ~nxt)
    if grace > 0 and len(first) > 1:  # merge runs of a series that the grace joins
        join = (s[first[1:]] == s[last[:-1]]) & (first[1:] - last[:-1] - 1 <= grace)
        first = first[np.append(True, ~join)]
        last = last[np.append(~join, True)]
    closed_at = np.where(ends[last], -1, last + 1)
    if initially_open is None:
        continues = np.zeros(len(first), dtype=bool)
        extra = np.zeros(0, dtype=np.int64)
    else:
        open_ = np.asarray(initially_open, dtype=bool)
        continues = starts[first] & open_[s[first]]
        extra = np.flatnonzero(starts & ~flags & open_[s])  # open before, closed by the first reading
    series = np.concatenate((s[first], s[extra]))
    order = np.lexsort((np.concatenate((first, extra)), series))
    none = np.full(len(extra), -1)
    return Episodes(series[order], np.concatenate((first, none))[order], np.concatenate((last, none))[order],
                    np.concatenate((continues, np.ones(len(extra), dtype=bool)))[order],
                    np.concatenate((closed_at, extra))[order])
