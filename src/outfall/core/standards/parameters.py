"""The parameter registry: codes, Chinese/English names, HJ 212-2017 codes, units, reporting precision.

Codes follow shared/reference/gb3838_table1.csv (``NH3N``, ``TP`` …) plus the items automatic
stations report beside the 24 of GB 3838-2002 Table 1 (``COND``, ``TURB``, ``CHLA``, ``ALGAE``,
``SD``, ``SS``, ``FLOW``). HJ 212-2017 codes are those confirmed in standards.md §5.2; unconfirmed
ones are left empty.

``decimals`` is the reporting precision: the number of decimal places a value is rounded to
(GB/T 8170-2008, see :func:`outfall.core.standards.values.round_report`) before it is classified.
For the items of the national automatic-station release it is what that release shows, measured on
shared/data/cnemc-realtime-2025: the 2026 page layout (pH 2, DO 2, CODMn 2, NH₃-N 3, TP 3, TN 2
decimals; the 2025 layout showed pH 0, DO 1, CODMn 1, NH₃-N 2, see
:data:`outfall.core.standards.cnemc.RELEASE_DECIMALS`). For the other items it is the usual
laboratory practice, and ``decimals_source`` says which.

Units: every value is stored and classified in the registry unit of its parameter; files may give
another unit of the same dimension and :func:`convert` brings it there.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from outfall.core.errors import ValueParseError

__all__ = ["Parameter", "registry", "lookup_parameter", "canonical_unit", "convert", "UNIT_ALIASES",
           "plausible_range", "check_plausible"]


@dataclass(frozen=True)
class Parameter:
    """One monitored item.

    Attributes
    ----------
    code : str
        Registry code, e.g. ``"NH3N"`` (the code of GB 3838-2002 Table 1 in gb3838_table1.csv).
    name_zh, name_en : str
        Chinese and English names.
    hj212 : str
        HJ 212-2017 pollutant code (``w21003``), empty when unconfirmed.
    unit : str
        Registry unit (mg/L for concentrations, ``dimensionless`` for pH).
    decimals : int
        Reporting precision in decimal places.
    aliases : tuple of str
        Other names accepted in files (case-insensitive).
    decimals_source : str
        Where ``decimals`` comes from.
    """

    code: str
    name_zh: str
    name_en: str
    hj212: str
    unit: str
    decimals: int
    aliases: tuple[str, ...]
    decimals_source: str = ""


def _key(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


@cache
def registry() -> dict[str, Parameter]:
    """code → Parameter, read once from the package data (data/parameters.csv).

    Examples
    --------
    >>> p = registry()["TP"]
    >>> p.name_zh, p.hj212, p.unit, p.decimals
    ('总磷', 'w21011', 'mg/L', 3)
    """
    out = {}
    with resources.files("outfall.core.standards").joinpath("data/parameters.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["code"]] = Parameter(row["code"], row["name_zh"], row["name_en"], row["hj212"], row["unit"],
                                         int(row["decimals"]), tuple(a for a in row["aliases"].split("|") if a),
                                         row["decimals_source"])
    return out


@cache
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for p in registry().values():
        for name in (p.code, p.name_zh, p.name_en, p.hj212, *p.aliases):
            if not name:
                continue
            k = _key(name)
            if idx.get(k, p.code) != p.code:  # a name must never mean two parameters
                raise ValueError(f"parameters.csv: {name!r} names both {idx[k]} and {p.code}")
            idx[k] = p.code
    return idx


def lookup_parameter(text: str) -> Parameter:
    """A parameter by code, Chinese or English name, HJ 212-2017 code or alias (case-insensitive).

    A trailing bracket such as a unit (``氨氮(mg/L)``, ``总磷（以P计）``) is ignored when the full
    text is not a known name.

    Raises
    ------
    ValueParseError
        For an unknown name, with a Chinese message.

    Examples
    --------
    >>> lookup_parameter("氨氮").code, lookup_parameter("w21011").code, lookup_parameter("NH3-N").code
    ('NH3N', 'TP', 'NH3N')
    >>> lookup_parameter("氨氮(mg/L)").code, lookup_parameter("CODMn").code, lookup_parameter("nh3n_mg_l").code
    ('NH3N', 'CODMN', 'NH3N')
    """
    key = _key(text if text is not None else "")
    idx = _index()
    code = idx.get(key)
    if code is None and "(" in key:
        code = idx.get(key.split("(")[0])
    if code is None:
        shown = str(text).strip() if text is not None else ""
        raise ValueParseError(f"unknown parameter {text!r}",
                              user_message=f"未知监测指标「{shown}」(可用编码如 NH3N、TP、CODMN，中文名如 氨氮，"
                                           "或 HJ 212 编码如 w21003)")
    return registry()[code]


#: Unit spelling (lower case, no spaces) → canonical unit.
UNIT_ALIASES = {
    "mg/l": "mg/L", "毫克/升": "mg/L", "mg/dm3": "mg/L", "g/m3": "mg/L", "g/m³": "mg/L",
    "ug/l": "µg/L", "µg/l": "µg/L", "μg/l": "µg/L", "微克/升": "µg/L", "mg/m3": "µg/L", "mg/m³": "µg/L",
    "ng/l": "ng/L", "g/l": "g/L",
    "℃": "℃", "°c": "℃", "摄氏度": "℃", "度": "℃", "degc": "℃",
    "": "dimensionless", "无量纲": "dimensionless", "dimensionless": "dimensionless", "-": "dimensionless",
    "个/l": "个/L", "mpn/l": "个/L", "cfu/l": "个/L",
    "个/100ml": "个/100mL", "mpn/100ml": "个/100mL", "cfu/100ml": "个/100mL",
    "cells/l": "cells/L", "cell/l": "cells/L", "个细胞/l": "cells/L",
    "µs/cm": "µS/cm", "us/cm": "µS/cm", "μs/cm": "µS/cm", "ms/m": "mS/m", "ms/cm": "mS/cm",
    "ntu": "NTU", "m": "m", "cm": "cm", "m3/s": "m3/s", "m³/s": "m3/s", "m3/h": "m3/h", "m³/h": "m3/h",
    "m3/d": "m3/d", "m³/d": "m3/d", "l/s": "L/s",
}
# canonical unit → (dimension, factor to the base unit of that dimension, exact decimal)
_FACTORS = {"mg/L": ("conc", "1"), "µg/L": ("conc", "0.001"), "ng/L": ("conc", "0.000001"), "g/L": ("conc", "1000"),
            "℃": ("temp", "1"), "dimensionless": ("none", "1"),
            "个/L": ("count", "1"), "个/100mL": ("count", "10"), "cells/L": ("count", "1"),
            "µS/cm": ("cond", "1"), "mS/m": ("cond", "10"), "mS/cm": ("cond", "1000"), "NTU": ("turb", "1"),
            "m": ("len", "1"), "cm": ("len", "0.01"),
            "m3/s": ("flow", "86400"), "m3/h": ("flow", "24"), "m3/d": ("flow", "1"), "L/s": ("flow", "86.4")}


def canonical_unit(text: str | None) -> str:
    """The canonical spelling of a unit; ValueParseError for an unknown one.

    Examples
    --------
    >>> canonical_unit("ug/L"), canonical_unit("mg/m3"), canonical_unit("无量纲"), canonical_unit("°C")
    ('µg/L', 'µg/L', 'dimensionless', '℃')
    """
    unit = UNIT_ALIASES.get(_key(text or ""))
    if unit is None:
        raise ValueParseError(f"unknown unit {text!r}",
                              user_message=f"未知单位「{text}」(可用如 mg/L、µg/L、℃、无量纲、µS/cm、NTU、个/L)")
    return unit


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a value between units of one dimension.

    Concentrations: g/L = 1000 mg/L, 1 µg/L = 0.001 mg/L, mg/m³ = µg/L, ng/L; counts: 个/L (MPN/L,
    CFU/L, cells/L) and 个/100mL (×10); conductivity µS/cm, mS/m (×10), mS/cm (×1000); flow m³/s,
    m³/h, m³/d, L/s; temperature ℃ and dimensionless (pH) convert only to themselves.

    Parameters
    ----------
    value : float
        The value in ``from_unit``.
    from_unit, to_unit : str
        Unit spellings accepted by :func:`canonical_unit`.

    Returns
    -------
    float
        The value in ``to_unit``, computed in decimal arithmetic and rounded once to a float.

    Raises
    ------
    ValueParseError
        Unknown unit, or units of different dimensions (Chinese message).

    Examples
    --------
    >>> convert(25, "µg/L", "mg/L"), convert(1, "m³/s", "m3/d"), convert(3, "mg/m3", "ug/L")
    (0.025, 86400.0, 3.0)
    >>> convert(7, "ug/L", "mg/L"), convert(1, "L/s", "m3/h"), convert(150, "MPN/100mL", "个/L")
    (0.007, 3.6, 1500.0)
    """
    a, b = canonical_unit(from_unit), canonical_unit(to_unit)
    if a == b:
        return float(value)
    (da, fa), (db, fb) = _FACTORS[a], _FACTORS[b]
    if da != db:
        raise ValueParseError(f"cannot convert {a} to {b}", user_message=f"单位「{from_unit}」不能换算为「{to_unit}」")
    # In decimal, so that 25 µg/L is exactly the double nearest 0.025 mg/L (rounding ties stay ties).
    return float(Decimal(repr(float(value))) * Decimal(fa) / Decimal(fb))


