"""XLSX workbooks, whole or streamed: the sheet holding the header (a cover sheet skipped), limits
checked before reading (``outfall.core.workbook``) and while rows are read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from outfall.core.errors import FileFormatError
from outfall.core.limits import ImportLimits
from outfall.core.tabular.headers import has_header, header_key
from outfall.core.tabular.rows import checked_rows
from outfall.core.tabular.tables import Table, TableStream, to_stream, to_table
from outfall.core.workbook import open_workbook, sheet_rows

__all__ = ["read_xlsx", "stream_xlsx"]


def xlsx_rows(ws, *, name: str, limits: ImportLimits) -> Iterator[tuple[int, list]]:
    """The rows of a worksheet, text stripped, limits checked as they are read."""
    where = f"{name} [{ws.title}]"
    return checked_rows(sheet_rows(ws, where=where, limits=limits), where=where, limits=limits, clean=str.strip)


def read_xlsx(data: bytes, name: str, *, all_sheets: bool, known: Iterable[str], limits: ImportLimits) -> list[Table]:
    """The sheet holding the header (every non-empty sheet with ``all_sheets``) as tables (see ``read_table``)."""
    known = {header_key(k) for k in known}

    def rows_of(ws):
        return xlsx_rows(ws, name=name, limits=limits)

    tables = []
    with open_workbook(data, name, limits=limits) as wb:
        sheets = wb.worksheets
        if known and not all_sheets:  # the first sheet that holds the header, else the first with data
            chosen = next((ws for ws in sheets if has_header(rows_of(ws), known)), None)
            sheets = [chosen] if chosen is not None else sheets
        for ws in sheets:
            table = to_table(rows_of(ws), name=name, sheet=ws.title, known=known)
            if table is not None:
                tables.append(table)
                if not all_sheets:
                    break
    if not tables:
        raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空 / the workbook is empty")
    return tables


def stream_xlsx(data: bytes, name: str, *, known: Iterable[str], limits: ImportLimits) -> TableStream:
    """The sheet :func:`read_table` would pick, its body streamed; the workbook stays open until the
    stream is closed."""
    known = {header_key(k) for k in known}
    stack = contextlib.ExitStack()
    try:
        wb = stack.enter_context(open_workbook(data, name, limits=limits))
        sheets = wb.worksheets
        if known:  # the first sheet that holds the header, else the first with data
            chosen = next((ws for ws in sheets if has_header(xlsx_rows(ws, name=name, limits=limits), known)), None)
            sheets = [chosen] if chosen is not None else sheets
        for ws in sheets:
            table = to_stream(xlsx_rows(ws, name=name, limits=limits), name=name, sheet=ws.title, known=known,
                               closer=stack.close)
            if table is not None:
                return table
    except BaseException:
        stack.close()
        raise
    stack.close()
    raise FileFormatError(f"{name}: empty workbook", user_message=f"{name}: 工作簿为空 / the workbook is empty")
