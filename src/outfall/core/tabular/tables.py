"""A table read from a file: :class:`Table` (the body in a list) and :class:`TableStream` (the body
read a chunk at a time), made from a stream of rows once its header is found."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from outfall.core.tabular.headers import HEADER_SCAN_ROWS, find_header, normalise_header

__all__ = ["Table", "TableStream", "to_stream", "to_table"]


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


def to_stream(rows: Iterator[tuple[int, list]], *, name: str, sheet: str, known: Iterable[str],
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


def to_table(rows: Iterator[tuple[int, list]], *, name: str, sheet: str, known: Iterable[str]) -> Table | None:
    """Find the header in the first rows of a stream, then read the rest of it as the body."""
    t = to_stream(rows, name=name, sheet=sheet, known=known)
    return None if t is None else Table(name, sheet, t.header, list(t.rows), header_row=t.header_row)
