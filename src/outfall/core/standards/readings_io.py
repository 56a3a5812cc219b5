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
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from outfall.core.columns import Column, match_header
from outfall.core.errors import RowError, RowErrors, ValueParseError
from outfall.core.limits import ImportLimits
from outfall.core.standards.parameters import canonical_unit, check_plausible, convert, lookup_parameter
from outfall.core.standards.values import ParsedValue, parse_value
from outfall.core.tabular import Table, normalise_header, read_table
from outfall.core.times import check_time_bounds

__all__ = ["ReadingRecord", "READING_COLUMNS", "SOURCES", "read_readings", "read_reading_dicts", "parse_reading_table",
           "parse_time", "parse_source", "parse_water_type"]

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

    Parameters
    ----------
    source : str, Path or bytes
        The file.
    name : str, keyword-only, optional
        File name for error messages (default the path's name, or "upload").
    limits : ImportLimits, keyword-only, optional
        Rows, columns, cell size and ZIP expansion allowed (default ``ImportLimits()``).

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
    known = {k for c in READING_COLUMNS for k in c.keys()}
    return parse_reading_table(read_table(source, name=name, known_headers=known, limits=limits)[0])


def read_reading_dicts(items: list[dict], *, name: str = "api") -> list[ReadingRecord]:
    """Parse readings given as JSON objects (an automatic station's push); rows are numbered from 1."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RowErrors([RowError(name, "", 0, "", "readings 应为对象数组")])
    header = sorted({k for i in items for k in i}, key=lambda k: [c.en for c in READING_COLUMNS].index(k)
                    if k in [c.en for c in READING_COLUMNS] else 99)
    return parse_reading_table(Table(name, "", [normalise_header(h) for h in header],
                                     [(n, [i.get(h) for h in header]) for n, i in enumerate(items, start=1)]))


_MISS = object()
_WATER = {"": None, "river": "river", "河流": "river", "河": "river", "lake": "lake", "湖库": "lake",
          "湖泊": "lake", "水库": "lake", "湖": "lake", "reservoir": "lake", "lake/reservoir": "lake"}


def _unit_factor(key: tuple[str, str]) -> float:
    unit_text, registry_unit = key
    if not unit_text or canonical_unit(unit_text) == canonical_unit(registry_unit):
        return 1.0
    return convert(1.0, unit_text, registry_unit)


def _map_unique(values: list, make) -> tuple[list, dict]:
    """Parse each distinct value once: (results in row order, {value: exception} for the bad ones)."""
    done = {}
    bad = {}
    for v in set(values):
        try:
            done[v] = make(v)
        except (ValueError, ValueParseError) as exc:
            done[v] = None
            bad[v] = exc
    return [done[v] for v in values], bad


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


def parse_reading_table(table: Table) -> list[ReadingRecord]:
    """Check every row of a readings table; raise RowErrors listing every problem.

    Column-wise: sites, times, parameters, units and values repeat, so each distinct cell is parsed
    once, and rows are only revisited where a column had a bad value or a key repeats.
    """
    mapping, header_problems = match_header(table.header, READING_COLUMNS)
    if header_problems:
        raise RowErrors([RowError(table.file, table.sheet, table.header_row, c, m) for c, m in header_problems])
    idx = {col.field: i for i, col in mapping.items()}
    width = max(idx.values()) + 1
    rows = [cells if len(cells) > width else list(cells) + [None] * (width + 1 - len(cells))
            for _n, cells in table.rows]
    nums = [n for n, _c in table.rows]

    cols: dict[str, list] = {}

    def column(field):
        """The cells of one column, hashable, computed once (a missing column reads padding: None)."""
        if field not in cols:
            i = idx.get(field, width)
            cols[field] = [v if type(v) is str or v is None else _hashable(v) for v in [r[i] for r in rows]]
        return cols[field]

    sites, bad_site = _map_unique(column("site_code"), _site_text)
    times, bad_time = _map_unique(column("time"), parse_time)
    param_texts = [str(v or "").strip() for v in column("parameter")]
    params, bad_param = _map_unique(param_texts, lookup_parameter)
    is_wt = [p is not None and p.code == "WT" for p in params]
    raw_values = column("value")
    value_keys = list(zip(raw_values, is_wt, strict=True))
    values, bad_value = _map_unique(value_keys, lambda k: parse_value(k[0], allow_negative=k[1]))
    unit_keys = [(str(u or "").strip(), p.unit if p is not None else None) for u, p in zip(column("unit"), params,
                                                                                         strict=True)]
    factors, bad_unit = _map_unique(unit_keys, lambda k: 1.0 if k[1] is None else _unit_factor(k))
    sources, bad_source = _map_unique(column("source"), parse_source)
    waters, bad_water = _map_unique(column("water_type"), _water)

    problems: dict[int, list[tuple[str, str]]] = {}

    def flag(col_values, bad, header, message):
        if bad:
            for k, v in enumerate(col_values):
                if v in bad:
                    problems.setdefault(k, []).append((header, message(bad[v])))

    user = lambda e: getattr(e, "user_message", None) or str(e)  # noqa: E731
    flag(column("site_code"), bad_site, "站点编码", user)
    flag(column("time"), bad_time, "监测时间", user)
    flag(param_texts, bad_param, "监测指标", user)
    flag(value_keys, bad_value, "监测值", user)
    flag(unit_keys, bad_unit, "单位", lambda e: user(e) + " (单位与指标不符)")
    flag(column("source"), bad_source, "数据来源", user)
    flag(column("water_type"), bad_water, "水体类型", user)

    def _converted(k: int) -> ParsedValue:
        """Row k's value in the registry unit, converted in decimal (a tie stays a tie)."""
        pv = values[k]
        if factors[k] == 1.0:
            return pv
        unit, to = unit_keys[k]
        return ParsedValue(None if pv.value is None else convert(pv.value, unit, to), pv.qualifier,
                           None if pv.detection_limit is None else convert(pv.detection_limit, unit, to), pv.raw)

    # A value outside its parameter's plausible range (pH 15, DO 40 mg/L), checked in the registry
    # unit once per distinct (value, unit, parameter).
    checked: dict = {}
    for k in range(len(rows)):
        if k in problems or params[k] is None:
            continue
        memo = (value_keys[k], unit_keys[k], params[k].code)
        if memo not in checked:
            pv = _converted(k)
            try:
                check_plausible(params[k], pv.value, detection_limit=pv.detection_limit)
                checked[memo] = None
            except ValueParseError as exc:
                checked[memo] = exc.user_message
        if checked[memo]:
            problems.setdefault(k, []).append(("监测值", checked[memo]))

    out: list[ReadingRecord] = []
    keys = [(s_, t, p.code if p is not None else None, src) for s_, t, p, src in zip(sites, times, params, sources,
                                                                                     strict=True)]
    seen: dict[tuple, int] = {}
    if len(set(keys)) != len(keys):
        for k, key in enumerate(keys):
            if k in problems:
                continue
            first = seen.setdefault(key, k)
            if first != k and _key(_converted(first)) != _key(_converted(k)):
                problems.setdefault(k, []).append(
                    ("监测值", f"与第 {nums[first]} 行是同一站点、时间、指标和来源，但数值不同"))
    if problems:
        raise RowErrors([RowError(table.file, table.sheet, nums[k], c, m)
                         for k in sorted(problems) for c, m in problems[k]])
    dup = set()
    if seen:
        dup = {k for k, key in enumerate(keys) if seen[key] != k}
    for k in range(len(rows)):
        if k in dup:
            continue
        p = params[k]
        out.append(ReadingRecord(nums[k], sites[k], times[k], p.code, _converted(k), p.unit, sources[k], waters[k]))
    return out
