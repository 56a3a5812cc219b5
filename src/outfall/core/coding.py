"""Codes: the unified social credit code (GB 32100-2015) and the internal outfall code.

The national outfall code layout (HJ 1235-2021?) is unconfirmed (standards.md §4), so the internal
code generator is configurable and the official national code is kept as a separate free field.
The default internal code is ``<6-digit county code><type letter><4-digit sequence>``, e.g.
``370285G0001`` (design, not a standard).
"""

from __future__ import annotations

import re

from outfall.core.errors import CodeError
from outfall.core.outfall_types import l1_letter

__all__ = ["USCC_CHARSET", "uscc_check_char", "validate_uscc", "default_outfall_code", "parse_default_code"]

#: GB 32100-2015 §4: 31 characters, without I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015 §5, MOD 31).

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    total = 0
    for ch, w in zip(first17, _USCC_WEIGHTS, strict=True):
        total += USCC_CHARSET.index(ch) * w
    c = 31 - total % 31
    return USCC_CHARSET[0 if c == 31 else c]


def validate_uscc(code: str) -> str:
    """Return the normalised (upper-case, trimmed) 18-character code or raise :class:`CodeError`.

    >>> validate_uscc("91350100m000100y43")
    '91350100M000100Y43'
    >>> validate_uscc("91350100M000100Y44")
    Traceback (most recent call last):
    ...
    outfall.core.errors.CodeError: USCC check 4 != 3
    """
    c = str(code).strip().upper()
    if len(c) != 18:
        raise CodeError(f"USCC length {len(c)}", user_message=f"统一社会信用代码「{code}」应为18位，实为{len(c)}位")
    bad = [ch for ch in c if ch not in USCC_CHARSET]
    if bad:
        raise CodeError(f"USCC bad chars {bad}",
                        user_message=f"统一社会信用代码「{code}」含非法字符「{''.join(bad)}」(不得含 I、O、Z、S、V)")
    expected = uscc_check_char(c[:17])
    if c[17] != expected:
        raise CodeError(f"USCC check {c[17]} != {expected}",
                        user_message=f"统一社会信用代码「{c}」校验位错误，应为「{expected}」")
    return c


_DEFAULT_RE = re.compile(r"^(\d{6})([A-Z])(\d{4,})$")


def default_outfall_code(county_code: str, type_l1: str, sequence: int) -> str:
    """County code + level-1 type letter + 4-digit sequence (design default, standards.md §4).

    >>> default_outfall_code("370285", "工业排污口", 7)
    '370285G0007'
    """
    if not re.fullmatch(r"\d{6}", county_code):
        raise CodeError(f"county code {county_code!r}", user_message=f"行政区划代码「{county_code}」应为6位数字")
    return f"{county_code}{l1_letter(type_l1)}{sequence:04d}"


def parse_default_code(code: str) -> tuple[str, str, int] | None:
    """Split a default-layout code into (county, letter, sequence); None if it has another layout."""
    m = _DEFAULT_RE.match(code or "")
    if not m:
        return None
    return m.group(1), m.group(2), int(m.group(3))
