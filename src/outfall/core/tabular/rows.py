"""Rows as they are read, checked against the import limits (rows, columns, cell length)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from outfall.core.errors import TooLargeError
from outfall.core.limits import ImportLimits
from outfall.core.tabular.headers import blank

__all__ = ["checked_rows"]


def checked_rows(rows: Iterable[tuple[int, tuple | list]], *, where: str, limits: ImportLimits,
             clean: Callable) -> Iterator[tuple[int, list]]:
    """Non-blank rows with trailing empty cells dropped, refusing any row beyond the limits."""
    for rownum, cells in rows:
        if rownum > limits.max_rows:
            raise TooLargeError(f"{where}: more than {limits.max_rows} rows",
                                user_message=f"{where}: 超过 {limits.max_rows} 行上限 (OUTFALL_IMPORT_MAX_ROWS)，"
                                f"请拆分文件 / more than {limits.max_rows} rows; split the file")
        n = len(cells)
        while n and blank(cells[n - 1]):
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
