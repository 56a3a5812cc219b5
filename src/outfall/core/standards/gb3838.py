"""GB 3838-2002 Table 1: the limit of each class, and the class of one value or of an array of values.

Rules (standards.md §1 and §2.1, 2.4):

- A value equal to a limit belongs to the better class: limits are inclusive, ≤ for upper bounds
  and ≥ for DO, the only lower bound. Where two classes share a limit (COD I and II are both 15)
  the value takes the better one.
- pH: 6–9 for every class; inside is class I, outside is worse than V (劣Ⅴ).
- TP: the lake/reservoir column for ``water_type="lake"``; rivers, and river-type reservoirs, use
  the river column.
- TN is graded for lakes/reservoirs only. Water temperature (never graded), TN and fecal coliform
  are reference indicators, not among the 21 evaluated items (环办〔2011〕22号 §2.1).
- A class rank is 1 (Ⅰ) … 5 (Ⅴ), 6 (劣Ⅴ); 0 means "no value" (NaN) or an ungraded item.
- Rounding: with ``decimals=d`` a value is classified as if first rounded to ``d`` decimals half to
  even (GB/T 8170, :func:`~outfall.core.standards.values.round_report`), which is how the national
  release classifies. The rounding costs nothing: it moves each limit to the point where the
  rounded value crosses it (``L + ½·10⁻ᵈ``, a tie going the way half-to-even sends it), so the
  vectorised path compares raw values against five thresholds.

Units: mg/L, except pH (dimensionless) and fecal coliform (个/L), as in Table 1.
"""

from __future__ import annotations

import csv
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

import numpy as np

from outfall.core.enums import WaterClass

__all__ = ["Limits", "table", "limits_for", "limit", "graded", "classify_value", "classify_array", "thresholds",
           "EVALUATED", "REFERENCE", "HEAVY_METALS", "NO_MULTIPLE"]

#: The 21 items of the class evaluation (环办〔2011〕22号 §2.1), in Table 1 order.
EVALUATED = ("PH", "DO", "CODMN", "COD", "BOD5", "NH3N", "TP", "CU", "ZN", "F", "SE", "AS", "HG", "CD", "CR6",
             "PB", "CN", "VPHENOL", "PETRO", "LAS", "S2")
#: Reference indicators, assessed separately (§2.1).
REFERENCE = ("WT", "TN", "FCOLI")
#: Cyanide and heavy metals: first among the main pollutants when they exceed (§2.5).
HEAVY_METALS = ("CN", "HG", "CD", "CR6", "PB", "AS")
#: No exceedance multiple is computed for these (§2.5).
NO_MULTIPLE = ("WT", "PH", "DO")
_PH_RANGE = (6.0, 9.0)


@dataclass(frozen=True)
class Limits:
    """One row of Table 1: ``direction`` is "max" (upper bound), "min" (DO) or "range" (pH, WT);
    ``values`` the class I … V limits (empty for pH and WT)."""

    code: str
    direction: str
    values: tuple[float, ...]


