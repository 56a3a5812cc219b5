"""The columns of a case workbook (督察交办件清单): the Excel the inspection office sends, and the
one ``outfall cases export`` writes, which re-imports unchanged.

An inspection office's list has headers such as 批次, 交办编号 (or 受理编号), 交办时间, 问题类型,
所属镇街 (or 行政区域), 问题描述, 涉及排污口编码, 办理期限 and 来源 (中央/省级). Cells are parsed
here into plain values; towns, outfalls and uniqueness are checked by the caller against the
database. Errors are (Chinese header, message) pairs, as :func:`outfall.core.columns.parse_row` gives.
"""

from __future__ import annotations

import datetime as dt
import re

from outfall.core.columns import Column, match_header, parse_cell
from outfall.core.enums import CaseResult, CaseSource, CaseState, ComplaintChannel

__all__ = ["COLUMNS", "BY_FIELD", "EXPORT_ONLY", "LIST_FIELDS", "parse_date", "format_date", "parse_source",
           "parse_list", "format_list", "clean_row", "match_case_header", "SOURCE_SHORT"]

#: Short names an inspection office writes in the 来源 column.
SOURCE_SHORT = {"中央": CaseSource.CENTRAL_INSPECTION, "中央督察": CaseSource.CENTRAL_INSPECTION,
                "省级": CaseSource.PROVINCIAL_INSPECTION, "省": CaseSource.PROVINCIAL_INSPECTION,
                "省级督察": CaseSource.PROVINCIAL_INSPECTION, "专项": CaseSource.CAMPAIGN}

