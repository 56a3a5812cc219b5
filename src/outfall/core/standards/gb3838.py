"""GB 3838-2002 Table 1: limits by class and the class of a single value or an array of values.

Rules (standards.md §1, §2.1):

- A value equal to a limit belongs to the better class (limits are inclusive: ≤ for upper bounds,
  ≥ for DO, the only lower bound).
- pH: 6–9 for every class; inside is class I, outside is worse than V (劣Ⅴ).
- TP: the lake/reservoir column for ``water_type="lake"``; rivers (and river-type reservoirs)
  use the river column.
- TN is graded for lakes/reservoirs only; WT, TN and fecal coliform are reference indicators,
  not among the 21 evaluated items (环办〔2011〕22号 §2.1).
- A class rank is 1 (Ⅰ) … 5 (Ⅴ), 6 (劣Ⅴ); 0 means "no value".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from outfall.core.enums import WaterClass

__all__ = ["Limits", "table", "limits_for", "limit", "classify_value", "classify_array", "EVALUATED",
           "REFERENCE", "HEAVY_METALS", "NO_MULTIPLE", "graded"]

#: The 21 items of the class evaluation (环办〔2011〕22号 §2.1).
EVALUATED = ("PH", "DO", "CODMN", "COD", "BOD5", "NH3N", "TP", "CU", "ZN", "F", "SE", "AS", "HG", "CD", "CR6",
             "PB", "CN", "VPHENOL", "PETRO", "LAS", "S2")
#: Reference indicators, assessed separately.
REFERENCE = ("WT", "TN", "FCOLI")
#: Take priority among main pollutants when they exceed (§2.5): cyanide and heavy metals.
HEAVY_METALS = ("CN", "HG", "CD", "CR6", "PB", "AS")
#: No exceedance multiple is computed for these (§2.5).
NO_MULTIPLE = ("WT", "PH", "DO")


@dataclass(frozen=True)
class Limits:
    code: str
    direction: str  # "max" (upper bound), "min" (lower bound: DO), "range" (pH, WT)
    values: tuple[float, ...]  # class I … V


@cache
def table() -> dict[str, Limits]:
    """code → Limits, from the transcribed Table 1 (package data)."""
    out = {}
    with resources.files("outfall.core.standards").joinpath("data/gb3838_table1.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cells = [row[f"class_{c}"] for c in ("I", "II", "III", "IV", "V")]
            values = tuple(float(c) for c in cells) if all(c and "-" not in c for c in cells) else ()
            out[row["parameter_code"]] = Limits(row["parameter_code"], row["direction"], values)
    return out


def limits_for(code: str, water_type: str = "river") -> Limits | None:
    """The limits that apply to ``code`` for a water type; None when the item is not graded."""
    if code == "TP" and water_type == "lake":
        return table()["TP_LAKE"]
    if code == "TN" and water_type != "lake":
        return None
    lim = table().get(code)
    if lim is None or (not lim.values and code != "PH"):
        return None
    return lim


def graded(code: str, water_type: str = "river") -> bool:
    return limits_for(code, water_type) is not None


def limit(code: str, cls: WaterClass | str, water_type: str = "river") -> float | None:
    """The class limit of ``code`` in mg/L (count/L for coliform); None for pH and ungraded items.

    >>> limit("NH3N", "III"), limit("TP", "III", "lake"), limit("DO", "II")
    (1.0, 0.05, 6.0)
    """
    cls = WaterClass.parse(cls) if isinstance(cls, str) else cls
    lim = limits_for(code, water_type)
    if lim is None or not lim.values or cls == WaterClass.WORSE_V:
        return None
    return lim.values[cls.rank - 1]


def classify_value(code: str, value: float | None, *, water_type: str = "river") -> WaterClass | None:
    """Class of one value of ``code`` (GB 3838-2002 Table 1); None if ungraded or missing.

    Examples
    --------
    >>> classify_value("NH3N", 1.0).value, classify_value("NH3N", 1.01).value, classify_value("NH3N", 2.5).value
    ('III', 'IV', '劣V')
    >>> classify_value("DO", 5.0).value, classify_value("DO", 4.99).value, classify_value("PH", 9.2).value
    ('III', 'IV', '劣V')
    >>> classify_value("TP", 0.06, water_type="lake").value, classify_value("TP", 0.06).value
    ('IV', 'II')
    """
    if value is None:
        return None
    ranks = classify_array(code, np.array([value], dtype=float), water_type=water_type)
    return WaterClass.from_rank(int(ranks[0])) if ranks[0] else None


def classify_array(code: str, values: np.ndarray, *, water_type: str = "river") -> np.ndarray:
    """Class ranks (int8: 1 … 6, 0 for NaN) of an array of values of one parameter, vectorised.

    ``np.searchsorted`` on the five limits: side="left" keeps a value equal to an upper limit in the
    better class; DO is searched on the negated limits for the same effect.
    """
    values = np.asarray(values, dtype=float)
    lim = limits_for(code, water_type)
    if lim is None:
        return np.zeros(values.shape, dtype=np.int8)
    nan = np.isnan(values)
    if code == "PH":
        out = np.where((values >= 6.0) & (values <= 9.0), 1, 6).astype(np.int8)
    elif lim.direction == "min":
        out = (np.searchsorted(-np.asarray(lim.values), -values, side="left") + 1).astype(np.int8)
    else:
        out = (np.searchsorted(np.asarray(lim.values), values, side="left") + 1).astype(np.int8)
    out[nan] = 0
    return out