@cache
def table() -> dict[str, Limits]:
    """code → Limits, from the transcribed GB 3838-2002 Table 1 (package data gb3838_table1.csv).

    The lake/reservoir TP column is the row ``TP_LAKE``.

    Examples
    --------
    >>> table()["NH3N"].values, table()["DO"].direction
    ((0.15, 0.5, 1.0, 1.5, 2.0), 'min')
    """
    out = {}
    with resources.files("outfall.core.standards").joinpath("data/gb3838_table1.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cells = [row[f"class_{c}"] for c in ("I", "II", "III", "IV", "V")]
            values = tuple(float(c) for c in cells) if all(c and "-" not in c for c in cells) else ()
            out[row["parameter_code"]] = Limits(row["parameter_code"], row["direction"], values)
    return out


def limits_for(code: str, water_type: str = "river") -> Limits | None:
    """The Table 1 row that applies to ``code`` for a water type ("river" or "lake"); None when ungraded.

    Examples
    --------
    >>> limits_for("TP", "lake").values[:2], limits_for("TN", "river"), limits_for("WT")
    ((0.01, 0.025), None, None)
    """
    if code == "TP" and water_type == "lake":
        return table()["TP_LAKE"]
    if code == "TN" and water_type != "lake":
        return None
    lim = table().get(code)
    if lim is None or (not lim.values and code != "PH"):
        return None
    return lim


def graded(code: str, water_type: str = "river") -> bool:
    """True when GB 3838-2002 Table 1 gives ``code`` a class for this water type (pH included, WT not).

    >>> graded("PH"), graded("WT"), graded("TN"), graded("TN", "lake"), graded("COND")
    (True, False, False, True, False)
    """
    return limits_for(code, water_type) is not None


def limit(code: str, cls: WaterClass | str, water_type: str = "river") -> float | None:
    """The class limit of ``code`` (GB 3838-2002 Table 1), in mg/L (个/L for fecal coliform).

    None for pH (a range, not a class limit), for worse than V, and for ungraded items.

    Examples
    --------
    >>> limit("NH3N", "III"), limit("TP", "III", "lake"), limit("DO", "II"), limit("PH", "III")
    (1.0, 0.05, 6.0, None)
    """
    cls = cls if isinstance(cls, WaterClass) else WaterClass.parse(cls)
    lim = limits_for(code, water_type)
    if lim is None or not lim.values or cls == WaterClass.WORSE_V:
        return None
    return lim.values[cls.rank - 1]


def _crossing(bound: Decimal, decimals: int | None) -> float:
    """The largest float x whose rounded value is still ≤ ``bound`` (x ≤ result ⇔ round(x) ≤ bound)."""
    if decimals is None:
        return float(bound)
    step = Decimal(1).scaleb(-decimals)
    n = int((bound / step).to_integral_value(rounding="ROUND_FLOOR")) + 1  # smallest grid point above bound
    tie = (Decimal(n) - Decimal("0.5")) * step  # halfway between grid points n − 1 and n
    # A tie rounds to the even one of n − 1 and n: to n (over the bound) when n is even.
    return float(np.nextafter(float(tie), -np.inf)) if n % 2 == 0 else float(tie)


@cache
def thresholds(code: str, water_type: str = "river", decimals: int | None = None) -> np.ndarray | None:
    """Thresholds t₁ … t₅ on the (sign-adjusted) raw value: class rank = 1 + #{k : x > t_k}.

    For DO the value and the limits are negated (a lower bound becomes an upper bound); pH has two
    thresholds (−lower, upper) and is handled in :func:`classify_array`. None when ungraded. The
    result is read-only.

    Examples
    --------
    >>> thresholds("CODMN").tolist(), thresholds("CODMN", decimals=1).tolist()
    ([2.0, 4.0, 6.0, 10.0, 15.0], [2.05, 4.05, 6.05, 10.05, 15.05])
    >>> t = thresholds("DO", decimals=1)  # on −DO; DO 7.45 rounds to 7.4 (even): class II
    >>> bool(-7.45 > t[0]), bool(-7.46 > t[0]), bool(-5.95 > t[1])
    (True, False, False)
    """
    lim = limits_for(code, water_type)
    if lim is None:
        return None
    if code == "PH":
        bounds = [-Decimal(str(_PH_RANGE[0])), Decimal(str(_PH_RANGE[1]))]
    else:
        sign = -1 if lim.direction == "min" else 1
        bounds = [sign * Decimal(repr(v)) for v in lim.values]
        bounds.sort()
    out = np.array([_crossing(b, decimals) for b in bounds], dtype=float)
    out.setflags(write=False)
    return out


def classify_value(code: str, value: float | None, *, water_type: str = "river",
                   decimals: int | None = None) -> WaterClass | None:
    """Class of one value of ``code`` (GB 3838-2002 Table 1); None if ungraded or missing.

    Parameters
    ----------
    code : str
        Registry code (``NH3N``).
    value : float or None
        In mg/L (pH dimensionless, fecal coliform 个/L).
    water_type : {"river", "lake"}, keyword-only
    decimals : int, keyword-only, optional
        Classify the value as rounded to this many decimals (GB/T 8170 half to even).

    Examples
    --------
    >>> classify_value("NH3N", 1.0).value, classify_value("NH3N", 1.01).value, classify_value("NH3N", 2.5).value
    ('III', 'IV', '劣V')
    >>> classify_value("DO", 5.0).value, classify_value("DO", 4.99).value, classify_value("PH", 9.2).value
    ('III', 'IV', '劣V')
    >>> classify_value("TP", 0.06, water_type="lake").value, classify_value("TP", 0.06).value
    ('IV', 'II')
    >>> classify_value("NH3N", 1.004, decimals=2).value, classify_value("NH3N", 1.006, decimals=2).value
    ('III', 'IV')
    """
    if value is None or value != value:  # None or NaN
        return None
    scalar = _scalar_thresholds(code, water_type, decimals)  # the twin of classify_array, without NumPy
    if scalar is None:
        return None
    t, negate = scalar
    x = float(value)
    if code == "PH":
        return WaterClass.I if -x <= t[0] and x <= t[1] else WaterClass.WORSE_V
    return WaterClass.from_rank(bisect_left(t, -x if negate else x) + 1)


@cache
def _scalar_thresholds(code: str, water_type: str, decimals: int | None) -> tuple[tuple[float, ...], bool] | None:
    t = thresholds(code, water_type, decimals)
    if t is None:
        return None
    return tuple(t.tolist()), limits_for(code, water_type).direction == "min"


def classify_array(code: str, values, *, water_type: str = "river", decimals: int | None = None) -> np.ndarray:
    """Class ranks of an array of values of one parameter, vectorised (GB 3838-2002 Table 1).

    Counts the thresholds of :func:`thresholds` below each value; this is the same as
    ``np.searchsorted(thresholds, x, side="left") + 1`` and about four times faster than it for five
    thresholds (bench/bench_classify.py measures both).

    Parameters
    ----------
    code : str
        Registry code.
    values : array_like of float
        In mg/L (pH dimensionless, fecal coliform 个/L); NaN for no value.
    water_type : {"river", "lake"}, keyword-only
    decimals : int, keyword-only, optional
        Classify as rounded to this many decimals (GB/T 8170 half to even).

    Returns
    -------
    numpy.ndarray of int8
        1 … 5 for classes Ⅰ … Ⅴ, 6 for 劣Ⅴ, 0 for NaN or an ungraded item; same shape as ``values``.

    Examples
    --------
    >>> classify_array("NH3N", [0.1, 0.15, 0.5, 1.2, 2.0, 3.0, float("nan")]).tolist()
    [1, 1, 2, 4, 5, 6, 0]
    >>> classify_array("DO", [8.0, 7.5, 5.0, 1.0]).tolist(), classify_array("PH", [5.9, 6.0, 9.0, 9.1]).tolist()
    ([1, 1, 3, 6], [6, 1, 1, 6])
    """
    x = np.asarray(values, dtype=float)
    t = thresholds(code, water_type, decimals)
    if t is None:
        return np.zeros(x.shape, dtype=np.int8)
    if code == "PH":
        out = np.where((-x <= t[0]) & (x <= t[1]), np.int8(1), np.int8(6))
    else:
        out = np.ones(x.shape, dtype=np.int8)
        if limits_for(code, water_type).direction == "min":  # −x > t ⇔ x < −t, without negating the array
            for tk in t:
                out += (x < -tk).view(np.int8)
        else:
            for tk in t:
                out += (x > tk).view(np.int8)
    out[np.isnan(x)] = 0
    return out
