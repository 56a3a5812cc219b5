"""Read the long readings format (shared/DESIGN.md §3) into checked records: the whole file or an error.

Columns, Chinese or English headers: ``site_code`` (站点编码/断面编码), ``time`` (监测时间),
``parameter`` (监测指标/指标/监测项目), ``value`` (监测值) and optionally ``unit`` (单位),
``source`` (数据来源/来源: manual 手工, automatic 自动站, online 在线, lab 实验室; default manual),
``water_type`` (水体类型: river 河流 / lake 湖库) and ``basis`` (依据: ``sample`` 样品, the default, or a
reported statistic ``daily_avg`` 日均值, ``daily_max`` 日最大值, ``monthly_avg`` 月均值, ``monthly_max``
月最大值, ``monthly_min`` 月最小值 — e.g. a monthly average from a self-monitoring report, compared
only with a limit of the same basis).

- ``time``: ISO 8601 (``2025-11-06 20:00``, ``2025-11-06T20:00+08:00``; ``/`` accepted for ``-``) or
  a spreadsheet date-time; a naive time is Asia/Shanghai; a time without a date is refused, and so
  is one before 1970 or more than a day after now (``outfall.core.times``).
- ``parameter``: a registry code, a Chinese or English name, an HJ 212 code or an alias.
- ``value``: a number, ``0.02L``/``<0.01`` (below detection), ``ND``/``未检出``, or ``*``/``--``/empty
  (missing, kept as such); negative values only for water temperature; a value outside the
  parameter's plausible range (``parameters.plausible_range``: pH 0–14, DO 0–25 mg/L …) is refused.
- ``unit``: converted to the parameter's registry unit (µg/L → mg/L …); an empty unit means the
  registry unit; a unit of another dimension is refused.
- The same site, time, parameter, source and basis twice with two different values is refused; the
  same value twice is read once. The basis is part of a reading's key (the database's unique key
  too, ``outfall.monitoring.models``): a monthly average reported for a time at which a sample of the
  same source also exists is another reading, not a correction of the sample, and re-importing the
  same file finds every row under its own key again (idempotent).

The reader is split by concern: the cells (columns, parsers, :class:`ReadingRecord`) in
:mod:`~outfall.core.standards.readings_cells`, the chunked checker in
:mod:`~outfall.core.standards.readings_stream`; this module opens files and re-exports both.

Every problem of every row is collected as a RowError(file, sheet, row, column, message) before
RowErrors is raised, so a user fixes the file in one pass (STYLE rule 7).
"""

from __future__ import annotations

import sys
from pathlib import Path

from outfall.core.errors import RowError, RowErrors
from outfall.core.limits import ImportLimits
from outfall.core.standards.readings_cells import (
    BASES,
    CHUNK_ROWS,
    MAX_ERRORS,
    READING_COLUMNS,
    SOURCES,
    TZ,
    ReadingRecord,
    parse_basis,
    parse_source,
    parse_time,
    parse_water_type,
)
from outfall.core.standards.readings_stream import ReadingChunk, ReadingStream
from outfall.core.tabular import TableStream, normalise_header, stream_table

__all__ = ["ReadingRecord", "ReadingChunk", "ReadingStream", "READING_COLUMNS", "SOURCES", "BASES", "TZ",
           "CHUNK_ROWS", "MAX_ERRORS", "read_readings", "stream_readings", "read_reading_dicts",
           "stream_reading_dicts", "parse_time", "parse_source", "parse_water_type", "parse_basis"]


def read_readings(source: str | Path | bytes, *, name: str | None = None,
                  limits: ImportLimits | None = None) -> list[ReadingRecord]:
    """Read a long readings file (CSV or XLSX; a path or its bytes) into records, in file order.

    The whole file is checked as one piece (a key repeated anywhere with another value is refused);
    an importer that must not hold the file in memory uses :func:`stream_readings`.

    Parameters
    ----------
    source : str, Path or bytes
        The file.
    name : str, keyword-only, optional
        File name for error messages (default the path's name, or "upload").

    Returns
    -------
    list of ReadingRecord
        Values in the registry unit of their parameter, times aware.

    Raises
    ------
    FileFormatError
        Not a readable CSV/XLSX file.
    RowErrors
        Every problem of every row.
    """
    with stream_readings(source, name=name, chunk_rows=sys.maxsize, limits=limits) as stream:
        records = [r for chunk in stream for r in chunk.records()]
    stream.errors.raise_if_any()
    return records


def stream_readings(source: str | Path | bytes, *, name: str | None = None, chunk_rows: int | None = None,
                    max_errors: int | None = None, limits: ImportLimits | None = None) -> ReadingStream:
    """Open a long readings file for checking ``chunk_rows`` rows at a time (memory: one chunk;
    default :data:`CHUNK_ROWS`), keeping at most ``max_errors`` errors (default :data:`MAX_ERRORS`).
    The header may sit under title rows, on any sheet (``outfall.core.tabular.stream_table``);
    ``limits`` (rows, columns, cell size, ZIP expansion) default to ``ImportLimits()``.

    Header problems raise :class:`RowErrors` at once; row problems are collected in
    ``stream.errors`` while iterating (see :class:`ReadingStream`).
    """
    table = stream_table(source, name=name, known_headers={k for c in READING_COLUMNS for k in c.keys()},
                         limits=limits)
    try:
        return ReadingStream(table, chunk_rows=chunk_rows or CHUNK_ROWS, max_errors=max_errors or MAX_ERRORS)
    except BaseException:
        table.close()
        raise


def read_reading_dicts(items: list[dict], *, name: str = "api") -> list[ReadingRecord]:
    """Parse readings given as JSON objects (an automatic station's push); rows are numbered from 1."""
    stream = stream_reading_dicts(items, name=name)
    records = [r for chunk in stream for r in chunk.records()]
    stream.errors.raise_if_any()
    return records


def stream_reading_dicts(items: list[dict], *, name: str = "api", max_errors: int | None = None) -> ReadingStream:
    """Readings given as JSON objects, as one chunk (a push is checked and written as one piece)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RowErrors([RowError(name, "", 0, "", "readings 应为对象数组")])
    names = [c.en for c in READING_COLUMNS]
    header = sorted({k for i in items for k in i}, key=lambda k: names.index(k) if k in names else 99)
    rows = [(n, [i.get(h) for h in header]) for n, i in enumerate(items, start=1)]
    table = TableStream(name, "", [normalise_header(h) for h in header], iter(rows))
    return ReadingStream(table, chunk_rows=max(len(rows), 1), max_errors=max_errors or MAX_ERRORS)

