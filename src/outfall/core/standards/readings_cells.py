"""The cells of the long readings format (shared/DESIGN.md §3): its columns and the parsers of a
time, a source, a water type and a basis, and the record one checked row becomes. The file-level
readers are in :mod:`outfall.core.standards.readings_io`, the chunked checker in
:mod:`outfall.core.standards.readings_stream`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from outfall.core.columns import Column
from outfall.core.standards.values import ParsedValue
from outfall.core.times import check_time_bounds

__all__ = ["BASES", "CHUNK_ROWS", "MAX_ERRORS", "READING_COLUMNS", "SOURCES", "TZ", "ReadingRecord", "parse_basis",
           "parse_source", "parse_time", "parse_water_type"]

CHUNK_ROWS = 50_000
#: Row errors kept in memory per import; the rest are counted.
MAX_ERRORS = 1_000


TZ = ZoneInfo("Asia/Shanghai")
SOURCES = {"manual": "manual", "手工": "manual", "手工监测": "manual", "automatic": "automatic",
           "自动": "automatic", "自动站": "automatic", "自动监测": "automatic", "online": "online",
           "在线": "online", "在线监测": "online", "lab": "lab", "实验室": "lab", "field": "field",
           "现场快检": "field", "快检": "field"}

READING_COLUMNS = [
    Column("site_code", "站点编码", "site_code", required=True,
           aliases=("断面编码", "排污口编码", "点位编码", "编码", "site", "code")),
    Column("time", "监测时间", "time", required=True, aliases=("时间", "采样时间", "datetime", "date")),
    Column("parameter", "监测指标", "parameter", required=True, aliases=("指标", "监测项目", "项目", "因子")),
    Column("value", "监测值", "value", required=True, aliases=("数值", "浓度", "结果")),
    Column("unit", "单位", "unit"),
    Column("source", "数据来源", "source", aliases=("来源",)),
    Column("water_type", "水体类型", "water_type"),
    Column("basis", "依据", "basis", aliases=("数据依据", "统计依据", "统计方式")),
]

#: What a reading's value is: a sample (the default) or a reported statistic of a local day or month,
#: compared only with a limit of the same basis (``outfall.core.warning.limits.BASES``, a test
#: checks they agree), with the words accepted for each.
BASES = ("sample", "daily_avg", "daily_max", "monthly_avg", "monthly_max", "monthly_min")
_BASIS_WORDS = {**{b: b for b in BASES}, "": "sample", "样品": "sample", "单次": "sample", "瞬时": "sample",
                "日均值": "daily_avg", "日均": "daily_avg", "日最大值": "daily_max", "月均值": "monthly_avg",
                "月均": "monthly_avg", "月最大值": "monthly_max", "月最小值": "monthly_min"}



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
    basis: str = "sample"


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


def parse_basis(cell) -> str:
    """What a value is: ``sample`` (样品; the default when empty) or a reported statistic
    (``daily_avg`` 日均值, ``daily_max`` 日最大值, ``monthly_avg`` 月均值, ``monthly_max`` 月最大值,
    ``monthly_min`` 月最小值).

    >>> parse_basis(""), parse_basis("月均值"), parse_basis("Daily_Max")
    ('sample', 'monthly_avg', 'daily_max')
    """
    text = str(cell or "").strip()
    basis = _BASIS_WORDS.get(text.lower()) or _BASIS_WORDS.get(text)
    if basis is None:
        raise ValueError(f"依据「{text}」无效；应为 {'、'.join(BASES)} 之一（或 样品、日均值、日最大值、月均值、月最大值、月最小值）")
    return basis


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
    """Data source of a reading: manual (手工, the default when empty), automatic (自动站), online (在线), lab,
    field (现场快检).

    >>> parse_source(""), parse_source("自动站"), parse_source("Online")
    ('manual', 'automatic', 'online')
    """
    text = str(cell or "").strip()
    if not text:
        return "manual"
    src = SOURCES.get(text.lower()) or SOURCES.get(text)
    if src is None:
        raise ValueError(f"未知数据来源「{text}」；可用: manual/手工, automatic/自动站, online/在线, lab/实验室, field/现场快检")
    return src


_MISS = object()
_WATER = {"": None, "river": "river", "河流": "river", "河": "river", "lake": "lake", "湖库": "lake",
          "湖泊": "lake", "水库": "lake", "湖": "lake", "reservoir": "lake", "lake/reservoir": "lake"}



_water = parse_water_type
