"""CSV text, whole or streamed: the encoding (UTF-8, UTF-16 with BOM, GBK/GB18030), the delimiter
(comma, tab, semicolon), binary files refused, the formula-safe export's leading ``'`` removed."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from outfall.core.errors import FileFormatError
from outfall.core.filetypes import decode_text, restore_formula
from outfall.core.limits import ImportLimits
from outfall.core.tabular.headers import HEADER_SCAN_ROWS
from outfall.core.tabular.rows import checked_rows
from outfall.core.tabular.tables import Table, TableStream, to_stream, to_table

__all__ = ["read_csv", "stream_csv", "has_text", "BLOCK"]


def delimiter_of(sample: str) -> str:
    """The delimiter that splits the sample's lines into the same number (> 1) of fields most often."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:HEADER_SCAN_ROWS]
    best, best_score = None, 0
    for d in (",", "\t", ";"):
        counts: dict[int, int] = {}
        try:
            for fields in csv.reader(lines, delimiter=d):
                if len(fields) > 1:
                    counts[len(fields)] = counts.get(len(fields), 0) + 1
        except csv.Error:
            continue
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = d, score
    return best


def read_csv(data: bytes, name: str, *, known: Iterable[str], limits: ImportLimits) -> list[Table]:
    """A whole CSV file's bytes as one :class:`Table` (see ``read_table``)."""
    text = decode_text(data, name)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if "\x00" in text or controls > len(sample) // 100:
        raise FileFormatError(f"{name}: binary", user_message=f"{name}: 不是文本 CSV 文件 / not a text CSV file")
    delimiter = delimiter_of(sample)
    if delimiter is None:
        raise FileFormatError(f"{name}: no delimiter", user_message=f"{name}: 不是 CSV 表格：前几行没有用逗号、制表符或分号"
                              "分隔的列 / not a CSV table: no comma, tab or semicolon separates columns")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = checked_rows(((reader.line_num, r) for r in reader), where=name, limits=limits, clean=restore_formula,
                        text_only=True)
    try:
        table = to_table(rows, name=name, sheet="", known=known)
        if table is None:
            raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
    except csv.Error as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: CSV 格式错误 ({exc}) / CSV error") from exc
    return [table]


BLOCK = 1 << 20  # bytes decoded at a time when checking a CSV's encoding
_BINARY = "{name}: 不是文本 CSV 文件 / not a text CSV file"


def csv_encoding(fh: BinaryIO, name: str) -> tuple[str, bool]:
    """:func:`decode_text`'s choice of encoding, made over the stream a block at a time (one pass
    per encoding tried), and whether the text holds a NUL; the stream is rewound."""
    bom = fh.read(2)
    fh.seek(0)
    for enc in ("utf-16",) if bom in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030"):
        dec, nul = codecs.getincrementaldecoder(enc)(), False
        try:
            while block := fh.read(BLOCK):
                nul = "\x00" in dec.decode(block) or nul
            nul = "\x00" in dec.decode(b"", final=True) or nul
            return enc, nul
        except UnicodeDecodeError:
            continue
        finally:
            fh.seek(0)
    raise FileFormatError(f"{name}: undecodable", user_message=f"{name}: 无法识别文件编码 (请使用 UTF-8 或 GBK 编码的 CSV)"
                          " / unknown text encoding (use UTF-8 or GBK)")


def csv_errors(rows: Iterator[tuple[int, list]], name: str) -> Iterator[tuple[int, list]]:
    """The rows, a CSV syntax error met while reading them raised as a :class:`FileFormatError`."""
    try:
        yield from rows
    except csv.Error as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: CSV 格式错误 ({exc}) / CSV error") from exc


def stream_csv(fh: BinaryIO, name: str, *, known: Iterable[str], limits: ImportLimits) -> TableStream:
    """A CSV file read as it is iterated (see ``stream_table``); the stream closes ``fh``."""
    enc, nul = csv_encoding(fh, name)
    text = io.TextIOWrapper(fh, encoding=enc, newline="")
    sample = text.read(65536)
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if nul or controls > len(sample) // 100:
        raise FileFormatError(f"{name}: binary", user_message=_BINARY.format(name=name))
    delimiter = delimiter_of(sample)
    if delimiter is None:
        raise FileFormatError(f"{name}: no delimiter", user_message=f"{name}: 不是 CSV 表格：前几行没有用逗号、制表符或分号"
                              "分隔的列 / not a CSV table: no comma, tab or semicolon separates columns")
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    rows = csv_errors(checked_rows(((reader.line_num, r) for r in reader), where=name, limits=limits,
                                clean=restore_formula, text_only=True), name)
    table = to_stream(rows, name=name, sheet="", known=known, closer=text.close, text_only=True)
    if table is None:
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
    return table


def has_text(fh: BinaryIO) -> bool:
    """Anything but whitespace in the stream (which is rewound)."""
    try:
        while block := fh.read(BLOCK):
            if block.strip():
                return True
        return False
    finally:
        fh.seek(0)
