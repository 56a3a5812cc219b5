"""Read a CSV or XLSX table into header + rows with their row numbers (for error messages).

Used by every importer (outfalls, sections, readings) and by ``outfall classify``. Rows keep their
1-based sheet row number, so an error can say which row and column is wrong. Nothing is converted
here: cells come back as ``str`` (CSV) or the cell's value (XLSX: str, int, float, datetime, bool or
None).

What clerks' files look like, and what this module does about it:

- The format is told by content, never by extension (``outfall.core.filetypes.sniff_format``): an
  XLSX is a ZIP holding ``xl/workbook.xml``; an old .xls (OLE), a PDF, an image, a web page saved as
  ".xls", a Word file or any other binary is refused by name; text without a delimiter is not a CSV.
- CSV text may be UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or
  GBK/GB18030 (Excel's Chinese default); the delimiter (comma, tab, semicolon) is the one that splits
  the first rows most consistently. A leading ``'`` that the formula-safe export added is removed.
- Title rows ("莱西市入河排污口台账（2025年）") and two-level merged headers sit above the header: given
  the headers a reader knows, the header is the first of the first :data:`HEADER_SCAN_ROWS` rows with
  at least :data:`MIN_HEADER_MATCHES` known headers, merged with the level above or below it where that
  level names the columns it leaves open (:func:`find_header`). ``Table.header_row`` says which row.
- A workbook is searched sheet by sheet for that header, so a blank or cover first sheet is skipped.
- Limits (:class:`outfall.core.limits.ImportLimits`) are checked before reading (ZIP member sizes,
  the sheets' declared dimensions or row counts: ``outfall.core.workbook``) and while streaming
  (rows, columns, cell length): rows are read one at a time, never all at once before a check.
- XML with entity declarations or malformed XML is refused as a damaged workbook (openpyxl parses
  with defusedxml, a dependency).

:func:`stream_table` does all of the above but hands the body out a chunk of rows at a time
(:class:`TableStream`), for the readings import: a CSV is read from its file, never whole into
memory (its encoding checked in one pass, a block at a time); a workbook's XML is streamed.
:func:`read_table` is the same reader with the body collected into a list.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from outfall.core.errors import FileFormatError, TooLargeError
from outfall.core.filetypes import decode_text, restore_formula, sniff_format
from outfall.core.limits import ImportLimits
from outfall.core.workbook import open_workbook, sheet_rows

__all__ = ["Table", "TableStream", "read_table", "stream_table", "normalise_header", "header_key", "find_header", "HEADER_SCAN_ROWS",
           "MIN_HEADER_MATCHES"]

#: How many non-blank rows at the top of a sheet are searched for the header.
HEADER_SCAN_ROWS = 30
#: How many cells of a row must be known headers for it to be taken as the header row.
MIN_HEADER_MATCHES = 3


@dataclass
class Table:
    """A sheet: ``header`` (normalised strings), ``rows`` as (row number, cells) pairs, and the
    1-based row number of the (last) header row."""

    file: str
    sheet: str
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    header_row: int = 1

    def records(self) -> Iterator[tuple[int, dict]]:
        """(row number, {header: cell}) for every non-empty row."""
        n = len(self.header)
        for rownum, cells in self.rows:
            cells = list(cells[:n]) + [None] * (n - len(cells))
            yield rownum, dict(zip(self.header, cells, strict=True))


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

def _blank(c) -> bool:
    return c is None or (isinstance(c, str) and c.strip() == "")


def _known(c, known: set[str]) -> bool:
    return not _blank(c) and header_key(c) in known


def _combine(upper: list, lower: list, known: set[str]) -> list:
    """One header from two levels: per column the known header of either level (the lower first),
    else the lower level's text, else the upper's (a vertically merged cell)."""
    out = []
    for j in range(max(len(upper), len(lower))):
        u = upper[j] if j < len(upper) else None
        lo = lower[j] if j < len(lower) else None
        out.append(lo if _known(lo, known) else u if _known(u, known) else lo if not _blank(lo) else u)
    return out


def _is_level(cells: list) -> bool:
    """A row that can be one level of a header: more than one filled cell (a title has one)."""
    return sum(not _blank(c) for c in cells) > 1


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
                if hits > sum(not _blank(c) for c in below) - hits and _fills(header, below, known):
                    header, last = _combine(header, below, known), i + 1
            if sum(_known(c, known) for c in header) < MIN_HEADER_MATCHES:
                continue
            if last == i and i > 0 and rows[i - 1][0] == rownum - 1 and _is_level(rows[i - 1][1]) \
                    and _fills(cells, rows[i - 1][1], known):
                header = _combine(rows[i - 1][1], header, known)
            return last, header
    filled = [sum(not _blank(c) for c in cells) for _n, cells in rows]
    need = 2 if filled and max(filled) >= 3 else 1
    i = next((i for i, n in enumerate(filled) if n >= need), 0)
    return i, list(rows[i][1])


class TableStream:
    """A sheet whose body is read a chunk of rows at a time: ``file``, ``sheet``, ``header`` and
    ``header_row`` as in :class:`Table`; :meth:`chunks` yields lists of at most ``size`` (row number,
    cells), blank rows skipped, limits checked as they are read. Memory: one chunk (plus the reader's
    buffer), whatever the file's size. Iterate once; :meth:`close` (or ``with``) releases the file.
    ``text_only``: every cell is a ``str`` (a CSV)."""

    def __init__(self, file: str, sheet: str, header: list[str], rows: Iterable[tuple[int, list]],
                 closer: Callable | None = None, *, header_row: int = 1, text_only: bool = False):
        self.file, self.sheet, self.header, self.header_row = file, sheet, header, header_row
        self.rows, self._closer, self.text_only = rows, closer, text_only

    def chunks(self, size: int) -> Iterator[list[tuple[int, list]]]:
        it = iter(self.rows)
        while chunk := list(itertools.islice(it, size)):
            yield chunk

    def close(self) -> None:
        if self._closer is not None:
            closer, self._closer = self._closer, None
            closer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _to_stream(rows: Iterator[tuple[int, list]], *, name: str, sheet: str, known: Iterable[str],
               closer: Callable | None = None, text_only: bool = False) -> TableStream | None:
    """Find the header in the first rows of a stream; the rest of it is the body, still unread."""
    head = []
    for r in rows:
        head.append(r)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        return None
    i, header = find_header(head, known)
    header = [normalise_header(h) for h in header]
    while header and header[-1] == "":
        header.pop()
    return TableStream(name, sheet, header, itertools.chain(head[i + 1:], rows), closer, header_row=head[i][0],
                       text_only=text_only)


def _to_table(rows: Iterator[tuple[int, list]], *, name: str, sheet: str, known: Iterable[str]) -> Table | None:
    """Find the header in the first rows of a stream, then read the rest of it as the body."""
    t = _to_stream(rows, name=name, sheet=sheet, known=known)
    return None if t is None else Table(name, sheet, t.header, list(t.rows), header_row=t.header_row)


def _has_header(rows: Iterator[tuple[int, list]], known: set[str]) -> bool:
    head = [r for _, r in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
    return any(sum(_known(c, known) for c in cells) >= MIN_HEADER_MATCHES for _n, cells in head)


# --- streaming with limits ------------------------------------------------------------------------

def _checked(rows: Iterable[tuple[int, tuple | list]], *, where: str, limits: ImportLimits,
             clean: Callable) -> Iterator[tuple[int, list]]:
    """Non-blank rows with trailing empty cells dropped, refusing any row beyond the limits."""
    for rownum, cells in rows:
        if rownum > limits.max_rows:
            raise TooLargeError(f"{where}: more than {limits.max_rows} rows",
                                user_message=f"{where}: 超过 {limits.max_rows} 行上限 (OUTFALL_IMPORT_MAX_ROWS)，"
                                f"请拆分文件 / more than {limits.max_rows} rows; split the file")
        n = len(cells)
        while n and _blank(cells[n - 1]):
            n -= 1
        if n == 0:
            continue
        if n > limits.max_columns:
            raise TooLargeError(f"{where} row {rownum}: {n} columns",
                                user_message=f"{where} 第{rownum}行: {n} 列，超过 {limits.max_columns} 列上限 "
                                f"(OUTFALL_IMPORT_MAX_COLUMNS) / {n} columns, over the {limits.max_columns} limit")
        out = []
        for j in range(n):
            c = cells[j]
            if isinstance(c, str):
                if len(c) > limits.max_cell_chars:
                    raise TooLargeError(
                        f"{where} row {rownum} column {j + 1}: {len(c)} characters",
                        user_message=f"{where} 第{rownum}行第{j + 1}列: {len(c)} 个字符，超过单元格 "
                        f"{limits.max_cell_chars} 字符上限 (OUTFALL_IMPORT_MAX_CELL_CHARS) / cell of {len(c)} "
                        f"characters, over the {limits.max_cell_chars} limit")
                c = clean(c)
            out.append(c)
        yield rownum, out


# --- CSV ------------------------------------------------------------------------------------------

def _delimiter(sample: str) -> str:
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


def _read_csv(data: bytes, name: str, *, known: Iterable[str], limits: ImportLimits) -> list[Table]:
    text = decode_text(data, name)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if "\x00" in text or controls > len(sample) // 100:
        raise FileFormatError(f"{name}: binary", user_message=f"{name}: 不是文本 CSV 文件 / not a text CSV file")
    delimiter = _delimiter(sample)
    if delimiter is None:
        raise FileFormatError(f"{name}: no delimiter", user_message=f"{name}: 不是 CSV 表格：前几行没有用逗号、制表符或分号"
                              "分隔的列 / not a CSV table: no comma, tab or semicolon separates columns")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _checked(((reader.line_num, r) for r in reader), where=name, limits=limits, clean=restore_formula)
    try:
        table = _to_table(rows, name=name, sheet="", known=known)
        if table is None:
            raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
    except csv.Error as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: CSV 格式错误 ({exc}) / CSV error") from exc
    return [table]


# --- XLSX -----------------------------------------------------------------------------------------

def _xlsx_rows(ws, *, name: str, limits: ImportLimits) -> Iterator[tuple[int, list]]:
    where = f"{name} [{ws.title}]"
    return _checked(sheet_rows(ws, where=where, limits=limits), where=where, limits=limits, clean=str.strip)


def _read_xlsx(data: bytes, name: str, *, all_sheets: bool, known: Iterable[str], limits: ImportLimits) -> list[Table]:
    known = {header_key(k) for k in known}

    def rows_of(ws):
        return _xlsx_rows(ws, name=name, limits=limits)

    tables = []
    with open_workbook(data, name, limits=limits) as wb:
        sheets = wb.worksheets
        if known and not all_sheets:  # the first sheet that holds the header, else the first with data
            chosen = next((ws for ws in sheets if _has_header(rows_of(ws), known)), None)
            sheets = [chosen] if chosen is not None else sheets
        for ws in sheets:
            table = _to_table(rows_of(ws), name=name, sheet=ws.title, known=known)
            if table is not None:
                tables.append(table)
                if not all_sheets:
                    break
    if not tables:
        raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空 / the workbook is empty")
    return tables


def read_table(source: str | Path | bytes, *, name: str | None = None, all_sheets: bool = False,
               known_headers: Iterable[str] = (), limits: ImportLimits | None = None) -> list[Table]:
    """Read a CSV or XLSX file (path or bytes) into tables: the sheet holding the header (every
    non-empty sheet with ``all_sheets``).

    Parameters
    ----------
    source : str, Path or bytes
        The file; its format is told from the content (:func:`sniff_format`), not the extension.
    name : str, optional
        File name for messages (default: the path's name, or "upload").
    all_sheets : bool
        Every non-empty sheet instead of the one with the header.
    known_headers : iterable of str
        Header texts the caller understands: used to find the header row under title rows and to
        pick the sheet (see :func:`find_header`). Empty: the first row with more than one cell.
    limits : ImportLimits, optional
        Rows, columns, cell size and ZIP expansion allowed (default :class:`ImportLimits`).

    Raises
    ------
    FileFormatError
        Not a readable CSV/XLSX file, or empty.
    TooLargeError
        Beyond ``limits``; raised before the data is read where the file declares its size.
    """
    limits = limits or ImportLimits()
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
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
    if sniff_format(data, name) == "xlsx":
        return _read_xlsx(data, name, all_sheets=all_sheets, known=known_headers, limits=limits)
    return _read_csv(data, name, known=known_headers, limits=limits)


# --- streaming ------------------------------------------------------------------------------------

_BLOCK = 1 << 20  # bytes decoded at a time when checking a CSV's encoding
_BINARY = "{name}: 不是文本 CSV 文件 / not a text CSV file"


def _csv_encoding(fh: BinaryIO, name: str) -> tuple[str, bool]:
    """:func:`decode_text`'s choice of encoding, made over the stream a block at a time (one pass
    per encoding tried), and whether the text holds a NUL; the stream is rewound."""
    bom = fh.read(2)
    fh.seek(0)
    for enc in ("utf-16",) if bom in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030"):
        dec, nul = codecs.getincrementaldecoder(enc)(), False
        try:
            while block := fh.read(_BLOCK):
                nul = "\x00" in dec.decode(block) or nul
            nul = "\x00" in dec.decode(b"", final=True) or nul
            return enc, nul
        except UnicodeDecodeError:
            continue
        finally:
            fh.seek(0)
    raise FileFormatError(f"{name}: undecodable", user_message=f"{name}: 无法识别文件编码 (请使用 UTF-8 或 GBK 编码的 CSV)"
                          " / unknown text encoding (use UTF-8 or GBK)")


def _csv_errors(rows: Iterator[tuple[int, list]], name: str) -> Iterator[tuple[int, list]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: CSV 格式错误 ({exc}) / CSV error") from exc


def _stream_csv(fh: BinaryIO, name: str, *, known: Iterable[str], limits: ImportLimits) -> TableStream:
    enc, nul = _csv_encoding(fh, name)
    text = io.TextIOWrapper(fh, encoding=enc, newline="")
    sample = text.read(65536)
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if nul or controls > len(sample) // 100:
        raise FileFormatError(f"{name}: binary", user_message=_BINARY.format(name=name))
    delimiter = _delimiter(sample)
    if delimiter is None:
        raise FileFormatError(f"{name}: no delimiter", user_message=f"{name}: 不是 CSV 表格：前几行没有用逗号、制表符或分号"
                              "分隔的列 / not a CSV table: no comma, tab or semicolon separates columns")
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    rows = _csv_errors(_checked(((reader.line_num, r) for r in reader), where=name, limits=limits,
                                clean=restore_formula), name)
    table = _to_stream(rows, name=name, sheet="", known=known, closer=text.close, text_only=True)
    if table is None:
        raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
    return table


def _stream_xlsx(data: bytes, name: str, *, known: Iterable[str], limits: ImportLimits) -> TableStream:
    """The sheet :func:`read_table` would pick, its body streamed; the workbook stays open until the
    stream is closed."""
    known = {header_key(k) for k in known}
    stack = contextlib.ExitStack()
    try:
        wb = stack.enter_context(open_workbook(data, name, limits=limits))
        sheets = wb.worksheets
        if known:  # the first sheet that holds the header, else the first with data
            chosen = next((ws for ws in sheets if _has_header(_xlsx_rows(ws, name=name, limits=limits), known)), None)
            sheets = [chosen] if chosen is not None else sheets
        for ws in sheets:
            table = _to_stream(_xlsx_rows(ws, name=name, limits=limits), name=name, sheet=ws.title, known=known,
                               closer=stack.close)
            if table is not None:
                return table
    except BaseException:
        stack.close()
        raise
    stack.close()
    raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空 / the workbook is empty")


def _has_text(fh: BinaryIO) -> bool:
    """Anything but whitespace in the stream (which is rewound)."""
    try:
        while block := fh.read(_BLOCK):
            if block.strip():
                return True
        return False
    finally:
        fh.seek(0)


def stream_table(source: str | Path | bytes, *, name: str | None = None, known_headers: Iterable[str] = (),
                 limits: ImportLimits | None = None) -> TableStream:
    """:func:`read_table` (one sheet) with the body read a chunk at a time (:meth:`TableStream.chunks`).

    Same format sniffing, encodings, delimiters, header finding, sheet choice, limits and errors; a
    CSV path is read from disk as it is iterated (a workbook's bytes are held, its XML streamed).
    Errors past the header (limits, a CSV syntax error) are raised while iterating.

    >>> with stream_table(b"title\\na,b,c\\n1,2,3\\n\\n4,5,6\\n7,8,9\\n", name="t.csv") as t:
    ...     t.header, t.header_row, [[n for n, _ in c] for c in t.chunks(2)]
    (['a', 'b', 'c'], 2, [[3, 5], [6]])
    """
    limits = limits or ImportLimits()
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            fh: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by the stream
        except OSError as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"无法读取文件 {path.name}: {exc.strerror}") from exc
    else:
        fh = io.BytesIO(bytes(source))
        name = name or "upload"
    try:
        if not _has_text(fh):
            raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
        head = fh.read(4096)
        fh.seek(0)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            data = fh.read()
            fh.close()
            sniff_format(data, name)  # an XLSX, else refused by name
            return _stream_xlsx(data, name, known=known_headers, limits=limits)
        sniff_format(head, name)
        return _stream_csv(fh, name, known=known_headers, limits=limits)
    except BaseException:
        fh.close()
        raise
