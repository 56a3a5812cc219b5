"""Declarative table columns: how a CSV/XLSX cell is parsed on import and formatted on export.

A column has a Chinese header (written on export), an English header and aliases (accepted on
import) and a kind (str, float, bool, enum, party list). ``parse_cell`` and ``format_cell`` are exact
inverses, so an exported table re-imports unchanged. Errors are Chinese ``ValueError`` messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from outfall.core.geo import parse_degrees
from outfall.core.tabular import header_key

__all__ = ["Column", "LIST_SEP", "IGNORED_HEADERS", "match_header", "parse_cell", "parse_row", "format_cell"]

#: Separator of several values in one cell (e.g. several responsible parties).
LIST_SEP = "；"
_TRUE = {"是", "有", "true", "yes", "y", "1", "√"}
_FALSE = {"否", "无", "false", "no", "n", "0", ""}
#: Headers of columns every reader skips: the running number clerks put first.
IGNORED_HEADERS = frozenset({"序号", "no", "no.", "#"})


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    kind: str = "str"  # str | float | coord (degrees, decimal or DMS) | bool | enum | party (LIST_SEP list)
    required: bool = False
    enum: type | None = None
    max_length: int | None = None
    aliases: tuple[str, ...] = field(default=())

    def keys(self) -> set[str]:
        return {header_key(k) for k in (self.zh, self.en, self.field, *self.aliases)}




def match_header(header: list[str], columns: list[Column]) -> tuple[dict[int, Column], list[tuple[str, str]]]:
    """Map header positions to columns; return problems (header, message) for unknown/duplicate/missing.

    Empty headers and :data:`IGNORED_HEADERS` (序号) are skipped.
    """
    by_key = {k: c for c in columns for k in c.keys()}
    mapping, problems, seen = {}, [], {}
    for i, h in enumerate(header):
        if h == "" or header_key(h) in IGNORED_HEADERS:
            continue
        col = by_key.get(header_key(h))
        if col is None:
            problems.append((h, f"未知列「{h}」；可用列: {'、'.join(c.zh for c in columns)}"))
        elif col.field in seen:
            problems.append((h, f"列「{h}」与「{seen[col.field]}」重复"))
        else:
            mapping[i] = col
            seen[col.field] = h
    present = {c.field for c in mapping.values()}
    for c in columns:
        if c.required and c.field not in present:
            problems.append((c.zh, f"缺少必填列「{c.zh}」({c.en})"))
    return mapping, problems


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _number(col: Column, value) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if col.required:
            raise ValueError("不能为空")
        return None
    if isinstance(value, bool):
        raise ValueError(f"「{value}」不是数字")
    try:
        f = float(str(value).strip().replace("，", ".")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise ValueError(f"「{value}」不是数字") from None
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"「{value}」不是有效数字")
    return f


def parse_cell(col: Column, value):
    """Cell → Python value for ``col``; raises ValueError with a Chinese message.

    >>> parse_cell(Column("lon", "经度", "lon", "coord"), "120°26′30.5″")
    120.44180555555556
    """
    if col.kind == "coord" and isinstance(value, str) and value.strip():
        try:
            return _number(col, value)
        except ValueError:
            return parse_degrees(value)
    if col.kind in ("float", "coord"):
        return _number(col, value)
    text = _text(value)
    if col.kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"「{text}」应为 是/否")
    if col.kind == "enum":
        if text == "":
            return ""
        try:
            return col.enum.from_text(text).value
        except ValueError:
            raise ValueError(f"「{text}」不是有效值；可用: {'、'.join(m.label for m in col.enum)}") from None
    if col.kind == "party":
        return [p.strip() for p in text.replace(";", LIST_SEP).split(LIST_SEP)] if text else []
    if col.required and text == "":
        raise ValueError("不能为空")
    if col.max_length and len(text) > col.max_length:
        raise ValueError(f"长度 {len(text)} 超过 {col.max_length}")
    return text


def format_cell(col: Column, value):
    """Python value → cell for export (the exact inverse of :func:`parse_cell`)."""
    if col.kind in ("float", "coord"):
        return value
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "enum":
        return col.enum(value).label if value else ""
    if col.kind == "party":
        return LIST_SEP.join(value) if any(value) else ""
    return value or ""




def parse_row(raw: dict, by_field: dict[str, Column]) -> tuple[dict, list[tuple[str, str]]]:
    """Parse every cell of a row ({field: cell}); return (values, [(Chinese header, message)])."""
    data, problems = {}, []
    for fname, value in raw.items():
        col = by_field[fname]
        try:
            data[fname] = parse_cell(col, value)
        except ValueError as exc:
            problems.append((col.zh, str(exc)))
    return data, problems
