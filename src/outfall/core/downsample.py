"""Thin a time series to what a chart can show without losing its peaks.

A chart ``w`` pixels wide cannot draw more than ``w`` distinct x positions, so a series of two years
of hourly readings (17,520 points) is sent as at most ``4 × buckets`` points: the time span is cut
into ``buckets`` equal intervals and each keeps its first, lowest, highest and last point (the
min/max-per-bucket method of time-series plotting libraries), in time order. An exceedance peak or
a dissolved-oxygen dip is therefore always drawn at its true value and time.
"""

from __future__ import annotations

import numpy as np

__all__ = ["minmax_indices"]


def minmax_indices(times: np.ndarray, values: np.ndarray, buckets: int) -> np.ndarray:
    """Indices (ascending) of the points to keep: every point when there are at most ``4 × buckets``,
    else first, min, max and last of each of ``buckets`` equal time intervals (NaN values kept out
    of min/max). ``times`` must be ascending (any numeric unit, e.g. seconds).

    >>> t = np.arange(1000.0); v = np.zeros(1000); v[537] = 9.0; v[42] = -3.0
    >>> keep = minmax_indices(t, v, 10)
    >>> len(keep) <= 40, 537 in keep, 42 in keep, int(keep[0]), int(keep[-1])
    (True, True, True, 0, 999)
    >>> minmax_indices(np.arange(5.0), np.arange(5.0), 10).tolist()
    [0, 1, 2, 3, 4]
    """
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    n = len(t)
    if buckets < 1:
        raise ValueError("buckets must be ≥ 1")
    if n <= 4 * buckets:
        return np.arange(n)
    span = t[-1] - t[0]
    b = np.zeros(n, dtype=np.int64) if span <= 0 else np.minimum(((t - t[0]) / span * buckets).astype(np.int64),
                                                                  buckets - 1)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    ends = np.r_[starts[1:], n] - 1
    finite = np.isfinite(v)
    lo = np.where(finite, v, np.inf)
    hi = np.where(finite, v, -np.inf)
    order_lo = np.lexsort((lo, b))   # within each bucket, lowest first
    order_hi = np.lexsort((-hi, b))  # within each bucket, highest first
    keep = np.concatenate([starts, ends, order_lo[starts], order_hi[starts]])
    return np.unique(keep)
