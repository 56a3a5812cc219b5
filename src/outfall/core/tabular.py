"""Read a CSV or XLSX table into header + rows with their row numbers (for error messages).

Used by every importer (outfalls, sections, readings) and by ``outfall classify``. Rows keep their
1-based sheet row number (the header is row 1 of its sheet), so an error can say which row and
column is wrong. Encodings tried for CSV: UTF-8 (with or without BOM), then GB18030 (Excel's
Chinese default). Nothing is converted here: cells come back as ``str`` (CSV) or the cell's value
(XLSX: str, int, float, datetime, bool or None).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outfall.core.errors import FileFormatError

__all__ = ["Table", "read_table", "normalise_header"]


@dataclass
class Table:
    """A sheet: ``header`` (stripped strings) and ``rows`` as (row number, cells) pairs."""

    file: str
    sheet: str
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)

    def records(self) -> Iterator[tuple[int, dict]]:
        """(row number, {header: cell}) for every non-empty row."""
        n = len(self.header)
        for rownum, cells in self.rows:
            cells = list(cells[:n]) + [None] * (n - len(cells))
            yield rownum, dict(zip(self.header, cells, strict=True))


def normalise_header(text) -> str:
    """Header cell → comparable key: stripped, inner spaces and line breaks removed, '*' marks dropped.

    >>> normalise_header(" 排污口 名称* ")
    '排污口名称'
    """
    if text is None:
        return ""
    return "".join(str(text).split()).replace("*", "").replace("（", "(").replace("）", ")")


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(f"{name}: undecodable", user_message=f"{name}: 无法识别文件编码 (请使用 UTF-8 或 GBK 编码的 CSV)")


def _is_blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and c.strip() == "") for c in cells)


def _read_csv(data: bytes, name: str) -> list[Table]:
    text = _decode(data, name)
    if "\x00" in text:
        raise FileFormatError(f"{name}: NUL bytes", user_message=f"{name}: 不是文本 CSV 文件")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: CSV 格式错误 ({exc})") from exc
    rows_numbered = [(i + 1, r) for i, r in enumerate(rows) if "".join(r).strip()]
    if not rows_numbered:
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空")
    (_, header), *body = rows_numbered
    return [Table(name, "", [normalise_header(h) for h in header], body)]


def _read_xlsx(data: bytes, name: str, *, all_sheets: bool) -> list[Table]:
    import openpyxl  # local: classify and CSV imports never pay for it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: 不是有效的 Excel (.xlsx) 文件或文件已损坏") from exc
    tables = []
    try:
        for ws in wb.worksheets if all_sheets else wb.worksheets[:1]:
            it = ws.iter_rows(values_only=True)
            header, body = None, []
            for i, row in enumerate(it, start=1):
                if _is_blank(row):
                    continue
                if header is None:
                    header = [normalise_header(h) for h in row]
                    while header and header[-1] == "":
                        header.pop()
                    continue
                body.append((i, [c.strip() if isinstance(c, str) else c for c in row]))
            if header is not None:
                tables.append(Table(name, ws.title, header, body))
    finally:
        wb.close()
    if not tables:
        raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空")
    return tables


def read_table(source: str | Path | bytes, *, name: str | None = None, all_sheets: bool = False) -> list[Table]:
    """Read a CSV or XLSX file (path or bytes) into tables, one per sheet (first sheet by default).

    The format is taken from the content (an XLSX file is a ZIP), not the extension, so a renamed
    file is still read correctly; anything else is read as CSV text.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"无法读取文件 {path.name}: {exc.strerror}") from exc
    else:
        data = bytes(source)
        name = name or "upload"
    if not data.strip():
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, all_sheets=all_sheets)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileFormatError(f"{name}: xls", user_message=f"{name}: 旧版 .xls 格式不支持，请另存为 .xlsx 或 CSV")
    return _read_csv(data, name)
