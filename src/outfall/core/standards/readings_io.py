"""Read the long readings format (shared/DESIGN.md §3) into checked records; whole file or error.

Columns (Chinese or English headers): ``site_code, time, parameter, value[, unit][, source]
[, water_type]``. ``time`` is ISO 8601 (a naive time is Asia/Shanghai); ``parameter`` is a registry
code, a Chinese name or an HJ 212 code; ``value`` may be ``0.02L``, ``<0.01``, ``ND``/``未检出``
(below detection) or ``*``/``--``/empty (missing). Values are converted to the parameter's
registry unit. Every problem is collected as a RowError before anything is returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from outfall.core.columns import Column, match_header
from outfall.core.errors import RowError, RowErrors, ValueParseError
from outfall.core.standards.parameters import canonical_unit, convert, lookup_parameter
from outfall.core.standards.values import ParsedValue, parse_value
from outfall.core.tabular import Table, normalise_header, read_table

__all__ = ["ReadingRecord", "READING_COLUMNS", "SOURCES", "read_readings", "read_reading_dicts", "parse_reading_table",
           "parse_time", "parse_source"]

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
    row: int
    site_code: str
    time: dt.datetime  # aware
    parameter: str  # registry code
    value: ParsedValue  # in the registry unit
    unit: str  # the registry unit
    source: str
    water_type: str | None


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
    return t if t.tzinfo else t.replace(tzinfo=TZ)


def parse_source(cell) -> str:
    text = str(cell or "").strip()
    if not text:
        return "manual"
    src = SOURCES.get(text.lower()) or SOURCES.get(text)
    if src is None:
        raise ValueError(f"未知数据来源「{text}」；可用: manual/手工, automatic/自动站, online/在线, lab/实验室")
    return src


def read_readings(source, *, name: str | None = None) -> list[ReadingRecord]:
    """Parse a long readings file (path or bytes); raise RowErrors listing every problem."""
    return parse_reading_table(read_table(source, name=name)[0])


def read_reading_dicts(items: list[dict], *, name: str = "api") -> list[ReadingRecord]:
    """Parse readings given as JSON objects (an automatic station's push); rows are numbered from 1."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RowErrors([RowError(name, "", 0, "", "readings 应为对象数组")])
    header = sorted({k for i in items for k in i}, key=lambda k: [c.en for c in READING_COLUMNS].index(k)
                    if k in [c.en for c in READING_COLUMNS] else 99)
    return parse_reading_table(Table(name, "", [normalise_header(h) for h in header],
                                     [(n, [i.get(h) for h in header]) for n, i in enumerate(items, start=1)]))


def _memo(cache: dict, key, make):
    """cache[key], made once by make(key); a ValueError/ValueParseError is cached and re-raised."""
    hit = cache.get(key, _MISS)
    if hit is _MISS:
        try:
            hit = make(key)
        except (ValueError, ValueParseError) as exc:
            hit = exc
        cache[key] = hit
    if isinstance(hit, Exception):
        raise hit
    return hit


_MISS = object()
_WATER = {"": None, "river": "river", "河流": "river", "河": "river", "lake": "lake", "湖库": "lake",
          "湖泊": "lake", "水库": "lake", "湖": "lake", "reservoir": "lake"}


def _unit_factor(key: tuple[str, str]) -> float:
    unit_text, registry_unit = key
    if not unit_text or canonical_unit(unit_text) == canonical_unit(registry_unit):
        return 1.0
    return convert(1.0, unit_text, registry_unit)


def parse_reading_table(table: Table) -> list[ReadingRecord]:
    """Check every row of a readings table; raise RowErrors listing every problem.

    Cells repeat (sites, times, parameters, units, often values), so each distinct cell is parsed
    once and its result (or its error) reused.
    """
    mapping, header_problems = match_header(table.header, READING_COLUMNS)
    if header_problems:
        raise RowErrors([RowError(table.file, table.sheet, 1, c, m) for c, m in header_problems])
    idx = {col.field: i for i, col in mapping.items()}
    width = max(idx.values()) + 1
    fields = ("site_code", "time", "parameter", "value", "unit", "source", "water_type")
    pos = [idx.get(f, width) for f in fields]  # a missing column reads the padding cell (None)
    errors: list[RowError] = []
    out: list[ReadingRecord] = []
    seen: dict[tuple, tuple[int, ParsedValue]] = {}
    times: dict = {}
    params: dict = {}
    values: dict = {}
    units: dict = {}
    sources: dict = {}
    pad = [None] * (width + 1)
    for rownum, cells in table.rows:
        if len(cells) <= width:
            cells = list(cells) + pad[: width + 1 - len(cells)]
        raw_site, raw_time, raw_param, raw_value, raw_unit, raw_source, raw_water = (cells[i] for i in pos)
        problems = []
        if isinstance(raw_site, float) and raw_site.is_integer():
            raw_site = int(raw_site)
        site = str(raw_site).strip() if raw_site is not None else ""
        if not site:
            problems.append(("站点编码", "不能为空"))
        try:
            t = _memo(times, raw_time, parse_time) if isinstance(raw_time, (str, dt.datetime)) else parse_time(raw_time)
        except ValueError as exc:
            problems.append(("监测时间", str(exc)))
            t = None
        try:
            param = _memo(params, str(raw_param or "").strip(), lookup_parameter)
        except ValueParseError as exc:
            problems.append(("监测指标", exc.user_message))
            param = None
        pv = None
        allow_negative = param is not None and param.code == "WT"
        try:
            pv = _memo(values, (raw_value, allow_negative), lambda k: parse_value(k[0], allow_negative=k[1])) \
                if isinstance(raw_value, (str, int, float)) else parse_value(raw_value, allow_negative=allow_negative)
        except ValueParseError as exc:
            problems.append(("监测值", exc.user_message))
        if param is not None and pv is not None:
            unit_text = str(raw_unit or "").strip()
            try:
                f = _memo(units, (unit_text, param.unit), _unit_factor)
            except ValueParseError as exc:
                problems.append(("单位", exc.user_message + f" (指标 {param.name_zh} 的单位为 {param.unit})"))
            else:
                if f != 1.0:
                    pv = ParsedValue(None if pv.value is None else pv.value * f, pv.qualifier,
                                     None if pv.detection_limit is None else pv.detection_limit * f, pv.raw)
        try:
            src = _memo(sources, raw_source, parse_source)
        except ValueError as exc:
            problems.append(("数据来源", str(exc)))
            src = "manual"
        wt_text = str(raw_water or "").strip().lower()
        wt = _WATER.get(wt_text, _MISS)
        if wt is _MISS:
            problems.append(("水体类型", f"「{wt_text}」应为 river/河流 或 lake/湖库"))
            wt = None
        if not problems:
            key = (site, t, param.code, src)
            prev = seen.get(key)
            if prev is None:
                seen[key] = (rownum, pv)
                out.append(ReadingRecord(rownum, site, t, param.code, pv, param.unit, src, wt))
            elif prev[1] != pv:
                problems.append(("监测值", f"与第 {prev[0]} 行是同一站点、时间、指标和来源，但数值不同"))
        if problems:
            errors.extend(RowError(table.file, table.sheet, rownum, c, m) for c, m in problems)
    if errors:
        raise RowErrors(errors)
    return out
