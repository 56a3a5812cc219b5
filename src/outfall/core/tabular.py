"""Read a CSV or XLSX table into header + rows with their row numbers (for error messages).

Used by every importer (outfalls, sections, readings) and by ``outfall classify``. Rows keep their
1-based sheet row number (the header is row 1 of its sheet), so an error can say which row and
column is wrong. Encodings tried for CSV: UTF-8 (with or without BOM), then GB18030 (Excel's
Chinese default). Nothing is converted here: cells come back as ``str`` (CSV) or the cell's value
(XLSX: str, int, float, datetime, bool or None).

``stream_table`` reads the first sheet in chunks of rows, holding one chunk in memory whatever the
file's size (CSV through the csv module, XLSX through openpyxl's read-only mode), for the readings
import; ``read_table`` reads whole sheets.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from outfall.core.errors import FileFormatError

__all__ = ["Table", "TableStream", "read_table", "stream_table", "normalise_header"]


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


_BLOCK = 1 << 20  # bytes read at a time when checking a CSV's encoding


def _csv_encoding(fh: BinaryIO, name: str) -> str:
    """UTF-8 (with or without BOM) if the whole stream decodes as UTF-8, else GB18030; one pass, one
    block in memory at a time; the stream is rewound."""
    dec = codecs.getincrementaldecoder("utf-8")()
    enc, nul = "utf-8-sig", False
    while block := fh.read(_BLOCK):
        nul = nul or b"\x00" in block
        if enc == "utf-8-sig":
            try:
                dec.decode(block)
            except UnicodeDecodeError:
                enc = "gb18030"
    if enc == "utf-8-sig":
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            enc = "gb18030"
    fh.seek(0)
    if nul:
        raise FileFormatError(f"{name}: NUL bytes", user_message=f"{name}: 不是文本 CSV 文件")
    if enc == "gb18030":
        gdec = codecs.getincrementaldecoder("gb18030")()
        try:
            while block := fh.read(_BLOCK):
                gdec.decode(block)
            gdec.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileFormatError(f"{name}: undecodable", user_message=_UNDECODABLE.format(name=name)) from None
        finally:
            fh.seek(0)
    return enc


_UNDECODABLE = "{name}: 无法识别文件编码 (请使用 UTF-8 或 GBK 编码的 CSV)"


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


class TableStream:
    """The first sheet of a CSV or XLSX file, read a chunk of rows at a time.

    ``file``, ``sheet`` and ``header`` are known once built; :meth:`chunks` yields lists of
    (row number, cells) of at most ``size`` rows, blank rows skipped, numbered as ``read_table``
    numbers them. Memory: one chunk (plus the reader's buffer), whatever the file's size. Iterate
    once; :meth:`close` (or ``with``) releases the file.
    """

    def __init__(self, file: str, sheet: str, header: list[str], rows, closer=None):
        self.file, self.sheet, self.header = file, sheet, header
        self._rows, self._closer = rows, closer
        self.text_only = isinstance(rows, _CsvRows)  # every cell a str (CSV)

    def chunks(self, size: int) -> Iterator[list[tuple[int, list]]]:
        take = getattr(self._rows, "take", None)
        if take is None:
            it = iter(self._rows)
            while chunk := list(itertools.islice(it, size)):
                yield chunk
            return
        done = False
        while not done:
            chunk, done = take(size)
            if chunk:
                yield chunk

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _open(source: str | Path | bytes, name: str | None) -> tuple[BinaryIO, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return open(path, "rb"), name or path.name
        except OSError as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"无法读取文件 {path.name}: {exc.strerror}") from exc
    return io.BytesIO(bytes(source)), name or "upload"


class _CsvRows:
    """Records of a csv reader numbered from 1 (blank ones skipped), read a chunk at a time."""

    def __init__(self, text: io.TextIOBase, dialect, name: str):
        self.reader, self.name, self.n = csv.reader(text, dialect), name, 0

    def take(self, size: int) -> tuple[list[tuple[int, list]], bool]:
        """Up to ``size`` records (fewer when some are blank) and whether the file is done."""
        try:
            got = list(itertools.islice(self.reader, size))
        except csv.Error as exc:
            raise FileFormatError(f"{self.name}: {exc}", user_message=f"{self.name}: CSV 格式错误 (第 "
                                                                      f"{self.reader.line_num} 行附近: {exc})") from exc
        start, self.n = self.n + 1, self.n + len(got)
        return [(n, r) for n, r in zip(itertools.count(start), got, strict=False)
                if any(r) and (r[0].strip() or "".join(r).strip())], len(got) < size


def _stream_csv(fh: BinaryIO, name: str) -> TableStream:
    enc = _csv_encoding(fh, name)
    text = io.TextIOWrapper(fh, encoding=enc, newline="")
    head = text.read(4096)
    text.seek(0)
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = _CsvRows(text, dialect, name)
    first, done = None, False
    while first is None and not done:
        got, done = rows.take(1)
        first = got[0] if got else None
    if first is None:
        text.close()
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空")
    return TableStream(name, "", [normalise_header(h) for h in first[1]], rows, text.close)


def _stream_xlsx(fh: BinaryIO, name: str) -> TableStream:
    import openpyxl  # local: classify and CSV imports never pay for it

    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        fh.close()
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: 不是有效的 Excel (.xlsx) 文件或文件已损坏") from exc

    def close():
        wb.close()
        fh.close()

    def rows():
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if not _is_blank(row):
                yield i, [c.strip() if isinstance(c, str) else c for c in row]

    it = rows()
    first = next(it, None)
    if first is None:
        close()
        raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空")
    header = [normalise_header(h) for h in first[1]]
    while header and header[-1] == "":
        header.pop()
    return TableStream(name, ws.title, header, it, close)


def stream_table(source: str | Path | bytes, *, name: str | None = None) -> TableStream:
    """Open the first sheet of a CSV or XLSX file (path or bytes) for reading in chunks.

    The format is told by content as in :func:`read_table`; the same errors are raised
    (:class:`FileFormatError`), a CSV error past the header while iterating.

    >>> with stream_table(b"a,b\\n1,2\\n\\n3,4\\n5,6\\n", name="t.csv") as t:
    ...     t.header, [[n for n, _ in c] for c in t.chunks(2)]
    (['a', 'b'], [[2], [4, 5]])
    """
    fh, name = _open(source, name)
    try:
        head = fh.read(8)
        fh.seek(0)
        if head[:4] == b"PK\x03\x04":
            return _stream_xlsx(fh, name)
        if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise FileFormatError(f"{name}: xls", user_message=f"{name}: 旧版 .xls 格式不支持，请另存为 .xlsx 或 CSV")
        if not _has_text(fh):
            raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空")
        return _stream_csv(fh, name)
    except BaseException:
        fh.close()
        raise


def _has_text(fh: BinaryIO) -> bool:
    """Anything but whitespace in the stream (which is rewound)."""
    try:
        while block := fh.read(_BLOCK):
            if block.strip():
                return True
        return False
    finally:
        fh.seek(0)
