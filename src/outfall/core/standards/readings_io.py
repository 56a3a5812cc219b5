"""Read the long readings format (shared/DESIGN.md §3) into checked records: the whole file or an error.

Columns, Chinese or English headers: ``site_code`` (站点编码/断面编码), ``time`` (监测时间),
``parameter`` (监测指标/指标/监测项目), ``value`` (监测值) and optionally ``unit`` (单位),
``source`` (数据来源/来源: manual 手工, automatic 自动站, online 在线, lab 实验室; default manual) and
``water_type`` (水体类型: river 河流 / lake 湖库).

- ``time``: ISO 8601 (``2025-11-06 20:00``, ``2025-11-06T20:00+08:00``; ``/`` accepted for ``-``) or
  a spreadsheet date-time; a naive time is Asia/Shanghai; a time without a date is refused, and so
  is one before 1970 or more than a day after now (``outfall.core.times``).
- ``parameter``: a registry code, a Chinese or English name, an HJ 212 code or an alias.
- ``value``: a number, ``0.02L``/``<0.01`` (below detection), ``ND``/``未检出``, or ``*``/``--``/empty
  (missing, kept as such); negative values only for water temperature; a value outside the
  parameter's plausible range (``parameters.plausible_range``: pH 0–14, DO 0–25 mg/L …) is refused.
- ``unit``: converted to the parameter's registry unit (µg/L → mg/L …); an empty unit means the
  registry unit; a unit of another dimension is refused.
- The same site, time, parameter and source twice with two different values is refused; the same
  value twice is read once.

Every problem of every row is collected as a RowError(file, sheet, row, column, message) before
RowErrors is raised, so a user fixes the file in one pass (STYLE rule 7).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from outfall.core.columns import Column, match_header
from outfall.core.errors import CappedErrors, RowError, RowErrors, ValueParseError
from outfall.core.limits import ImportLimits
from outfall.core.standards.parameters import (
    canonical_unit,
    check_plausible,
    convert,
    lookup_parameter,
    registry,
)
from outfall.core.standards.values import ParsedValue, parse_value
from outfall.core.tabular import TableStream, normalise_header, stream_table
from outfall.core.times import check_time_bounds

__all__ = ["ReadingRecord", "ReadingChunk", "ReadingStream", "READING_COLUMNS", "SOURCES",
           "CHUNK_ROWS", "MAX_ERRORS", "read_readings", "stream_readings", "read_reading_dicts",
           "stream_reading_dicts", "parse_time", "parse_source", "parse_water_type"]

#: Rows checked (and written) at a time by the streaming import.
CHUNK_ROWS = 50_000
#: Row errors kept in memory per import; the rest are counted.
MAX_ERRORS = 1_000


TZ = ZoneInfo("Asia/Shanghai")
SOURCES = {"manual": "manual", "手工": "manual", "手工监测": "manual", "automatic": "automatic",
           "自动": "automatic", "自动站": "automatic", "自动监测": "automatic", "online": "online",
           "在线": "online", "在线监测": "online", "lab": "lab", "实验室": "lab"}

READING_COLUMNS = [
    Column("site_code", "站点编码", "site_code", required=True,
           aliases=("断面编码", "排污口编码", "点位编码", "编码", "site", "code")),
    Column("time", "监测时间", "time", required=True, aliases=("时间", "采样时间", "datetime", "date")),
    Column("parameter", "监测指标", "parameter", required=True, aliases=("指标", "监测项目", "项目", "因子")),
    Column("value", "监测值", "value", required=True, aliases=("数值", "浓度", "结果")),
    Column("unit", "单位", "unit"),
    Column("source", "数据来源", "source", aliases=("来源",)),
    Column("water_type", "水体类型", "water_type"),
]


@dataclass(frozen=True)
class ReadingRecord:
    """One checked reading; ``row`` is its 1-based row in the sheet (the header is row 1)."""

    row: int
    site_code: str
    time: dt.datetime  # aware
    parameter: str  # registry code
    value: ParsedValue  # in the registry unit
    unit: str  # the registry unit
    source: str
    water_type: str | None


def _key(pv: ParsedValue) -> tuple:
    return (pv.value, pv.qualifier, pv.detection_limit)


def parse_water_type(cell) -> str | None:
    """``river``/河流/河 → "river"; ``lake``/湖库/湖泊/水库/reservoir → "lake"; empty → None.

    >>> parse_water_type("湖库"), parse_water_type("River"), parse_water_type("")
    ('lake', 'river', None)
    """
    text = str(cell or "").strip().lower()
    wt = _WATER.get(text, _MISS)
    if wt is _MISS:
        raise ValueError(f"「{str(cell).strip()}」应为 river/河流 或 lake/湖库")
    return wt


def parse_time(cell) -> dt.datetime:
    """ISO 8601 text or a spreadsheet datetime → aware datetime (naive = Asia/Shanghai).

    >>> parse_time("2025-11-06 20:00").isoformat(), parse_time("2025-11-06T12:00:00Z").isoformat()
    ('2025-11-06T20:00:00+08:00', '2025-11-06T12:00:00+00:00')
    """
    if isinstance(cell, dt.datetime):
        t = cell
    elif isinstance(cell, dt.date):
        t = dt.datetime(cell.year, cell.month, cell.day)
    else:
        text = str(cell or "").strip().replace("/", "-")
        if not text:
            raise ValueError("时间为空")
        if len(text) < 10 or text[4] != "-":
            raise ValueError(f"「{text}」不是带日期的时间 (应为 ISO 8601，如 2025-11-06 20:00)")
        try:
            t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"「{text}」不是 ISO 8601 时间 (如 2025-11-06 20:00)") from None
    return check_time_bounds(t if t.tzinfo else t.replace(tzinfo=TZ))


def parse_source(cell) -> str:
    """Data source of a reading: manual (手工, the default when empty), automatic (自动站), online (在线), lab.

    >>> parse_source(""), parse_source("自动站"), parse_source("Online")
    ('manual', 'automatic', 'online')
    """
    text = str(cell or "").strip()
    if not text:
        return "manual"
    src = SOURCES.get(text.lower()) or SOURCES.get(text)
    if src is None:
        raise ValueError(f"未知数据来源「{text}」；可用: manual/手工, automatic/自动站, online/在线, lab/实验室")
    return src


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


@dataclass
class ReadingChunk:
    """Checked readings of one chunk, as columns of equal length (one entry per reading).

    ``rows`` sheet row numbers; ``sites`` site codes; ``times`` aware datetimes; ``params`` registry
    codes; ``values`` ParsedValue in the registry unit; ``units`` the registry units; ``sources``;
    ``waters`` water type or None.
    """

    rows: list[int]
    sites: list[str]
    times: list[dt.datetime]
    params: list[str]
    values: list[ParsedValue]
    units: list[str]
    sources: list[str]
    waters: list[str | None]

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def of(cls, records: list[ReadingRecord]) -> ReadingChunk:
        """The chunk of checked records (e.g. read from another format)."""
        return cls([r.row for r in records], [r.site_code for r in records], [r.time for r in records],
                   [r.parameter for r in records], [r.value for r in records], [r.unit for r in records],
                   [r.source for r in records], [r.water_type for r in records])

    def subset(self, index: list[int]) -> ReadingChunk:
        """The readings at the given positions, in that order."""
        return ReadingChunk(*[[col[k] for k in index] for col in (self.rows, self.sites, self.times, self.params,
                                                                  self.values, self.units, self.sources,
                                                                  self.waters)])

    def records(self) -> Iterator[ReadingRecord]:
        for t in zip(self.rows, self.sites, self.times, self.params, self.values, self.units, self.sources,
                     self.waters, strict=True):
            yield ReadingRecord(*t)


class ReadingStream:
    """Chunks of checked readings from one table; row problems go to ``errors`` (all chunks).

    Iterating yields a :class:`ReadingChunk` per chunk holding its rows without problems; a caller
    that must land the file whole stops writing once ``errors`` is non-empty but keeps iterating
    so that every problem of the file is reported. Distinct cells (times, values, sites, …) are
    parsed once; the cache of each kind is cleared when it outgrows a chunk, so memory stays
    bounded by the chunk size, not the file's.
    """

    def __init__(self, table: TableStream, *, chunk_rows: int = CHUNK_ROWS, max_errors: int = MAX_ERRORS):
        mapping, header_problems = match_header(table.header, READING_COLUMNS)
        if header_problems:
            raise RowErrors([RowError(table.file, table.sheet, table.header_row, c, m) for c, m in header_problems])
        self.file, self.sheet = table.file, table.sheet
        self.errors = CappedErrors(table.file, limit=max_errors)
        self._table, self._chunk_rows = table, chunk_rows
        self._idx = {col.field: i for i, col in mapping.items()}
        self._caches: dict[str, dict] = {}

    def __iter__(self) -> Iterator[ReadingChunk]:
        try:
            for rows in self._table.chunks(self._chunk_rows):
                chunk, errors = self._parse(rows)
                self.errors.extend(errors)
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._table.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _map(self, kind: str, values: list, make) -> tuple[list, dict]:
        """Parse each distinct value once (cache shared by chunks, cleared when it grows past its
        limit): (results in row order, {value: exception} for the bad ones)."""
        cache = self._caches.setdefault(kind, {})
        if len(cache) > self._chunk_rows:
            cache.clear()
        bad: dict = {}
        got: dict = {}
        self._last = got  # distinct value → result, of the last column mapped
        for v in set(values):
            hit = cache.get(v, _MISS)
            if hit is _MISS:
                try:
                    hit = cache[v] = (make(v), None)
                except (ValueError, ValueParseError) as exc:
                    hit = cache[v] = (None, exc)
            got[v] = hit[0]
            if hit[1] is not None:
                bad[v] = hit[1]
        return list(map(got.__getitem__, values)), bad

    def _parse(self, table_rows: list[tuple[int, list]]) -> tuple[ReadingChunk, list[RowError]]:
        """Check the rows of one chunk column-wise; each distinct cell is parsed once, and rows are
        only revisited where a column had a bad value or a key repeats."""
        idx, text_only = self._idx, self._table.text_only
        rows = [c for _n, c in table_rows]
        nums = [n for n, _c in table_rows]

        def column(field):
            """The cells of one column, hashable (a missing column or a short row reads None)."""
            i = idx.get(field)
            if i is None:
                return [None] * len(rows)
            try:
                cells = list(map(itemgetter(i), rows))
            except IndexError:
                cells = [r[i] if i < len(r) else None for r in rows]
            if text_only:
                return cells
            return [v if type(v) is str or v is None else _hashable(v) for v in cells]

        site_cells, time_cells, param_texts = column("site_code"), column("time"), column("parameter")
        source_cells, water_cells = column("source"), column("water_type")
        sites, bad_site = self._map("site", site_cells, _site_text)
        times, bad_time = self._map("time", time_cells, parse_time)
        canon: dict = {}  # each distinct time (not cell: "2025-11-06 20:00" = "2025/11/06 20:00") → an int
        time_id = {cell: canon.setdefault(t, len(canon)) for cell, t in self._last.items()}
        params, bad_param = self._map("param", param_texts, lambda v: lookup_parameter(str(v or "").strip()))
        codes = [p.code if p is not None else None for p in params]
        value_keys = list(zip(column("value"), map("WT".__eq__, codes), strict=True))
        values, bad_value = self._map("value", value_keys, lambda k: parse_value(k[0], allow_negative=k[1]))
        unit_keys = list(zip(column("unit"), codes, strict=True))
        factors, bad_unit = self._map("unit", unit_keys, _unit_factor_of)
        sources, bad_source = self._map("source", source_cells, parse_source)
        waters, bad_water = self._map("water", water_cells, _water)

        problems: dict[int, list[tuple[str, str]]] = {}

        def flag(col_values, bad, header, message):
            if bad:
                for k, v in enumerate(col_values):
                    if v in bad:
                        problems.setdefault(k, []).append((header, message(bad[v])))

        user = lambda e: getattr(e, "user_message", None) or str(e)  # noqa: E731
        flag(site_cells, bad_site, "站点编码", user)
        flag(time_cells, bad_time, "监测时间", user)
        flag(param_texts, bad_param, "监测指标", user)
        flag(value_keys, bad_value, "监测值", user)
        flag(unit_keys, bad_unit, "单位", lambda e: user(e) + " (单位与指标不符)")
        flag(source_cells, bad_source, "数据来源", user)
        flag(water_cells, bad_water, "水体类型", user)

        def _converted(k: int) -> ParsedValue:
            """Row k's value in the registry unit, converted in decimal (a tie stays a tie)."""
            pv = values[k]
            if factors[k] == 1.0:
                return pv
            unit, to = _unit_pair(unit_keys[k])
            return ParsedValue(None if pv.value is None else convert(pv.value, unit, to), pv.qualifier,
                               None if pv.detection_limit is None else convert(pv.detection_limit, unit, to), pv.raw)

        # A value outside its parameter's plausible range (pH 15, DO 40 mg/L), checked in the registry
        # unit once per distinct (value, unit, parameter) of the chunk.
        checked: dict = {}
        for k, memo in enumerate(zip(value_keys, unit_keys, strict=True)):
            if params[k] is None or k in problems:
                continue
            if memo not in checked:
                pv = _converted(k)
                try:
                    check_plausible(params[k], pv.value, detection_limit=pv.detection_limit)
                    checked[memo] = None
                except ValueParseError as exc:
                    checked[memo] = exc.user_message
            if checked[memo]:
                problems.setdefault(k, []).append(("监测值", checked[memo]))

        keys = list(zip(sites, map(time_id.__getitem__, time_cells), codes, sources, strict=True))
        seen: dict[tuple, int] = {}
        drop = set(problems)
        if len(set(keys)) != len(keys):
            for k, key in enumerate(keys):
                if k in problems:
                    continue
                first = seen.setdefault(key, k)
                if first != k:
                    drop.add(k)
                    if _key(_converted(first)) != _key(_converted(k)):
                        problems.setdefault(k, []).append(
                            ("监测值", f"与第 {nums[first]} 行是同一站点、时间、指标和来源，但数值不同"))
        errors = [RowError(self.file, self.sheet, nums[k], c, m) for k in sorted(problems) for c, m in problems[k]]
        converted = (values if all(f == 1.0 for f in factors if f is not None)
                     else [_converted(k) if k not in problems else None for k in range(len(rows))])
        keep = [k for k in range(len(rows)) if k not in drop] if drop else range(len(rows))
        if drop:
            pick = lambda col: [col[k] for k in keep]  # noqa: E731
        else:
            pick = list  # noqa: E731
        units = [p.unit if p is not None else None for p in params]
        return ReadingChunk(pick(nums), pick(sites), pick(times), pick(codes), pick(converted), pick(units),
                            pick(sources), pick(waters)), errors


_MISS = object()
_WATER = {"": None, "river": "river", "河流": "river", "河": "river", "lake": "lake", "湖库": "lake",
          "湖泊": "lake", "水库": "lake", "湖": "lake", "reservoir": "lake", "lake/reservoir": "lake"}


def _unit_factor(key: tuple[str, str]) -> float:
    unit_text, registry_unit = key
    if not unit_text or canonical_unit(unit_text) == canonical_unit(registry_unit):
        return 1.0
    return convert(1.0, unit_text, registry_unit)


def _unit_pair(key: tuple) -> tuple[str, str | None]:
    """(unit cell, parameter code) → (unit text, the parameter's registry unit or None)."""
    cell, code = key
    return str(cell or "").strip(), (registry()[code].unit if code is not None else None)


def _unit_factor_of(key: tuple) -> float | None:
    pair = _unit_pair(key)
    return None if pair[1] is None else _unit_factor(pair)


def _hashable(v):
    return v if isinstance(v, (str, int, float, dt.datetime, dt.date)) or v is None else str(v)


def _site_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip() if v is not None else ""
    if not text:
        raise ValueError("不能为空")
    return text


_water = parse_water_type
