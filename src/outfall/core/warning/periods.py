"""The period rules: a section's class worse than in the previous period, and a rising trend.

Period means follow the national method (环办〔2011〕22号 §2.2: the arithmetic mean of the period's
values, classified like a single value); a period counts only with at least
``rules.period_min_samples`` samples, so one odd sample never flips a month's class. The trend is
the Spearman rank correlation of the last ``rules.trend_periods`` counted period means with time
(§2.9), computed for every series at once and equal to
:func:`outfall.core.standards.spearman_trend` (a test checks it); rising is bad for an upper bound,
falling for a lower bound (DO).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outfall.core.warning.engine import KIND_MAX, KIND_MIN, KIND_RANGE, Readings
from outfall.core.warning.rules import DEFAULT_RULES, RuleSet

__all__ = ["PeriodMeans", "period_means", "class_worse", "near_limit", "trends"]


@dataclass(frozen=True)
class PeriodMeans:
    """Per (series, period) with enough samples, ordered by series then period.

    ``start_s`` is the UTC second the local period starts; ``mean`` in the series' unit;
    ``count`` the samples in it."""

    series: np.ndarray
    start_s: np.ndarray
    mean: np.ndarray
    count: np.ndarray


def period_means(readings: Readings, *, period: str = "M", utc_offset_h: float = 8.0,
                 rules: RuleSet = DEFAULT_RULES) -> PeriodMeans:
    """Mean of each series per local month (``"M"``) or day (``"D"``), periods with too few samples dropped.

    >>> r = Readings.from_arrays([0] * 4, [0, 1, 2, 86400 * 40], [1.0, 2.0, 3.0, 9.0])
    >>> pm = period_means(r); pm.mean.tolist(), pm.count.tolist()
    ([2.0], [3])
    """
    off = int(round(utc_offset_h * 3600))
    key = (readings.time + off).astype("datetime64[s]").astype(f"datetime64[{period}]").astype(np.int64)
    # Sorted by (series, time), so the (series, period) groups are contiguous runs: no sort needed.
    change = readings.starts()
    change[1:] |= key[1:] != key[:-1]
    bounds = np.flatnonzero(change)
    if not len(bounds):
        empty = np.zeros(0, dtype=np.int64)
        return PeriodMeans(empty, empty, np.zeros(0), empty)
    counts = np.diff(np.append(bounds, len(key)))
    sums = np.add.reduceat(readings.value, bounds)
    keep = counts >= rules.period_min_samples
    b = bounds[keep]
    start = key[b].astype(f"datetime64[{period}]").astype("datetime64[s]").astype(np.int64) - off
    return PeriodMeans(readings.series[b], start, (sums / counts)[keep], counts[keep])


def class_worse(pm: PeriodMeans, ranks: np.ndarray, target_ranks: np.ndarray | None = None, *,
                min_drop: int = 1) -> np.ndarray:
    """True for a counted period whose class rank (1 … 6, 0 ungraded) is worse than the series'
    previous counted period, and either off the series' target (``target_ranks[series]``, rank worse
    than it) or at least ``min_drop`` classes worse (``RuleSet.class_worse_min_drop``). Without
    targets every worsening counts (``min_drop`` 1).

    >>> pm = PeriodMeans(np.array([0, 0, 0, 1]), np.arange(4), np.zeros(4), np.full(4, 3))
    >>> class_worse(pm, np.array([2, 3, 3, 5])).tolist()
    [False, True, False, False]
    >>> pm = PeriodMeans(np.zeros(4, int), np.arange(4), np.zeros(4), np.full(4, 3))
    >>> class_worse(pm, np.array([1, 2, 4, 5]), np.array([3]), min_drop=2).tolist()  # I→II inside III: no
    [False, False, True, True]
    """
    out = np.zeros(len(pm.series), dtype=bool)
    same = pm.series[1:] == pm.series[:-1]
    graded = (ranks[1:] > 0) & (ranks[:-1] > 0)
    worse = same & graded & (ranks[1:] > ranks[:-1])
    if target_ranks is not None:
        off = ranks[1:] > np.asarray(target_ranks)[pm.series[1:]]
        worse &= off | (ranks[1:] - ranks[:-1] >= min_drop)
    out[1:] = worse
    return out


def near_limit(pm: PeriodMeans, spec, share: float) -> np.ndarray:
    """True for a period whose mean has come within (1 − ``share``) of its series' limit (``spec``: a
    :class:`~outfall.core.warning.engine.SeriesSpec` of the series): mean ≥ share × limit for an
    upper bound, ≤ (2 − share) × limit for a lower bound (DO: within the same margin above it, not
    limit / share, which near-saturated cool water reaches every summer), within (1 − share) × half
    the range of either end for a range (pH); no limit: False.

    >>> from outfall.core.warning.limits import section_limit
    >>> from outfall.core.warning.engine import SeriesSpec
    >>> spec = SeriesSpec.from_limits([section_limit(p, "III") for p in ("NH3N", "DO", "PH")])
    >>> pm = PeriodMeans(np.array([0, 0, 1, 2, 2]), np.arange(5), np.array([0.6, 0.7, 6.5, 7.6, 8.6]), np.full(5, 3))
    >>> near_limit(pm, spec, 0.7).tolist()
    [False, True, True, False, True]
    """
    kind, lim, low = spec.kind[pm.series], spec.limit[pm.series], spec.low[pm.series]
    x = pm.mean
    slack = (1.0 - share) * (lim - low) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.select([kind == KIND_MAX, kind == KIND_MIN, kind == KIND_RANGE],
                         [x >= share * lim, x <= (2.0 - share) * lim, (x >= lim - slack) | (x <= low + slack)], False)


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata  # local: SciPy only when a trend is asked

    return rankdata(a, axis=1)


def trends(pm: PeriodMeans, kinds: np.ndarray, *, rules: RuleSet = DEFAULT_RULES) -> dict[int, tuple[float, float]]:
    """Series with a significant adverse trend over their last ``rules.trend_periods`` counted periods.

    Parameters
    ----------
    pm : PeriodMeans
    kinds : numpy.ndarray of int
        Per series: the limit kind (a falling trend is adverse for ``KIND_MIN``).

    Returns
    -------
    dict
        series → (rho, p) for each series whose trend is significant at ``rules.trend_alpha`` in
        the adverse direction.

    >>> pm = PeriodMeans(np.zeros(6, int), np.arange(6), np.array([1.0, 1.2, 1.1, 1.5, 1.9, 2.4]), np.full(6, 3))
    >>> {k: round(v[0], 3) for k, v in trends(pm, np.array([0])).items()}
    {0: 0.943}
    """
    from scipy.stats import t as student_t

    k = rules.trend_periods
    ends = np.flatnonzero(np.append(pm.series[1:] != pm.series[:-1], True))
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    full = (ends - starts + 1) >= k
    if not full.any():
        return {}
    last = ends[full]
    idx = last[:, None] - (k - 1) + np.arange(k)[None, :]
    y = pm.mean[idx]
    x = pm.start_s[idx].astype(float)
    ry, rx = _ranks(y), _ranks(x)
    ry -= ry.mean(axis=1, keepdims=True)
    rx -= rx.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (rx * ry).sum(axis=1) / np.sqrt((rx ** 2).sum(axis=1) * (ry ** 2).sum(axis=1))
        tt = rho * np.sqrt((k - 2) / ((1.0 - rho) * (1.0 + rho)))
    p = 2 * student_t.sf(np.abs(tt), k - 2)
    p = np.where(np.abs(rho) >= 1.0, 0.0, p)
    series = pm.series[last]
    adverse = np.where(kinds[series] == KIND_MIN, rho < 0, rho > 0)
    hit = adverse & (p < rules.trend_alpha) & np.isfinite(rho)
    return {int(s): (float(r), float(q)) for s, r, q in zip(series[hit], rho[hit], p[hit], strict=True)}
