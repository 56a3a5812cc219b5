"""Measured values as laboratories and stations report them, and the rounding of official releases.

Marks (HJ 630 reporting practice, as seen in national releases):

- ``0.02L`` or ``<0.02``: below the detection limit 0.02 (检出限); ``ND``/``未检出``: below an
  unstated limit. Kept as ``qualifier="<"`` with the limit, never as 0.
- ``*`` (not measured), ``--`` (no data), empty, or a note such as ``当天质控不合格`` (QC failed) or
  ``极值过滤`` (extreme value filtered): missing, never 0.

Rounding to the reporting precision follows GB/T 8170-2008 (四舍六入五成双, round half to even on
the decimal value), which is what the national release shows (raw 0.025 NH₃-N → 0.02).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from outfall.core.errors import ValueParseError

__all__ = ["ParsedValue", "parse_value", "format_value", "round_report", "MISSING_MARKS", "NOTE_MARKS"]

MISSING_MARKS = frozenset({"", "*", "--", "-", "—", "/", "NA", "N/A", "NULL", "无", "无数据", "未测", "未监测"})
#: Notes that replace a value in releases and mean "no valid value".
NOTE_MARKS = frozenset({"当天质控不合格", "质控不合格", "极值过滤", "维护", "仪器故障", "停运", "数据无效"})
_ND = frozenset({"ND", "N.D.", "未检出", "未检出。", "<DL", "BDL"})


@dataclass(frozen=True)
class ParsedValue:
    """A reported value: ``value`` (None when missing or below an unstated limit), ``qualifier``
    ("" detected, "<" below detection, "missing"), ``detection_limit`` (same unit) and ``raw`` text."""

    value: float | None
    qualifier: str = ""
    detection_limit: float | None = None
    raw: str = ""

    @property
    def missing(self) -> bool:
        return self.qualifier == "missing"

    @property
    def below_detection(self) -> bool:
        return self.qualifier == "<"


def _number(text: str) -> float:
    f = float(text)
    if math.isnan(f) or math.isinf(f):
        raise ValueError(text)
    return f


def parse_value(cell, *, allow_negative: bool = False) -> ParsedValue:
    """Parse one reported cell (str or number).

    Examples
    --------
    >>> parse_value("0.02L")
    ParsedValue(value=None, qualifier='<', detection_limit=0.02, raw='0.02L')
    >>> parse_value(" <0.01 ").detection_limit, parse_value("未检出").below_detection, parse_value("*").missing
    (0.01, True, True)
    >>> parse_value("1.25").value
    1.25
    """
    if cell is None:
        return ParsedValue(None, "missing", None, "")
    if isinstance(cell, bool):
        raise ValueParseError(f"bool value {cell}", user_message=f"「{cell}」不是监测值")
    if isinstance(cell, (int, float)):
        text = repr(float(cell)) if isinstance(cell, float) else str(cell)
    else:
        text = str(cell).strip()
    up = text.upper()
    if up in MISSING_MARKS or text in NOTE_MARKS:
        return ParsedValue(None, "missing", None, text)
    if up in _ND:
        return ParsedValue(None, "<", None, text)
    try:
        if up.endswith("L") and len(up) > 1:
            dl = _number(up[:-1])
            return _checked(ParsedValue(None, "<", dl, text), dl, allow_negative)
        if up.startswith(("<", "＜")):
            dl = _number(up[1:].strip())
            return _checked(ParsedValue(None, "<", dl, text), dl, allow_negative)
        v = _number(up.replace(",", ""))
    except ValueError:
        raise ValueParseError(f"not a value: {text!r}",
                              user_message=f"「{text}」不是数值，也不是已知标记 (如 0.02L、<0.01、ND、未检出、*、--)") from None
    return _checked(ParsedValue(v, "", None, text), v, allow_negative)


def _checked(pv: ParsedValue, number: float, allow_negative: bool) -> ParsedValue:
    if number < 0 and not allow_negative:
        raise ValueParseError(f"negative {pv.raw}", user_message=f"监测值不能为负数: 「{pv.raw}」")
    return pv


def format_value(pv: ParsedValue) -> str:
    """The inverse of :func:`parse_value` for its normal forms: ``0.02L``, ``ND``, ``*``, a number.

    >>> format_value(parse_value("0.02L")), format_value(parse_value("ND")), format_value(parse_value(""))
    ('0.02L', 'ND', '')
    """
    if pv.qualifier == "missing":
        return ""
    if pv.qualifier == "<":
        return "ND" if pv.detection_limit is None else f"{pv.detection_limit!r}L"
    return repr(pv.value)


def round_report(value: float, decimals: int) -> float:
    """Round to the reporting precision, half to even on the decimal value (GB/T 8170-2008).

    >>> round_report(0.025, 2), round_report(0.035, 2), round_report(0.0251, 2), round_report(12.97, 1)
    (0.02, 0.04, 0.03, 13.0)
    """
    try:
        d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return value
    return float(d)
