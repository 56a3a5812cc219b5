"""The monthly report (月报) as a Word document (issue #13 item 6): the title block, a summary of
every rate in the seed's own form ("201/202 已整改 (99.5%)"), then one chapter per part with its
rates, its tables and a chart of each monthly trend, and who generated it when in every footer.

Pure: a list of :class:`~outfall.reports.parts.Part` and a :class:`~outfall.reports.monthly.TitleBlock`
in, .docx bytes out (Chinese fonts by :mod:`docx_kit`, charts drawn offline by :mod:`figures`). The
dashboard draws the same parts, so the two always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.shared import Pt

from outfall.reports import docx_kit as K
from outfall.reports import figures as F
from outfall.reports.monthly import (
    NO_DATA,
    NO_DATA_EN,
    NUMERALS,
    TitleBlock,
    cell,
    has_data,
    percent,
    series_has_data,
)
from outfall.reports.parts import Part

__all__ = ["monthly_report_docx"]

#: Column widths of a rate table, cm (16 cm of text width on A4 with 2.5 cm margins).
RATE_WIDTHS = (5.0, 2.0, 2.0, 2.0, 5.0)


def _numbered(i: int, text: str) -> str:
    return f"{NUMERALS[i] if i < len(NUMERALS) else i + 1}、{text}"


def monthly_report_docx(parts: Sequence[Part], title: TitleBlock) -> bytes:
    """The monthly report of ``parts`` as .docx bytes.

    Rates are counts ("done of total") with the share in percent to one decimal; tables and trends
    are written as the parts hold them (a trend's unit in its ``unit``). A part with nothing counted
    says "本期无数据" and a report whose parts all have nothing says so in its summary.
    """
    font = F.cjk_font()
    doc = K.new_document()
    K.add_title(doc, title.title, f"Monthly report on river outfalls, {title.month}")
    K.add_table(doc, [("项目", "Item"), ("内容", "Value")], [
        [("地区", "Area"), title.area], [("月份", "Month"), title.month], [("范围", "Scope"), title.scope],
        [("生成时间", "Generated"), title.generated]], widths_cm=(4.0, 12.0))
    K.add_heading(doc, _numbered(0, "概要"), "Summary")
    if not any(has_data(p) for p in parts):
        K.add_text(doc, "本月无数据：所选月份和范围内没有可统计的记录。",
                   "No data: nothing was recorded for this month and scope.")
    rates = [(f"{p.title} · {r.label}：{r.text()}", None) for p in parts for r in p.rates]
    if rates:
        K.add_bullets(doc, rates)
    elif parts:
        K.add_text(doc, "各部分均无比率。", "No rate in any part.")
    else:
        K.add_text(doc, "没有可写入的部分。", "No part to write.")
    figure, table_no = 1, 1
    for i, part in enumerate(parts, start=1):
        K.add_heading(doc, _numbered(i, part.title))
        if not has_data(part):
            K.add_text(doc, NO_DATA, NO_DATA_EN)
        if part.rates:
            K.add_table(doc, [("指标", "Measure"), ("完成", "Done"), ("总数", "Total"), ("比例(%)", "Share, %"),
                              ("说明", "As written")],
                        [[r.label, str(r.done), str(r.total), cell(percent(r)), r.text()] for r in part.rates],
                        widths_cm=RATE_WIDTHS)
        for t in part.tables:
            caption = K.add_caption(doc, f"表 {table_no} {t.title}", f"Table {table_no}")
            caption.paragraph_format.keep_with_next = True  # a table's caption stays on its page
            caption.paragraph_format.space_before = Pt(6)
            if t.rows:
                K.add_table(doc, t.columns, [[cell(v) for v in row] for row in t.rows])
            else:
                K.add_text(doc, "无记录。", "No rows.")
            table_no += 1
        for s in part.series:
            if not series_has_data(s):
                K.add_text(doc, f"{s.title}：本期无数据。", f"{s.title}: no data.")
                continue
            png = F.trend_png(s.x, s.y, unit=s.unit, title=s.title, font=font)
            K.add_picture(doc, png, width_cm=15.0)
            K.add_caption(doc, f"图 {figure} {s.title}（{s.x[0]} 至 {s.x[-1]}）", f"Figure {figure}")
            figure += 1
    by = f"由 {title.generated_by} " if title.generated_by else ""
    K.add_footer(doc, f"{title.title} · {by}于 {title.generated} 生成", None)
    return K.to_bytes(doc)
