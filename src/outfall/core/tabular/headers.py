"""Finding the header of a clerk's sheet: header cells made comparable, title rows skipped, two-level
merged headers combined (see :func:`find_header`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["HEADER_SCAN_ROWS", "MIN_HEADER_MATCHES", "normalise_header", "header_key", "find_header", "has_header",
           "blank"]

#: How many non-blank rows at the top of a sheet are searched for the header.
HEADER_SCAN_ROWS = 30
#: How many cells of a row must be known headers for it to be taken as the header row.
MIN_HEADER_MATCHES = 3


_CUBIC = re.compile(r"(?<![A-Za-z])m[?？³]|㎥")


def normalise_header(text) -> str:
    """Header cell → comparable key: stripped, inner spaces and line breaks removed, '*' marks dropped,
    full-width brackets made half-width, and cubic metres spelt ``m3`` (``m³``, ``㎥`` and the ``m?``
    Excel leaves when the superscript is lost in a GBK file).

    >>> normalise_header(" 排污口 名称* ")
    '排污口名称'
    >>> normalise_header("设计排放量（m?/d）"), normalise_header("设计排放量(m³/d)")
    ('设计排放量(m3/d)', '设计排放量(m3/d)')
    """
    if text is None:
        return ""
    key = "".join(str(text).split()).replace("*", "").replace("（", "(").replace("）", ")")
    return _CUBIC.sub("m3", key)


def header_key(text) -> str:
    """The key a header cell is matched on: :func:`normalise_header`, lower case."""
    return normalise_header(text).lower()


# --- header finding -------------------------------------------------------------------------------

def blank(c) -> bool:
    """An empty cell: None or only whitespace."""
    return c is None or (isinstance(c, str) and c.strip() == "")


def _known(c, known: set[str]) -> bool:
    return not blank(c) and header_key(c) in known


def _combine(upper: list, lower: list, known: set[str]) -> list:
    """One header from two levels: per column the known header of either level (the lower first),
    else the lower level's text, else the upper's (a vertically merged cell)."""
    out = []
    for j in range(max(len(upper), len(lower))):
        u = upper[j] if j < len(upper) else None
        lo = lower[j] if j < len(lower) else None
        out.append(lo if _known(lo, known) else u if _known(u, known) else lo if not blank(lo) else u)
    return out


def _is_level(cells: list) -> bool:
    """A row that can be one level of a header: more than one filled cell (a title has one)."""
    return sum(not blank(c) for c in cells) > 1


def _fills(base: list, other: list, known: set[str]) -> bool:
    """Does ``other`` name a known header in a column that ``base`` leaves without one?"""
    return any(_known(c, known) and not (j < len(base) and _known(base[j], known)) for j, c in enumerate(other))


def find_header(rows: list[tuple[int, list]], known: Iterable[str] = ()) -> tuple[int, list]:
    """The header among the first rows of a sheet: (index in ``rows`` of its last row, header cells).

    ``rows`` are the first non-blank (row number, cells) of a sheet; ``known`` the header keys
    (:func:`header_key`) the reader understands. Going down, a row with more than one filled cell is
    merged with the row just below it when that row holds more known headers than other text and
    names a column this one leaves without a known header (a second level: 经度/纬度 under 坐标);
    the first row (or pair) with at least :data:`MIN_HEADER_MATCHES` known headers is the header. A
    row just above it that names known headers where it is blank (vertically merged cells) is merged
    in too. With no such row, the first row with more than one filled cell is the header (a one-cell
    title row is skipped), else the first row.

    >>> rows = [(1, ["莱西市入河排污口台账"]), (3, ["排污口名称", "坐标", None, "受纳水体"]),
    ...         (4, [None, "经度", "纬度", None]), (5, ["甲厂", 120.5, 36.9, "大沽河"])]
    >>> find_header(rows, {"排污口名称", "经度", "纬度", "受纳水体"})
    (2, ['排污口名称', '经度', '纬度', '受纳水体'])
    """
    known = {header_key(k) for k in known}
    if known:
        for i, (rownum, cells) in enumerate(rows):
            header, last = list(cells), i
            below = rows[i + 1][1] if i + 1 < len(rows) and rows[i + 1][0] == rownum + 1 else None
            if below is not None and _is_level(cells):
                hits = sum(_known(c, known) for c in below)
                if hits > sum(not blank(c) for c in below) - hits and _fills(header, below, known):
                    header, last = _combine(header, below, known), i + 1
            if sum(_known(c, known) for c in header) < MIN_HEADER_MATCHES:
                continue
            if last == i and i > 0 and rows[i - 1][0] == rownum - 1 and _is_level(rows[i - 1][1]) \
                    and _fills(cells, rows[i - 1][1], known):
                header = _combine(rows[i - 1][1], header, known)
            return last, header
    filled = [sum(not blank(c) for c in cells) for _n, cells in rows]
    need = 2 if filled and max(filled) >= 3 else 1
    i = next((i for i, n in enumerate(filled) if n >= need), 0)
    return i, list(rows[i][1])


def has_header(rows: Iterator[tuple[int, list]], known: set[str]) -> bool:
    """Does one of the first :data:`HEADER_SCAN_ROWS` rows hold :data:`MIN_HEADER_MATCHES` known headers?"""
    head = [r for _, r in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
    return any(sum(_known(c, known) for c in cells) >= MIN_HEADER_MATCHES for _n, cells in head)
