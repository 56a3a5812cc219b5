"""Effect check (整治效果评估): did the receiving section's water get better after a remediation?

The readings of one parameter at the first monitoring section downstream of the outfall are split
into a window before the task started and a window after it was signed off (default 90 days each).
Below-detection readings count as :func:`outfall.core.standards.evaluation.counted_value` says (half
the detection limit, 环办〔2011〕22号); missing ones are left out. The test is the one-sided
Mann–Whitney U test (``scipy.stats.mannwhitneyu``) of "after is lower than before" (higher for
dissolved oxygen, where more is better) at α = 0.05. Fewer than 4 counted readings on either side:
not enough data, no test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import mannwhitneyu

from outfall.core.standards.evaluation import counted_value
from outfall.core.standards.gb3838 import table

__all__ = ["EffectResult", "effect_check", "higher_is_better", "TEST_NAME", "MIN_SAMPLES", "IMPROVED",
           "NOT_IMPROVED", "NOT_ENOUGH_DATA", "WINDOW_DAYS"]

#: Days of readings before the work started and after the sign-off, each (the default window).
WINDOW_DAYS = 90.0

def higher_is_better(parameter: str) -> bool:
    """Whether more is cleaner water: the parameters whose GB 3838-2002 Table 1 limit is a minimum
    (dissolved oxygen), read from the transcribed table.

    >>> higher_is_better("DO"), higher_is_better("NH3N"), higher_is_better("XYZ")
    (True, False, False)
    """
    lim = table().get(parameter)
    return lim is not None and lim.direction == "min"
TEST_NAME = "Mann–Whitney U, one-sided"
MIN_SAMPLES = 4
IMPROVED, NOT_IMPROVED, NOT_ENOUGH_DATA = "improved", "not_improved", "not_enough_data"
VERDICT_LABELS = {IMPROVED: ("已改善", "improved"), NOT_IMPROVED: ("未改善", "not improved"),
                  NOT_ENOUGH_DATA: ("数据不足", "not enough data")}


@dataclass(frozen=True)
class EffectResult:
    """The verdict with what it rests on.

    Attributes
    ----------
    verdict : str
        ``improved`` | ``not_improved`` | ``not_enough_data``.
    parameter : str
    n_before, n_after : int
        Counted readings in each window.
    median_before, median_after : float or None
        Medians of the counted values (the parameter's unit, e.g. mg/L); None without readings.
    p_value : float or None
        One-sided p of the test; None when not tested.
    test : str
    alpha : float
    before, after : tuple of str
        The windows as ISO times [start, end).
    """

    verdict: str
    parameter: str
    n_before: int
    n_after: int
    median_before: float | None
    median_after: float | None
    p_value: float | None
    test: str
    alpha: float
    before: tuple[str, str]
    after: tuple[str, str]

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict][0]

    def as_dict(self) -> dict:
        return {**asdict(self), "label": self.label}


def _counted(readings, lo: dt.datetime, hi: dt.datetime) -> np.ndarray:
    out = []
    for t, value, qualifier, detection_limit in readings:
        if lo <= t < hi:
            v = counted_value(value, qualifier or "", detection_limit)
            if v is not None:
                out.append(v)
    return np.asarray(out, dtype=float)


def effect_check(readings: Iterable[tuple], *, parameter: str, started: dt.datetime, signed_off: dt.datetime,
                 before_days: float = WINDOW_DAYS, after_days: float = WINDOW_DAYS, alpha: float = 0.05) -> EffectResult:
    """Compare a section's readings before ``started`` with those after ``signed_off``.

    Parameters
    ----------
    readings : iterable of (time, value, qualifier, detection_limit)
        Aware times; ``value`` in the parameter's unit (mg/L for most), None when below detection
        or missing; ``qualifier`` "" | "<" | "missing" as stored.
    parameter : str
        Registry code (``DO`` is better when higher).
    started, signed_off : datetime
        When the work began and when it was signed off; windows are [started − before_days,
        started) and [signed_off, signed_off + after_days).
    before_days, after_days : float
        Window lengths in days (default 90).
    alpha : float
        Significance level of the one-sided test (default 0.05).

    Examples
    --------
    >>> t0 = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    >>> r = [(t0 - dt.timedelta(days=d), 2.0 + d / 100, "", None) for d in range(1, 9)]
    >>> r += [(t0 + dt.timedelta(days=30 + d), 0.5, "", None) for d in range(6)]
    >>> res = effect_check(r, parameter="NH3N", started=t0, signed_off=t0 + dt.timedelta(days=30))
    >>> res.verdict, res.n_before, res.n_after, res.median_after
    ('improved', 8, 6, 0.5)
    """
    b_lo, b_hi = started - dt.timedelta(days=before_days), started
    a_lo, a_hi = signed_off, signed_off + dt.timedelta(days=after_days)
    readings = list(readings)
    before, after = _counted(readings, b_lo, b_hi), _counted(readings, a_lo, a_hi)
    med_b = round(float(np.median(before)), 6) if before.size else None
    med_a = round(float(np.median(after)), 6) if after.size else None
    p = None
    if before.size < MIN_SAMPLES or after.size < MIN_SAMPLES:
        verdict = NOT_ENOUGH_DATA
    else:
        alternative = "greater" if higher_is_better(parameter) else "less"
        p = float(mannwhitneyu(after, before, alternative=alternative).pvalue)
        verdict = IMPROVED if p < alpha else NOT_IMPROVED
    return EffectResult(verdict, parameter, int(before.size), int(after.size), med_b, med_a,
                        None if p is None else round(p, 6), TEST_NAME, alpha,
                        (b_lo.isoformat(), b_hi.isoformat()), (a_lo.isoformat(), a_hi.isoformat()))