COLUMNS: list[Column] = [
    Column("source", "来源", "source", required=True, aliases=("案件来源", "交办来源")),
    Column("batch", "批次", "batch", aliases=("交办批次",), max_length=40),
    Column("number", "交办编号", "number", required=True, aliases=("受理编号", "案件编号", "编号", "转办编号"),
           max_length=60),
    Column("intake_date", "交办时间", "intake_date", required=True, aliases=("受理时间", "交办日期", "受理日期")),
    Column("problem_type", "问题类型", "problem_type", aliases=("污染类型", "类型"), max_length=60),
    Column("towns", "所属镇街", "towns", aliases=("行政区域", "镇街", "乡镇(街道)", "涉及镇街")),
    Column("title", "标题", "title", aliases=("案件名称", "问题标题"), max_length=200),
    Column("description", "问题描述", "description", required=True, aliases=("反映问题", "主要问题", "信访内容")),
    Column("outfalls", "涉及排污口编码", "outfalls", aliases=("排污口编码", "涉及排污口")),
    Column("deadline", "办理期限", "deadline", aliases=("答复期限", "办结时限")),
    Column("campaign", "专项行动", "campaign", aliases=("专项执法检查",), max_length=100),
    Column("channel", "信访渠道", "channel", "enum", enum=ComplaintChannel, aliases=("来信来访方式", "渠道")),
    Column("complainant_name", "信访人", "complainant_name", aliases=("举报人", "投诉人"), max_length=60),
    Column("complainant_contact", "联系方式", "complainant_contact", aliases=("联系电话",), max_length=100),
    # written by the export, skipped on import (the lifecycle is kept by the services, not a file)
    Column("state", "办理状态", "state", "enum", enum=CaseState, aliases=("状态",)),
    Column("result", "办理结果", "result", "enum", enum=CaseResult, aliases=("整改情况",)),
    Column("replied_on", "答复日期", "replied_on"),
    Column("closed_on", "办结日期", "closed_on", aliases=("销号日期",)),
]
BY_FIELD = {c.field: c for c in COLUMNS}
#: Fields the export writes and an import reads over without storing.
EXPORT_ONLY = frozenset({"state", "result", "replied_on", "closed_on"})
#: Fields holding several values separated by 、，,；; or spaces.
LIST_FIELDS = frozenset({"towns", "outfalls"})
_DATE_FIELDS = frozenset({"intake_date", "deadline", "replied_on", "closed_on"})
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def parse_date(value) -> dt.date | None:
    """A date cell → ``date``: a date/datetime, an Excel serial day number, or text such as
    2025-03-05, 2025/3/5, 2025.3.5, 2025年3月5日 or 20250305 (a time after it is ignored).
    Empty → None. Raises ValueError with a Chinese message.

    >>> parse_date("2025年3月5日"), parse_date(45721), parse_date("2025-03-05 10:00")
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5), datetime.date(2025, 3, 5))
    """
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"「{value}」不是日期")
    if isinstance(value, (int, float)):
        if not 1 <= value <= 2958465:  # Excel's serial days (1900-01-01 … 9999-12-31)
            raise ValueError(f"「{value}」不是日期")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    m = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if not m:
        raise ValueError(f"「{text}」不是日期 (如 2025-03-05 或 2025年3月5日)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"「{text}」不是有效日期") from None


def format_date(value: dt.date | None) -> str:
    """The inverse of :func:`parse_date` for export: ISO ``YYYY-MM-DD`` (empty for None)."""
    return value.isoformat() if value else ""


def parse_source(value) -> str:
    """A 来源 cell → a :class:`CaseSource` value: 中央 / 省级 / the full label / the code.

    >>> parse_source("中央"), parse_source("省级督察交办件"), parse_source("complaint")
    ('central_inspection', 'provincial_inspection', 'complaint')
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("不能为空")
    if text in SOURCE_SHORT:
        return SOURCE_SHORT[text].value
    try:
        return CaseSource.from_text(text).value
    except ValueError:
        raise ValueError(f"「{text}」不是案件来源；可用: 中央、省级、" + "、".join(s.label for s in CaseSource)) from None


def parse_list(value) -> list[str]:
    """Several names or codes in one cell, separated by 、，,；; or whitespace, in order, once each.

    >>> parse_list("水集街道、姜山镇；水集街道"), parse_list(None)
    (['水集街道', '姜山镇'], [])
    """
    if value is None:
        return []
    items = [p.strip() for p in re.split(r"[、，,；;\s]+", str(value)) if p.strip()]
    return list(dict.fromkeys(items))


def format_list(values: list[str]) -> str:
    """The inverse of :func:`parse_list`: values joined by 、."""
    return "、".join(values)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def clean_row(raw: dict[str, object]) -> tuple[dict, list[tuple[str, str]]]:
    """Parse one row (field → cell) into plain values; return (data, [(header, message)]).

    Export-only columns are dropped; a missing title is the description's first line (60 characters
    at most); a deadline before the intake date is refused.
    """
    data, problems = {}, []
    for fname, value in raw.items():
        col = BY_FIELD[fname]
        if fname in EXPORT_ONLY:
            continue
        try:
            if fname == "source":
                data[fname] = parse_source(value)
            elif fname in _DATE_FIELDS:
                data[fname] = parse_date(value)
                if data[fname] is None and col.required:
                    raise ValueError("不能为空")
            elif fname in LIST_FIELDS:
                data[fname] = parse_list(value)
            elif col.kind == "enum":
                data[fname] = parse_cell(col, value)
            else:
                data[fname] = parse_cell(col, _text(value))
        except ValueError as exc:
            problems.append((col.zh, str(exc)))
    if not data.get("title") and data.get("description"):
        data["title"] = data["description"].splitlines()[0][:60]
    intake, deadline = data.get("intake_date"), data.get("deadline")
    if intake and deadline and deadline < intake:
        problems.append((BY_FIELD["deadline"].zh, f"办理期限 {deadline.isoformat()} 早于交办时间 {intake.isoformat()} / "
                                                  "the deadline is before the intake date"))
    return data, problems


def match_case_header(header: list[str]):
    """Map a case workbook's header to columns; problems for unknown, repeated and missing columns."""
    return match_header(header, COLUMNS)
