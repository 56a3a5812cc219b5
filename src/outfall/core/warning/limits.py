"""The limits the rules compare against: a section's target class (GB 3838-2002 Table 1) and an
outfall's own discharge limits (permit / discharge standard).

A :class:`SeriesLimit` says when one value of one series is over: ``value > upper`` or
``value < lower``. For a section the bounds are the target class's crossings of
:func:`outfall.core.standards.gb3838.thresholds` (rounding to the reporting precision included),
so "over the target" here is exactly "classified worse than the target" there, and a value equal
to the limit is not over it (GB 3838-2002: the better class).

Discharge limits (:class:`DischargeLimit`) carry a kind (``max`` or ``min``) and a basis
(``sample``, ``daily_avg``, ``daily_max``, ``monthly_avg``, ``monthly_max``, ``monthly_min``); a
reading is compared only with a limit of the same basis, and reported statistics can be computed
from samples with :func:`basis_statistics`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from outfall.core.enums import WaterClass
from outfall.core.errors import InputError, ValueParseError
from outfall.core.standards import gb3838
from outfall.core.standards.parameters import convert, lookup_parameter, registry

__all__ = ["SeriesLimit", "section_limit", "DischargeLimit", "make_discharge_limit", "exceedance_pct",
           "BASES", "KINDS", "basis_statistics", "LimitError"]

BASES = ("sample", "daily_avg", "daily_max", "monthly_avg", "monthly_max", "monthly_min")
KINDS = ("max", "min")


class LimitError(InputError):
    default_user_message = "限值有误"


@dataclass(frozen=True)
class SeriesLimit:
    """When a value of one series is over, and the nominal limit for messages.

    Attributes
    ----------
    kind : {"max", "min", "range"}
        Upper bound, lower bound (DO, or a ``min`` discharge limit), or both (pH 6–9).
    limit : float
        The nominal limit in the parameter's unit (the upper end for a range).
    upper, lower : float
        Over when value > upper or value < lower (±inf where there is no such bound).
    low : float
        The lower end of a range (NaN otherwise).
    """

    kind: str
    limit: float
    upper: float
    lower: float
    low: float = math.nan

    def is_over(self, value: float) -> bool:
        """True when ``value`` is over this limit (equal to the limit is not over).

        >>> section_limit("NH3N", "III").is_over(1.0), section_limit("NH3N", "III").is_over(1.01)
        (False, True)
        """
        return value > self.upper or value < self.lower


def section_limit(parameter: str, target: WaterClass | str, *, water_type: str = "river",
                  decimals: int | None = None) -> SeriesLimit | None:
    """The target-class limit of ``parameter`` at a section (GB 3838-2002 Table 1), or None if ungraded.

    Parameters
    ----------
    parameter : str
        Registry code (``NH3N``).
    target : WaterClass or str
        The section's target class (Ⅰ–Ⅴ).
    water_type : {"river", "lake"}, keyword-only
    decimals : int, keyword-only, optional
        Reporting precision: a value is over when its rounded value is (GB/T 8170); default the
        registry's precision.

    Examples
    --------
    >>> lim = section_limit("NH3N", "III", decimals=2); lim.kind, lim.limit, lim.is_over(1.004), lim.is_over(1.006)
    ('max', 1.0, False, True)
    >>> section_limit("NH3N", "III").is_over(1.0004), section_limit("NH3N", "III").is_over(1.0006)
    (False, True)
    >>> lim = section_limit("DO", "III"); lim.kind, lim.limit, lim.is_over(5.0), lim.is_over(4.9)
    ('min', 5.0, False, True)
    >>> lim = section_limit("PH", "II"); lim.kind, lim.low, lim.limit, lim.is_over(9.0), lim.is_over(5.9)
    ('range', 6.0, 9.0, False, True)
    >>> section_limit("WT", "III") is None
    True
    """
    target = target if isinstance(target, WaterClass) else WaterClass.parse(target)
    if target == WaterClass.WORSE_V:
        raise LimitError("target worse than V", user_message="水质目标不能是劣Ⅴ类")
    if decimals is None:
        p = registry().get(parameter)
        decimals = p.decimals if p else None
    t = gb3838.thresholds(parameter, water_type, decimals)
    if t is None:
        return None
    lims = gb3838.limits_for(parameter, water_type)
    if parameter == "PH":
        return SeriesLimit("range", 9.0, float(t[1]), float(-t[0]), 6.0)
    k = target.rank - 1
    if lims.direction == "min":
        return SeriesLimit("min", lims.values[k], math.inf, float(-t[k]))
    return SeriesLimit("max", lims.values[k], float(t[k]), -math.inf)


@dataclass(frozen=True)
class DischargeLimit:
    """One discharge limit of one outfall, in the parameter's registry unit.

    Attributes
    ----------
    parameter : str
        Registry code.
    limit : float
        In the registry unit of the parameter (mg/L for concentrations).
    kind : {"max", "min"}
    basis : str
        One of :data:`BASES`.
    valid_from, valid_to : datetime.date or None
        Validity, both ends inclusive; None is open.
    """

    parameter: str
    limit: float
    kind: str = "max"
    basis: str = "sample"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def series_limit(self) -> SeriesLimit:
        if self.kind == "max":
            return SeriesLimit("max", self.limit, self.limit, -math.inf)
        return SeriesLimit("min", self.limit, math.inf, self.limit)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)


def make_discharge_limit(parameter: str, limit, unit: str | None, *, kind: str = "max", basis: str = "sample",
                         valid_from: dt.date | None = None, valid_to: dt.date | None = None) -> DischargeLimit:
    """Check one discharge limit as entered and convert it to the parameter's registry unit.

    Raises :class:`LimitError` (Chinese message) for an unknown parameter, a missing or incompatible
    unit, a limit that is not a finite positive number, an unknown kind or basis, or a validity that
    ends before it starts.

    Examples
    --------
    >>> make_discharge_limit("氨氮", "5000", "µg/L", kind="max", basis="daily_avg")
    DischargeLimit(parameter='NH3N', limit=5.0, kind='max', basis='daily_avg', valid_from=None, valid_to=None)
    >>> make_discharge_limit("NH3N", 5, "℃")
    Traceback (most recent call last):
    ...
    outfall.core.warning.limits.LimitError: cannot convert ℃ to mg/L
    """
    try:
        p = lookup_parameter(str(parameter))
    except ValueParseError as exc:
        raise LimitError(exc.message, user_message=exc.user_message) from exc
    if kind not in KINDS:
        raise LimitError(f"kind {kind!r}", user_message=f"限值类型「{kind}」无效，应为 max 或 min")
    if basis not in BASES:
        raise LimitError(f"basis {basis!r}", user_message=f"限值依据「{basis}」无效，应为 {'、'.join(BASES)} 之一")
    if unit is None or not str(unit).strip():
        raise LimitError("no unit", user_message=f"{p.name_zh} 的限值缺少单位")
    try:
        number = float(str(limit).strip())
    except ValueError:
        raise LimitError(f"limit {limit!r}", user_message=f"限值「{limit}」不是数值") from None
    if not math.isfinite(number) or number <= 0:
        raise LimitError(f"limit {limit!r}", user_message=f"限值必须是正的有限数值：{limit}")
    try:
        value = convert(number, str(unit), p.unit)
    except ValueParseError as exc:
        raise LimitError(exc.message, user_message=exc.user_message) from exc
    if valid_from and valid_to and valid_to < valid_from:
        raise LimitError("validity", user_message=f"有效期结束 {valid_to} 早于开始 {valid_from}")
    return DischargeLimit(p.code, value, kind, basis, valid_from, valid_to)


def exceedance_pct(value: float, limit: float, kind: str = "max") -> float:
    """Exceedance in percent: (value − limit) / limit × 100 for ``max``, (limit − value) / limit × 100
    for ``min``; ≤ 0 means within the limit.

    >>> exceedance_pct(12.0, 8.0), exceedance_pct(5.0, 6.0, "min"), exceedance_pct(8.0, 8.0)
    (50.0, 16.666666666666664, 0.0)
    """
    if kind == "max":
        return (value - limit) / limit * 100.0
    if kind == "min":
        return (limit - value) / limit * 100.0
    raise LimitError(f"kind {kind!r}", user_message=f"限值类型「{kind}」无效")


def basis_statistics(times_s, values, basis: str, *, utc_offset_h: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Daily or monthly statistics of sample readings, for comparison with a limit of that basis.

    Parameters
    ----------
    times_s : array_like of int
        Reading times, seconds since 1970-01-01 UTC.
    values : array_like of float
        Sample values (NaN ignored).
    basis : str
        ``daily_avg``, ``daily_max``, ``monthly_avg``, ``monthly_max`` or ``monthly_min``; days and
        months are local (``utc_offset_h``, Beijing time by default).

    Returns
    -------
    (period_start_s, statistic) : tuple of numpy.ndarray
        The UTC second at which each local period starts, and its statistic, ordered by period.

    Examples
    --------
    >>> t = [0, 3600, 86400 * 2, 86400 * 40]  # 1970-01-01 08:00 local …
    >>> start, stat = basis_statistics(t, [1.0, 3.0, 5.0, 7.0], "daily_avg"); stat.tolist()
    [2.0, 5.0, 7.0]
    >>> basis_statistics(t, [1.0, 3.0, 5.0, 7.0], "monthly_max")[1].tolist()
    [5.0, 7.0]
    """
    t = np.asarray(times_s, dtype=np.int64)
    v = np.asarray(values, dtype=float)
    keep = ~np.isnan(v)
    t, v = t[keep], v[keep]
    off = int(round(utc_offset_h * 3600))
    local = (t + off).astype("datetime64[s]")
    period, _, stat = basis.partition("_")
    if period not in ("daily", "monthly") or stat not in ("avg", "max", "min"):
        raise LimitError(f"basis {basis!r}", user_message=f"无法由样品计算「{basis}」")
    unit = "D" if period == "daily" else "M"
    key = local.astype(f"datetime64[{unit}]")
    uniq, inv = np.unique(key, return_inverse=True)
    if stat == "avg":
        out = np.bincount(inv, weights=v, minlength=len(uniq)) / np.bincount(inv, minlength=len(uniq))
    else:
        out = np.full(len(uniq), -np.inf if stat == "max" else np.inf)
        (np.maximum if stat == "max" else np.minimum).at(out, inv, v)
    start = uniq.astype("datetime64[s]").astype(np.int64) - off
    return start, out