#: Generous physical bounds per registry unit (a value outside is a typing or instrument error, not
#: water): concentrations up to 100 g/L (100,000 mg/L, above any raw industrial wastewater), counts
#: up to 10¹³ per litre, conductivity up to 200,000 µS/cm (four times sea water), turbidity up to
#: 100,000 NTU, lengths up to 100 m.
_RANGE_BY_UNIT = {"mg/L": (0.0, 100_000.0), "个/L": (0.0, 1e13), "cells/L": (0.0, 1e13), "µS/cm": (0.0, 200_000.0),
                  "NTU": (0.0, 100_000.0), "m": (0.0, 100.0), "m3/s": (0.0, 300_000.0)}
#: Bounds set by the quantity itself: pH 0–14; dissolved oxygen 0–25 mg/L (about 2.5 times
#: saturation at 0 ℃, beyond any supersaturated algal bloom); water temperature −5–50 ℃.
_RANGE_BY_CODE = {"PH": (0.0, 14.0), "DO": (0.0, 25.0), "WT": (-5.0, 50.0)}


def plausible_range(parameter: str | Parameter) -> tuple[float, float]:
    """(low, high), both inclusive, in the registry unit: the values a reading of ``parameter`` may take.

    Parameters
    ----------
    parameter : str or Parameter
        A registry code (``"PH"``) or a :class:`Parameter`.

    Returns
    -------
    tuple of float
        pH 0–14 (dimensionless); DO 0–25 mg/L; water temperature −5–50 ℃; other concentrations
        0–100,000 mg/L; counts 0–10¹³ per litre; conductivity 0–200,000 µS/cm; turbidity
        0–100,000 NTU; transparency 0–100 m; flow 0–300,000 m³/s.

    Examples
    --------
    >>> plausible_range("PH"), plausible_range("DO"), plausible_range("WT"), plausible_range("NH3N")
    ((0.0, 14.0), (0.0, 25.0), (-5.0, 50.0), (0.0, 100000.0))
    """
    p = parameter if isinstance(parameter, Parameter) else registry()[parameter]
    return _RANGE_BY_CODE.get(p.code) or _RANGE_BY_UNIT.get(p.unit, (0.0, math.inf))


