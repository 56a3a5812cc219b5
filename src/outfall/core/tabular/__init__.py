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

The package, one job a module: ``headers`` (finding and normalising the header), ``rows`` (limits
checked as rows are read), ``tables`` (:class:`Table`, :class:`TableStream`), ``csv_`` (CSV text:
encoding, delimiter, whole or streamed), ``xlsx`` (workbooks: sheet choice, whole or streamed); this
module picks the reader by content. Import from ``outfall.core.tabular``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from outfall.core.errors import FileFormatError
from outfall.core.filetypes import sniff_format
from outfall.core.limits import ImportLimits
from outfall.core.tabular.csv_ import has_text, read_csv, stream_csv
from outfall.core.tabular.headers import (
    HEADER_SCAN_ROWS,
    MIN_HEADER_MATCHES,
    find_header,
    header_key,
    normalise_header,
)
from outfall.core.tabular.tables import Table, TableStream
from outfall.core.tabular.xlsx import read_xlsx, stream_xlsx

__all__ = ["Table", "TableStream", "read_table", "stream_table", "normalise_header", "header_key", "find_header",
           "HEADER_SCAN_ROWS", "MIN_HEADER_MATCHES"]


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
        return read_xlsx(data, name, all_sheets=all_sheets, known=known_headers, limits=limits)
    return read_csv(data, name, known=known_headers, limits=limits)


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
        if not has_text(fh):
            raise FileFormatError(f"{name}: empty", user_message=f"{name}: 文件为空 / the file is empty")
        head = fh.read(4096)
        fh.seek(0)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            data = fh.read()
            fh.close()
            sniff_format(data, name)  # an XLSX, else refused by name
            return stream_xlsx(data, name, known=known_headers, limits=limits)
        sniff_format(head, name)
        return stream_csv(fh, name, known=known_headers, limits=limits)
    except BaseException:
        fh.close()
        raise
