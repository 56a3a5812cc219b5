"""Measured values as laboratories and stations report them, and the rounding of official releases.

Marks (HJ 630-2011 reporting practice, and what the national automatic-station release shows):

- ``0.02L``, ``<0.02`` or ``ND(0.02)``: below the detection limit 0.02 (检出限), kept as
  ``qualifier="<"`` with the limit, never as 0. ``ND``/``未检出`` alone: below an unstated limit.
- ``*`` (not measured), ``--`` (no data), empty, ``None``, a float NaN, or a note that replaces the
  value such as ``当天质控不合格`` (QC failed that day) or ``极值过滤`` (extreme value filtered):
  missing (``qualifier="missing"``), never 0. The note is kept in ``raw``.
- Anything else that is not a plain decimal number is refused (:class:`ValueParseError`), and so
  is a negative number unless the caller allows it (water temperature), and a number too large for
  a double (``9`` written 400 times reads as infinity). Whether a finite value is plausible for its
  parameter (pH 0–14 …) is :func:`outfall.core.standards.parameters.check_plausible`.

How a below-detection value is used in a class or a mean is decided in evaluation.py.

Rounding to the reporting precision follows GB/T 8170-2008 §3.3 (四舍六入五成双: round half to
even) on the decimal value as written, which is what the national release does: of the 91,303
cells of shared/data/cnemc-realtime-2025 that show both the raw and the displayed value,
half-to-even reproduces all but 4 (chl-a shown with 2 decimals at two stations), while half-up
would miss 4,702 cells of the five classified items alone (raw NH₃-N 0.025 is shown 0.02, raw DO
11.25 is shown 11.2). The page shows a value smaller than its display step to one significant
figure (turbidity 0.0163 → 0.02) rather than as 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from outfall.core.errors import ValueParseError

__all__ = ["ParsedValue", "parse_value", "format_value", "round_report", "MISSING_MARKS", "NOTE_MARKS",
           "ND_MARKS"]

#: Cells that mean "no value" (compared upper-cased).
MISSING_MARKS = frozenset({"", "*", "**", "--", "---", "-", "—", "/", "NA", "N/A", "NULL", "NONE", "NAN",
                           "无", "无数据", "未测", "未监测", "缺测"})
#: Notes that replace a value in releases and station feeds and mean "no valid value".
NOTE_MARKS = frozenset({"当天质控不合格", "质控不合格", "极值过滤", "维护", "仪器维护", "仪器故障", "设备故障",
                        "停运", "断电", "通讯中断", "数据无效", "无效数据"})
#: Below an unstated detection limit (compared upper-cased).
ND_MARKS = frozenset({"ND", "N.D.", "N.D", "未检出", "未检出。", "<DL", "BDL", "<LOD"})

_PLAIN = re.compile(r"\d+(?:\.\d+)?")  # the common case, tried first
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(_NUM)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_BELOW = re.compile(rf"(?:[<＜]\s*(?P<a>{_NUM})\s*L?|(?P<b>{_NUM})\s*L)")
_ND_LIMIT = re.compile(rf"(?:ND|N\.D\.|未检出)\s*[(（]\s*(?:[<＜]|DL\s*=?|检出限\s*[:：]?)?\s*(?P<c>{_NUM})\s*L?\s*[)）]")


@dataclass(frozen=True)
class ParsedValue:
    """A reported value.

    Attributes
    ----------
    value : float or None
        The number in the unit it was given in; None when missing or below detection.
    qualifier : str
        ``""`` a measured value, ``"<"`` below the detection limit, ``"missing"`` no value.
    detection_limit : float or None
        The detection limit (same unit) of a below-detection value, None when unstated.
    raw : str
        The cell as written (a QC note such as 当天质控不合格 stays here).
    """

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

    @property
    def note(self) -> str:
        """The note that replaced a missing value (e.g. ``当天质控不合格``), else ``""``."""
        return self.raw if self.missing and self.raw.upper() not in MISSING_MARKS else ""


def _number(text: str) -> float:
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    f = float(text)
    if not math.isfinite(f):
        raise _NonFinite(text)
    return f


class _NonFinite(ValueError):
    """A number too large for a float (it reads as infinity)."""


def _refuse(text: str) -> ValueParseError:
    return ValueParseError(f"not a value: {text!r}",
                           user_message=f"「{text}」不是数值，也不是已知标记 (如 0.02L、<0.01、ND、未检出、*、--)")


def _refuse_non_finite(text: str) -> ValueParseError:
    shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} 个字符)"
    return ValueParseError(f"not a finite number: {text[:40]!r}",
                           user_message=f"「{shown}」超出数值范围 (不是有限数) / not a finite number")


def parse_value(cell, *, allow_negative: bool = False) -> ParsedValue:
    """Parse one reported cell (str, int, float or None) into a :class:`ParsedValue` (HJ 630-2011 marks).

    Parameters
    ----------
    cell : str, int, float or None
        The cell as read from a file or a station feed, in any unit.
    allow_negative : bool, keyword-only
        Accept negative numbers (water temperature in ℃); concentrations never are.

    Raises
    ------
    ValueParseError
        Not a number and not a known mark, a number too large for a double (infinity), or a refused
        negative number (Chinese message).

    Examples
    --------
    >>> parse_value("0.02L")
    ParsedValue(value=None, qualifier='<', detection_limit=0.02, raw='0.02L')
    >>> parse_value(" <0.01 ").detection_limit, parse_value("未检出").below_detection, parse_value("*").missing
    (0.01, True, True)
    >>> parse_value("1.25").value, parse_value(3).value, parse_value(None).missing
    (1.25, 3.0, True)
    >>> parse_value("当天质控不合格").note
    '当天质控不合格'
    >>> parse_value("9" * 400)
    Traceback (most recent call last):
    ...
    outfall.core.errors.ValueParseError: not a finite number: '9999999999999999999999999999999999999999'
    """
    if cell is None:
        return ParsedValue(None, "missing", None, "")
    if isinstance(cell, bool):
        raise ValueParseError(f"bool value {cell}", user_message=f"「{cell}」不是监测值")
    if isinstance(cell, float) and math.isnan(cell):
        return ParsedValue(None, "missing", None, "")
    if isinstance(cell, float) and math.isinf(cell):
        raise _refuse_non_finite(repr(cell))
    if isinstance(cell, (int, float)):
        text = repr(float(cell)) if isinstance(cell, float) else str(cell)
    else:
        text = str(cell).strip()
        if _PLAIN.fullmatch(text):
            f = float(text)
            if f != math.inf:  # 400 nines read as +inf: refused below like any non-finite number
                return ParsedValue(f, "", None, text)
            raise _refuse_non_finite(text)
    up = text.upper()
    if up in MISSING_MARKS or text in NOTE_MARKS:
        return ParsedValue(None, "missing", None, text)
    if up in ND_MARKS:
        return ParsedValue(None, "<", None, text)
    try:
        m = _BELOW.fullmatch(up) or _ND_LIMIT.fullmatch(up)
        if m:
            dl = _number(m.group(m.lastgroup))
            return _checked(ParsedValue(None, "<", dl, text), dl, allow_negative)
        v = _number(up)
    except _NonFinite:
        raise _refuse_non_finite(text) from None
    except ValueError:
        raise _refuse(text) from None
    return _checked(ParsedValue(v, "", None, text), v, allow_negative)


def _checked(pv: ParsedValue, number: float, allow_negative: bool) -> ParsedValue:
    if number < 0 and not allow_negative:
        raise ValueParseError(f"negative {pv.raw}", user_message=f"监测值不能为负数: 「{pv.raw}」")
    if pv.below_detection and number <= 0:
        raise ValueParseError(f"detection limit {pv.raw}", user_message=f"检出限应大于 0: 「{pv.raw}」")
    return pv


def format_value(pv: ParsedValue, *, decimals: int | None = None) -> str:
    """The inverse of :func:`parse_value` for its normal forms: ``0.02L``, ``ND``, ``""``, a number.

    Parameters
    ----------
    pv : ParsedValue
    decimals : int, keyword-only, optional
        Write a measured value rounded to this many decimals (GB/T 8170, :func:`round_report`),
        with trailing zeros as a release shows them; default the shortest exact form.

    Examples
    --------
    >>> format_value(parse_value("0.02L")), format_value(parse_value("ND")), format_value(parse_value(""))
    ('0.02L', 'ND', '')
    >>> format_value(parse_value("0.0250"), decimals=2), format_value(parse_value("7"), decimals=1)
    ('0.02', '7.0')
    """
    if pv.qualifier == "missing":
        return ""
    if pv.qualifier == "<":
        return "ND" if pv.detection_limit is None else f"{pv.detection_limit!r}L"
    if decimals is None:
        return repr(float(pv.value))
    return f"{round_report(pv.value, decimals):.{max(decimals, 0)}f}"


def round_report(value: float, decimals: int) -> float:
    """Round to the reporting precision, half to even on the decimal value (GB/T 8170-2008 §3.3).

    The decimal value is the shortest decimal that reads back as ``value`` (``repr``), so 0.025
    is a tie and rounds to 0.02 as the national release shows, although the binary double is
    slightly above 0.025.

    Parameters
    ----------
    value : float
        In any unit.
    decimals : int
        Decimal places to keep (negative: tens, hundreds …).

    Examples
    --------
    >>> round_report(0.025, 2), round_report(0.035, 2), round_report(0.0251, 2), round_report(12.97, 1)
    (0.02, 0.04, 0.03, 13.0)
    >>> round_report(11.25, 1), round_report(8.5, 0), round_report(-0.25, 1)
    (11.2, 8.0, -0.2)
    """
    try:
        d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than a Decimal context holds: nothing to round
        return float(value)
    return float(d)
