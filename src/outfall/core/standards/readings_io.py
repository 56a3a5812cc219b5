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


def parse_reading_table(table: Table) -> list[ReadingRecord]:
    """Check every row of a readings table; raise RowErrors listing every problem."""
    mapping, header_problems = match_header(table.header, READING_COLUMNS)
    if header_problems:
        raise RowErrors([RowError(table.file, table.sheet, 1, c, m) for c, m in header_problems])
    idx = {col.field: i for i, col in mapping.items()}
    errors: list[RowError] = []
    out: list[ReadingRecord] = []
    seen: dict[tuple, tuple[int, ParsedValue]] = {}
    param_cache: dict[str, object] = {}
    time_cache: dict[object, dt.datetime] = {}

    def cell(cells, field):
        i = idx.get(field)
        return cells[i] if i is not None and i < len(cells) else None

    for rownum, cells in table.rows:
        problems = []
        site = str(cell(cells, "site_code") or "").strip()
        if isinstance(cell(cells, "site_code"), float) and cell(cells, "site_code").is_integer():
            site = str(int(cell(cells, "site_code")))
        if not site:
            problems.append(("站点编码", "不能为空"))
        raw_time = cell(cells, "time")
        try:
            t = time_cache.get(raw_time) if isinstance(raw_time, (str, dt.datetime)) else None
            if t is None:
                t = parse_time(raw_time)
                if isinstance(raw_time, (str, dt.datetime)):
                    time_cache[raw_time] = t
        except ValueError as exc:
            problems.append(("监测时间", str(exc)))
            t = None
        raw_param = str(cell(cells, "parameter") or "").strip()
        param = param_cache.get(raw_param)
        if param is None:
            try:
                param = param_cache[raw_param] = lookup_parameter(raw_param)
            except ValueParseError as exc:
                problems.append(("监测指标", exc.user_message))
        unit_text = str(cell(cells, "unit") or "").strip()
        pv = None
        try:
            pv = parse_value(cell(cells, "value"), allow_negative=param is not None and param.code == "WT")
        except ValueParseError as exc:
            problems.append(("监测值", exc.user_message))
        if param is not None and pv is not None and unit_text:
            try:
                if canonical_unit(unit_text) != canonical_unit(param.unit):
                    f = convert(1.0, unit_text, param.unit)
                    pv = ParsedValue(None if pv.value is None else pv.value * f, pv.qualifier,
                                     None if pv.detection_limit is None else pv.detection_limit * f, pv.raw)
            except ValueParseError as exc:
                problems.append(("单位", exc.user_message + f" (指标 {param.name_zh} 的单位为 {param.unit})"))
        try:
            src = parse_source(cell(cells, "source"))
        except ValueError as exc:
            problems.append(("数据来源", str(exc)))
            src = "manual"
        wt = str(cell(cells, "water_type") or "").strip().lower() or None
        if wt in ("河流", "河"):
            wt = "river"
        elif wt in ("湖库", "湖泊", "水库", "湖", "reservoir"):
            wt = "lake"
        if wt not in (None, "river", "lake"):
            problems.append(("水体类型", f"「{wt}」应为 river/河流 或 lake/湖库"))
        if not problems:
            key = (site, t, param.code, src)
            prev = seen.get(key)
            if prev is not None and prev[1] != pv:
                problems.append(("监测值", f"与第 {prev[0]} 行是同一站点、时间、指标和来源，但数值不同"))
            elif prev is None:
                seen[key] = (rownum, pv)
                out.append(ReadingRecord(rownum, site, t, param.code, pv, param.unit, src, wt))
        errors.extend(RowError(table.file, table.sheet, rownum, c, m) for c, m in problems)
    if errors:
        raise RowErrors(errors)
    return out
