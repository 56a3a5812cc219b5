"""The per-reading rules, vectorised over many series at once.

Input is columnar: every reading of every series in three arrays sorted by (series, time)
(:class:`Readings`), and one limit per series (:class:`SeriesSpec`). :func:`evaluate` returns, for
every reading, which rules it trips (:class:`Findings`):

- **over** the limit (:class:`~outfall.core.warning.limits.SeriesLimit`; equal is not over), with
  the exceedance multiple (C − L) / L for upper bounds (none for DO and pH, 环办〔2011〕22号 §2.5)
  and the exceedance percentage of discharge limits;
- **approaching**: not over, but ≥ share × L (≤ L / share for a lower bound; within
  (1 − share) × half the range of either end of pH 6–9);
- **repeated**: over, with at least k of the last n readings of the series over (this one included);
- **jump**: the robust score z = (x − median) / σ̂ against the previous ``jump_window`` readings of
  the series, σ̂ = IQR / 1.349 (the normal-consistent interquartile range, one sort per window),
  floored at 1.4826 × a share of the median and at the reporting step, above ``jump_z`` (below
  −``jump_z`` for a lower bound; |z| for a range); needs ``jump_window`` earlier readings;
- **gap**: the time since the previous reading of the series exceeds ``gap_factor`` × its interval.

Every rule is a handful of NumPy passes; nothing loops over readings in Python
(bench/bench_warning.py measures it against a pandas groupby).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from outfall.core.warning.limits import SeriesLimit
from outfall.core.warning.rules import DEFAULT_RULES, RuleSet

__all__ = ["Readings", "SeriesSpec", "Findings", "evaluate", "gaps_now", "KIND_MAX", "KIND_MIN", "KIND_RANGE"]

KIND_MAX, KIND_MIN, KIND_RANGE, KIND_NONE = 0, 1, 2, 3
_KIND = {"max": KIND_MAX, "min": KIND_MIN, "range": KIND_RANGE}
_CHUNK = 1 << 18  # readings per jump-window block (bounds memory at ~25 MB for a 12-reading window)


@dataclass(frozen=True)
class Readings:
    """Readings of many series, sorted by (series, time).

    Attributes
    ----------
    series : numpy.ndarray of int64
        Index of the series (0 … m − 1) of each reading.
    time : numpy.ndarray of int64
        Seconds since 1970-01-01 UTC.
    value : numpy.ndarray of float64
        In the unit of the series' limit; never NaN (missing values are no readings).
    order : numpy.ndarray of int64
        Position of each reading in the arrays given to :meth:`from_arrays`.
    """

    series: np.ndarray
    time: np.ndarray
    value: np.ndarray
    order: np.ndarray

    @classmethod
    def from_arrays(cls, series, time, value) -> Readings:
        """Sort (stable on equal keys) and drop missing values.

        >>> r = Readings.from_arrays([1, 0, 0], [5, 9, 3], [2.0, float("nan"), 1.0])
        >>> r.series.tolist(), r.time.tolist(), r.order.tolist()
        ([0, 1], [3, 5], [2, 0])
        """
        s = np.asarray(series, dtype=np.int64)
        t = np.asarray(time, dtype=np.int64)
        v = np.asarray(value, dtype=float)
        keep = np.flatnonzero(~np.isnan(v))
        idx = keep[np.lexsort((t[keep], s[keep]))]
        return cls(s[idx], t[idx], v[idx], idx)

    def __len__(self) -> int:
        return len(self.value)

    def starts(self) -> np.ndarray:
        """True at the first reading of each series."""
        out = np.ones(len(self), dtype=bool)
        out[1:] = self.series[1:] != self.series[:-1]
        return out

    def positions(self) -> np.ndarray:
        """The 0-based position of each reading within its series."""
        first = np.flatnonzero(self.starts())
        run = np.diff(np.append(first, len(self)))
        return np.arange(len(self)) - np.repeat(first, run)


@dataclass(frozen=True)
class SeriesSpec:
    """One limit and one reporting interval per series (arrays of length m).

    ``kind`` is 0 max, 1 min, 2 range, 3 none (no limit: only the jump and gap rules apply).
    ``step`` is the reporting step (10⁻ᵈ) that floors the jump rule's MAD; ``interval_s`` the
    expected seconds between readings (NaN: the gap rule is off for that series).
    """

    kind: np.ndarray
    limit: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    low: np.ndarray
    step: np.ndarray
    interval_s: np.ndarray

    @classmethod
    def from_limits(cls, limits: list[SeriesLimit | None], *, steps=None, intervals_s=None) -> SeriesSpec:
        m = len(limits)
        kind = np.array([KIND_NONE if lim is None else _KIND[lim.kind] for lim in limits], dtype=np.int8)
        limit = np.array([math.nan if lim is None else lim.limit for lim in limits], dtype=float)
        upper = np.array([math.inf if lim is None else lim.upper for lim in limits], dtype=float)
        lower = np.array([-math.inf if lim is None else lim.lower for lim in limits], dtype=float)
        low = np.array([math.nan if lim is None else lim.low for lim in limits], dtype=float)
        step = np.full(m, 0.0) if steps is None else np.asarray(steps, dtype=float)
        interval = np.full(m, math.nan) if intervals_s is None else np.asarray(intervals_s, dtype=float)
        return cls(kind, limit, upper, lower, low, step, interval)


@dataclass(frozen=True)
class Findings:
    """Per-reading results of :func:`evaluate`, aligned with the sorted :class:`Readings`."""

    over: np.ndarray
    approaching: np.ndarray
    repeated: np.ndarray
    jump: np.ndarray
    gap: np.ndarray
    multiple: np.ndarray
    pct: np.ndarray
    z: np.ndarray
    gap_h: np.ndarray

    def flags(self, rule: str) -> np.ndarray:
        """The boolean array of one rule (``exceedance``/``discharge`` → over)."""
        name = {"exceedance": "over", "discharge": "over"}.get(rule, rule)
        return getattr(self, name)


def _repeated(over: np.ndarray, pos: np.ndarray, k: int, n: int) -> np.ndarray:
    c = np.concatenate(([0], np.cumsum(over, dtype=np.int64)))
    i = np.arange(len(over))
    lo = i - np.minimum(pos, n - 1)
    return over & ((c[i + 1] - c[lo]) >= k)


def _jump_scores(value: np.ndarray, pos: np.ndarray, series: np.ndarray, spec: SeriesSpec,
                 rules: RuleSet) -> np.ndarray:
    w = rules.jump_window
    z = np.full(len(value), np.nan)
    eligible = np.flatnonzero(pos >= w)
    if not len(eligible):
        return z
    windows = np.lib.stride_tricks.sliding_window_view(value, w)
    lo, hi = (w - 1) // 2, w // 2  # the middle order statistics (equal for odd w)
    q1, q3 = (w - 1) * 0.25, (w - 1) * 0.75  # quartile positions, linear interpolation
    q1i, q3i = int(q1), int(q3)
    q1f, q3f = q1 - q1i, q3 - q3i
    for a in range(0, len(eligible), _CHUNK):
        idx = eligible[a:a + _CHUNK]
        block = windows[idx - w]  # a copy: the w readings before each one
        block.sort(axis=1)
        med = 0.5 * (block[:, lo] + block[:, hi])
        iqr = (block[:, min(q3i + 1, w - 1)] * q3f + block[:, q3i] * (1 - q3f)) \
            - (block[:, min(q1i + 1, w - 1)] * q1f + block[:, q1i] * (1 - q1f))
        floor = np.maximum(rules.jump_mad_floor_share * np.abs(med), spec.step[series[idx]])
        scale = np.maximum(iqr / 1.349, 1.4826 * floor)
        with np.errstate(divide="ignore", invalid="ignore"):
            z[idx] = (value[idx] - med) / scale
    return z


def evaluate(readings: Readings, spec: SeriesSpec, rules: RuleSet = DEFAULT_RULES, *,
             with_jump: bool = True) -> Findings:
    """Apply every per-reading rule to every reading (see the module docstring for the rules).

    Parameters
    ----------
    readings : Readings
        Sorted by (series, time); values in the unit of each series' limit.
    spec : SeriesSpec
        Limits, reporting steps and intervals, indexed by series.
    rules : RuleSet
        Thresholds.
    with_jump : bool, keyword-only
        False skips the jump rule (its scores are NaN), the one rule that costs a sort per reading.

    Examples
    --------
    >>> from outfall.core.warning.limits import section_limit
    >>> spec = SeriesSpec.from_limits([section_limit("NH3N", "III")], intervals_s=[4 * 3600])
    >>> r = Readings.from_arrays([0] * 5, [0, 4, 8, 12, 40], [0.5, 0.85, 1.0, 1.3, 1.2])
    >>> f = evaluate(r, spec, RuleSet(repeat_k=2, repeat_n=3))
    >>> f.over.tolist(), f.approaching.tolist(), f.repeated.tolist()
    ([False, False, False, True, True], [False, True, True, False, False], [False, False, False, False, True])
    >>> [round(float(m), 2) for m in f.multiple[3:]]
    [0.3, 0.2]
    """
    s, v = readings.series, readings.value
    pos = readings.positions()
    kind = spec.kind[s]
    lim = spec.limit[s]
    over = (v > spec.upper[s]) | (v < spec.lower[s])
    share = rules.approach_share
    with np.errstate(invalid="ignore", divide="ignore"):
        near_max = (kind == KIND_MAX) & (v >= share * lim)
        near_min = (kind == KIND_MIN) & (v <= lim / share)
        low = spec.low[s]
        margin = (1 - share) * (lim - low) / 2
        near_range = (kind == KIND_RANGE) & ((v <= low + margin) | (v >= lim - margin))
        approaching = ~over & (near_max | near_min | near_range)
        multiple = np.where(kind == KIND_MAX, (v - lim) / lim, np.nan)
        pct = np.where(kind == KIND_MAX, (v - lim) / lim * 100.0,
                       np.where(kind == KIND_MIN, (lim - v) / lim * 100.0, np.nan))
    multiple = np.where(over, multiple, np.nan)
    repeated = _repeated(over, pos, rules.repeat_k, rules.repeat_n)
    z = _jump_scores(v, pos, s, spec, rules) if with_jump else np.full(len(v), np.nan)
    with np.errstate(invalid="ignore"):
        jump = np.where(kind == KIND_MIN, z < -rules.jump_z,
                        np.where(kind == KIND_RANGE, np.abs(z) > rules.jump_z, z > rules.jump_z))
    gap_h = np.full(len(v), np.nan)
    gap_h[1:] = (readings.time[1:] - readings.time[:-1]) / 3600.0
    gap_h[pos == 0] = np.nan
    with np.errstate(invalid="ignore"):
        gap = gap_h * 3600.0 > rules.gap_factor * spec.interval_s[s]
    return Findings(over, approaching, repeated, jump, gap, multiple, pct, z, gap_h)


def gaps_now(readings: Readings, spec: SeriesSpec, now_s: int, rules: RuleSet = DEFAULT_RULES,
             *, n_series: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Series whose last reading is older than ``gap_factor`` × their interval at ``now_s``.

    Returns
    -------
    (silent, hours) : tuple of numpy.ndarray
        Per series: True when silent too long (a station offline), and the hours since its last
        reading (NaN for a series with no reading).

    >>> spec = SeriesSpec.from_limits([None, None], intervals_s=[3600, 3600])
    >>> silent, h = gaps_now(Readings.from_arrays([0, 1], [0, 7200], [1.0, 1.0]), spec, 4 * 3600)
    >>> silent.tolist(), h.tolist()
    ([True, False], [4.0, 2.0])
    """
    m = len(spec.kind) if n_series is None else n_series
    last = np.full(m, np.iinfo(np.int64).min)
    if len(readings):
        ends = np.flatnonzero(np.append(readings.starts()[1:], True))  # the last reading of each series
        last[readings.series[ends]] = readings.time[ends]
    hours = np.where(last == np.iinfo(np.int64).min, np.nan, (now_s - last) / 3600.0)
    with np.errstate(invalid="ignore"):
        silent = hours * 3600.0 > rules.gap_factor * spec.interval_s[:m]
    return silent, hours
