"""The parameter registry: codes, Chinese/English names, HJ 212-2017 codes, units, precision.

Codes follow shared/reference/gb3838_table1.csv (``NH3N``, ``TP`` …) plus the station items
(``COND``, ``TURB``, ``CHLA``, ``SD``, ``SS``, ``FLOW``). HJ 212 codes are those confirmed in
standards.md §5.2 (unconfirmed ones are left empty). ``decimals`` is the reporting precision of
official releases (checked against the national automatic-station release, 2025).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from outfall.core.errors import ValueParseError

__all__ = ["Parameter", "registry", "lookup_parameter", "canonical_unit", "convert", "UNIT_ALIASES"]


@dataclass(frozen=True)
class Parameter:
    code: str
    name_zh: str
    name_en: str
    hj212: str
    unit: str
    decimals: int
    aliases: tuple[str, ...]


def _key(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


@cache
def registry() -> dict[str, Parameter]:
    """code → Parameter, read once from the package data."""
    out = {}
    with resources.files("outfall.core.standards").joinpath("data/parameters.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["code"]] = Parameter(row["code"], row["name_zh"], row["name_en"], row["hj212"], row["unit"],
                                         int(row["decimals"]), tuple(a for a in row["aliases"].split("|") if a))
    return out


@cache
def _index() -> dict[str, str]:
    idx = {}
    for p in registry().values():
        for name in (p.code, p.name_zh, p.name_en, p.hj212, *p.aliases):
            if name:
                idx[_key(name)] = p.code
    # Names with the unit in brackets, e.g. "氨氮(mg/L)", are matched after stripping the unit.
    return idx


def lookup_parameter(text: str) -> Parameter:
    """A parameter by code, Chinese or English name, HJ 212 code or alias (case-insensitive).

    Examples
    --------
    >>> lookup_parameter("氨氮").code, lookup_parameter("w21011").code, lookup_parameter("NH3-N").code
    ('NH3N', 'TP', 'NH3N')
    >>> lookup_parameter("氨氮(mg/L)").code
    'NH3N'
    """
    key = _key(text)
    idx = _index()
    code = idx.get(key)
    if code is None and "(" in key:
        code = idx.get(key.split("(")[0])
    if code is None:
        raise ValueParseError(f"unknown parameter {text!r}", user_message=f"未知监测指标「{text}」")
    return registry()[code]


#: unit spelling → canonical unit
UNIT_ALIASES = {
    "mg/l": "mg/L", "毫克/升": "mg/L", "mg/dm3": "mg/L",
    "ug/l": "µg/L", "µg/l": "µg/L", "μg/l": "µg/L", "微克/升": "µg/L", "mg/m3": "µg/L", "mg/m³": "µg/L",
    "g/l": "g/L",
    "℃": "℃", "°c": "℃", "c": "℃", "度": "℃",
    "": "dimensionless", "无量纲": "dimensionless", "dimensionless": "dimensionless", "-": "dimensionless",
    "个/l": "个/L", "mpn/l": "个/L", "cfu/l": "个/L",
    "µs/cm": "µS/cm", "us/cm": "µS/cm", "μs/cm": "µS/cm", "ms/m": "mS/m",
    "ntu": "NTU", "m": "m", "cm": "cm", "m3/s": "m3/s", "m³/s": "m3/s", "m3/h": "m3/h", "m³/h": "m3/h",
    "m3/d": "m3/d", "m³/d": "m3/d", "l/s": "L/s",
}
# factor to multiply a value in unit → value in base unit of the same dimension
_FACTORS = {"mg/L": ("conc", 1.0), "µg/L": ("conc", 1e-3), "g/L": ("conc", 1e3),
            "℃": ("temp", 1.0), "dimensionless": ("none", 1.0), "个/L": ("count", 1.0),
            "µS/cm": ("cond", 1.0), "mS/m": ("cond", 10.0), "NTU": ("turb", 1.0),
            "m": ("len", 1.0), "cm": ("len", 0.01),
            "m3/s": ("flow", 1.0), "m3/h": ("flow", 1 / 3600), "m3/d": ("flow", 1 / 86400), "L/s": ("flow", 1e-3)}


def canonical_unit(text: str) -> str:
    key = _key(text or "")
    unit = UNIT_ALIASES.get(key)
    if unit is None:
        raise ValueParseError(f"unknown unit {text!r}", user_message=f"未知单位「{text}」")
    return unit


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between units of one dimension (mg/L ↔ µg/L ↔ g/L; m³/s ↔ m³/h ↔ m³/d ↔ L/s; …).

    Examples
    --------
    >>> convert(25, "µg/L", "mg/L"), convert(1, "m³/s", "m3/d")
    (0.025, 86400.0)
    """
    a, b = canonical_unit(from_unit), canonical_unit(to_unit)
    if a == b:
        return value
    (da, fa), (db, fb) = _FACTORS[a], _FACTORS[b]
    if da != db:
        raise ValueParseError(f"cannot convert {a} to {b}", user_message=f"单位「{from_unit}」不能换算为「{to_unit}」")
    return value * fa / fb