def check_plausible(parameter: str | Parameter, value: float | None, *,
                    detection_limit: float | None = None) -> None:
    """Refuse a value (or a detection limit) outside :func:`plausible_range` of its parameter.

    Both are in the registry unit of the parameter (after :func:`convert`); None passes.

    Raises
    ------
    ValueParseError
        With a Chinese and English message naming the parameter, the value and the range.

    Examples
    --------
    >>> check_plausible("PH", 7.2), check_plausible("TP", None, detection_limit=0.01)
    (None, None)
    >>> check_plausible("PH", 15)
    Traceback (most recent call last):
    ...
    outfall.core.errors.ValueParseError: PH value 15 outside plausible range 0.0..14.0
    """
    p = parameter if isinstance(parameter, Parameter) else registry()[parameter]
    lo, hi = plausible_range(p)
    for what, v in (("监测值", value), ("检出限", detection_limit)):
        if v is None:
            continue
        if not math.isfinite(v) or not lo <= v <= hi:
            unit = "" if p.unit == "dimensionless" else f" {p.unit}"
            raise ValueParseError(
                f"{p.code} {'value' if what == '监测值' else 'detection limit'} {v:g} outside plausible range "
                f"{lo}..{hi}",
                user_message=f"{p.name_zh}{what} {v:g}{unit} 超出合理范围 {lo:g}–{hi:g}{unit} / "
                             f"{p.name_en} {v:g}{unit} is outside the plausible range {lo:g}–{hi:g}{unit}")
