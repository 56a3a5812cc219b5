"""The monthly report (月报) as an Excel workbook (issue #13 item 6): a 概要 sheet (the title block
and every rate as numbers: done, total, share in percent, and the seed's own wording) and one
sheet per part with its rates, its tables and each monthly trend as a data table with a line chart
drawn from it. Headers are Chinese, as the parts write them.

Pure: a list of :class:`~outfall.reports.parts.Part` and a :class:`~outfall.reports.monthly.TitleBlock`
in, .xlsx bytes out (openpyxl). Reading it back: :data:`SUMMARY_SHEET` holds one row per rate
under :data:`RATE_HEADER`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from outfall.reports.monthly import NO_DATA, TitleBlock, has_data, percent, series_has_data
from outfall.reports.parts import Part

__all__ = ["monthly_report_xlsx", "SUMMARY_SHEET", "RATE_HEADER"]

SUMMARY_SHEET = "概要"
RATE_HEADER = ["部分", "指标", "完成", "总数", "比例(%)", "说明"]
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub("_", title).strip("'") or "Sheet"
    name, n = base[:31], 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _value(v):
    """A cell value: numbers stay numbers (a chart and a formula can use them), None stays empty."""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v != v:
        return None
    return v


def _header(ws, row: int, names: Sequence[str]) -> None:
    for col, name in enumerate(names, start=1):
        c = ws.cell(row=row, column=col, value=str(name))
        c.font, c.fill = _BOLD, _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _summary(ws, parts: Sequence[Part], title: TitleBlock) -> None:
    ws.cell(row=1, column=1, value=title.title).font = _TITLE
    for r, (k, v) in enumerate((("地区", title.area), ("月份", title.month), ("范围", title.scope),
                                ("生成时间", title.generated), ("生成人", title.generated_by or "—")), start=2):
        ws.cell(row=r, column=1, value=k).font = _BOLD
        ws.cell(row=r, column=2, value=v)
    row = 8
    if not any(has_data(p) for p in parts):
        ws.cell(row=row, column=1, value="本月无数据：所选月份和范围内没有可统计的记录。").font = _BOLD
        row += 2
    _header(ws, row, RATE_HEADER)
    for p in parts:
        for rate in p.rates:
            row += 1
            for col, v in enumerate([p.title, rate.label, rate.done, rate.total, percent(rate), rate.text()], start=1):
                ws.cell(row=row, column=col, value=v)
    _widths(ws, (16, 24, 8, 8, 9, 30))
    ws.freeze_panes = None


def _part(ws, part: Part) -> None:
    ws.cell(row=1, column=1, value=part.title).font = _TITLE
    row = 2
    if not has_data(part):
        ws.cell(row=row, column=1, value=NO_DATA)
        row += 1
    if part.rates:
        row += 1
        _header(ws, row, RATE_HEADER[1:])
        for rate in part.rates:
            row += 1
            for col, v in enumerate([rate.label, rate.done, rate.total, percent(rate), rate.text()], start=1):
                ws.cell(row=row, column=col, value=v)
    for t in part.tables:
        row += 2
        ws.cell(row=row, column=1, value=t.title).font = _BOLD
        row += 1
        _header(ws, row, t.columns)
        for values in t.rows:
            row += 1
            for col, v in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=_value(v))
        if not t.rows:
            row += 1
            ws.cell(row=row, column=1, value="无记录")
    for s in part.series:
        row += 2
        ws.cell(row=row, column=1, value=f"{s.title}" + (f" ({s.unit})" if s.unit else "")).font = _BOLD
        row += 1
        head = row
        names = list(s.y)
        _header(ws, row, ["月份", *names])
        for i, x in enumerate(s.x):
            row += 1
            ws.cell(row=row, column=1, value=x)
            for col, name in enumerate(names, start=2):
                ws.cell(row=row, column=col, value=_value(s.y[name][i]))
        if series_has_data(s) and s.x and names:
            chart = LineChart()
            chart.title, chart.height, chart.width = s.title, 7.0, 16.0
            chart.y_axis.title = s.unit or None
            chart.add_data(Reference(ws, min_col=2, max_col=1 + len(names), min_row=head, max_row=row), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=row))
            ws.add_chart(chart, f"{get_column_letter(len(names) + 3)}{head}")
    _widths(ws, (22, 22, 12, 12, 12, 24))


def monthly_report_xlsx(parts: Sequence[Part], title: TitleBlock) -> bytes:
    """The monthly report of ``parts`` as .xlsx bytes: the 概要 sheet, then one sheet per part.

    Counts and shares are numbers in their cells (share in percent, one decimal); a trend's values
    are written as the part holds them, its unit beside its title. A part with nothing counted says
    "本期无数据"; a report whose parts all have nothing says so on the 概要 sheet.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET}
    _summary(ws, parts, title)
    for part in parts:
        _part(wb.create_sheet(_sheet_name(part.title, taken)), part)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
