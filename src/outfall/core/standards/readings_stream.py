"""The streaming checker of the long readings format: a table read a chunk of rows at a time, each
chunk checked column-wise into a :class:`ReadingChunk`, every row problem collected (file, sheet,
row, column, message). The rules of each cell are in :mod:`outfall.core.standards.readings_cells`;
the file-level readers that open a stream are in :mod:`outfall.core.standards.readings_io`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from operator import itemgetter

from outfall.core.columns import match_header
from outfall.core.errors import CappedErrors, RowError, RowErrors, ValueParseError
from outfall.core.standards.parameters import (
    canonical_unit,
    check_plausible,
    convert,
    lookup_parameter,
    registry,
)
from outfall.core.standards.readings_cells import (
    _MISS,
    CHUNK_ROWS,
    MAX_ERRORS,
    READING_COLUMNS,
    ParsedValue,
    ReadingRecord,
    _key,
    _water,
    parse_basis,
    parse_source,
    parse_time,
)
from outfall.core.standards.values import parse_value
from outfall.core.tabular import TableStream

__all__ = ["ReadingChunk", "ReadingStream"]


@dataclass
class ReadingChunk:
    """Checked readings of one chunk, as columns of equal length (one entry per reading).

    ``rows`` sheet row numbers; ``sites`` site codes; ``times`` aware datetimes; ``params`` registry
    codes; ``values`` ParsedValue in the registry unit; ``units`` the registry units; ``sources``;
    ``waters`` water type or None; ``bases`` what each value is (``sample`` or a statistic; all
    ``sample`` when not given).
    """

    rows: list[int]
    sites: list[str]
    times: list[dt.datetime]
    params: list[str]
    values: list[ParsedValue]
    units: list[str]
    sources: list[str]
    waters: list[str | None]
    bases: list[str] = dataclass_field(default_factory=list)

    def __post_init__(self):
        if not self.bases and self.rows:
            self.bases = ["sample"] * len(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def of(cls, records: list[ReadingRecord]) -> ReadingChunk:
        """The chunk of checked records (e.g. read from another format)."""
        return cls([r.row for r in records], [r.site_code for r in records], [r.time for r in records],
                   [r.parameter for r in records], [r.value for r in records], [r.unit for r in records],
                   [r.source for r in records], [r.water_type for r in records], [r.basis for r in records])

    def subset(self, index: list[int]) -> ReadingChunk:
        """The readings at the given positions, in that order."""
        return ReadingChunk(*[[col[k] for k in index] for col in (self.rows, self.sites, self.times, self.params,
                                                                  self.values, self.units, self.sources,
                                                                  self.waters, self.bases)])

    def records(self) -> Iterator[ReadingRecord]:
        for t in zip(self.rows, self.sites, self.times, self.params, self.values, self.units, self.sources,
                     self.waters, self.bases, strict=True):
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
        basis_cells = column("basis")
        bases, bad_basis = self._map("basis", basis_cells, parse_basis)

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
        flag(basis_cells, bad_basis, "依据", user)

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

        keys = list(zip(sites, map(time_id.__getitem__, time_cells), codes, sources, bases, strict=True))
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
                            ("监测值", f"与第 {nums[first]} 行是同一站点、时间、指标、来源和依据，但数值不同"))
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
                            pick(sources), pick(waters), pick(bases)), errors


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

