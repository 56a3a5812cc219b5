"""Open an .xlsx workbook and stream its sheets' rows with bounded memory (openpyxl read-only).

Before openpyxl parses anything (:func:`open_workbook`):

1. the ZIP's declared member sizes and ratios (:func:`outfall.core.limits.check_zip`);
2. each worksheet's declared ``<dimension>`` against the row and column limits; a worksheet that
   declares none would be parsed whole by openpyxl just to size it (keeping one element per row), so
   its ``<row>`` elements are counted first, streaming, and the sheet refused past the row limit.

While streaming (:func:`sheet_rows`) rows come as stored (never padded to a declared width), and
malformed XML or XML with entity declarations (refused by defusedxml, which openpyxl uses when it is
installed) becomes a FileFormatError, never an unhandled exception.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from outfall.core.errors import FileFormatError, OutfallError, TooLargeError
from outfall.core.limits import ImportLimits, check_zip

__all__ = ["open_workbook", "sheet_rows", "check_worksheets"]

_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([^"]+)"')
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CHUNK = 1024 * 1024


def damaged(name: str, exc: Exception) -> FileFormatError:
    """The error for a workbook that cannot be parsed (bad ZIP, malformed or refused XML)."""
    return FileFormatError(f"{name}: {type(exc).__name__}: {exc}",
                           user_message=f"{name}: 不是有效的 Excel (.xlsx) 文件或文件已损坏 ({type(exc).__name__}) / "
                           "not a valid .xlsx file, or damaged")


def _too_big(where: str, rows, cols, limits: ImportLimits) -> TooLargeError:
    return TooLargeError(
        f"{where}: declared {rows} rows x {cols} columns",
        user_message=f"{where}: 工作表声明 {rows} 行 × {cols} 列，超过上限 ({limits.max_rows} 行、{limits.max_columns} 列；"
        f"OUTFALL_IMPORT_MAX_ROWS / OUTFALL_IMPORT_MAX_COLUMNS)，未读取 / the sheet declares {rows} rows x {cols} "
        "columns, over the limits; refused unread")


def check_worksheets(archive: zipfile.ZipFile, *, name: str, limits: ImportLimits) -> None:
    """Refuse a worksheet whose declared dimension, or (without one) whose count of ``<row>``
    elements, is beyond ``limits``; reads 1 MiB at a time and stops at the limit."""
    from openpyxl.utils.cell import range_boundaries

    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as fh:
            head = fh.read(_CHUNK)
            found = _DIMENSION.search(head.split(b"sheetData", 1)[0])
            if found:
                try:
                    _c0, _r0, cols, rows = range_boundaries(found.group(1).decode("ascii", "replace"))
                except (ValueError, TypeError):  # an odd ref: openpyxl decides
                    continue
                if (rows or 0) > limits.max_rows or (cols or 0) > limits.max_columns:
                    raise _too_big(f"{name} [{info.filename}]", rows, cols, limits)
                continue
            count, carry, chunk = 0, b"", head
            while True:
                block = carry + chunk
                cut = max(0, len(block) - 16) if chunk else len(block)  # a tag across the cut: next time
                count += sum(1 for m in _ROW.finditer(block) if m.start() < cut)
                carry = block[cut:]
                if count > limits.max_rows:
                    raise TooLargeError(
                        f"{name} [{info.filename}]: more than {limits.max_rows} rows",
                        user_message=f"{name} [{info.filename}]: 超过 {limits.max_rows} 行上限 (OUTFALL_IMPORT_MAX_ROWS)"
                        f"，请拆分文件 / more than {limits.max_rows} rows; split the file")
                if not chunk:
                    break
                chunk = fh.read(_CHUNK)


def check_no_doctype(archive: zipfile.ZipFile) -> None:
    """Refuse XML parts that declare a DTD or entities (a workbook never does). openpyxl parses with
    lxml when it is installed, which ignores such declarations instead of refusing them as defusedxml
    does, so the check is made here, on the first 4 KiB of every XML part, whichever parser runs."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as fh:
                head = fh.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ValueError(f"{info.filename}: XML with a DTD or entity declarations")


@contextlib.contextmanager
def open_workbook(data: bytes, name: str, *, limits: ImportLimits):
    """The workbook (openpyxl, read-only, cached values) once the checks above have passed."""
    import openpyxl  # local: classify and CSV imports never pay for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_zip(archive, name=name, limits=limits)
        check_worksheets(archive, name=name, limits=limits)
        check_no_doctype(archive)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except OutfallError:
        raise
    except Exception as exc:  # zipfile, XML (ParseError, defusedxml's refusals), openpyxl's own KeyError/ValueError
        raise damaged(name, exc) from exc
    try:
        yield wb
    finally:
        wb.close()


def sheet_rows(ws, *, where: str, limits: ImportLimits) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of a read-only sheet as stored, after checking its declared dimension."""
    if (ws.max_row or 0) > limits.max_rows or (ws.max_column or 0) > limits.max_columns:
        raise _too_big(where, ws.max_row, ws.max_column, limits)
    ws.reset_dimensions()  # rows as stored: never padded to a declared width
    try:
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    except (ParseError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise damaged(where, exc) from exc
