"""The monthly report writers (reports.monthly_docx, reports.monthly_xlsx) on hand-made parts: the
numbers read back from the files are the parts' numbers, an empty month gives a valid file that
says so, sheet names stay legal, and LibreOffice turns the Word file into a PDF."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import docx
import openpyxl
import pytest

from outfall.reports.monthly import TitleBlock
from outfall.reports.monthly_docx import monthly_report_docx
from outfall.reports.monthly_xlsx import RATE_HEADER, SUMMARY_SHEET, monthly_report_xlsx
from outfall.reports.parts import Part, Rate, Series, Table

TITLE = TitleBlock(area="莱西市", month="2026-10", town=None, generated="2026-11-02 09:30", generated_by="张三")
MONTHS = [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]


def parts() -> list[Part]:
    return [
        Part("cases", "案件", rates=[Rate("省级督察交办件", 201, 202, verb="已整改"),
                                    Rate("中央督察交办件", 100, 101, verb="已整改"), Rate("信访", 0, 0, verb="已办结")],
             tables=[Table("按来源", ["来源", "数量"], [["信访", 1431], ["专项执法", 350]])]),
        Part("sections", "断面水质", rates=[Rate("断面达标", 6, 7, verb="达标")],
             tables=[Table("各断面水质", ["断面编码", "断面名称", "水质目标", "水质类别", "是否达标"],
                           [["S01", "马连庄", "Ⅱ类", "Ⅲ类", "不达标"], ["S02", "产芝水库", "Ⅲ类", None, "无数据"]])],
             series=[Series("断面月达标率", MONTHS, {"达标率": [None] * 6 + [85.7, 100.0, 71.4, 100.0, 100.0, 85.7]},
                            unit="%")]),
        Part("alerts", "预警: 本期/全部?", rates=[Rate("本期预警", 3, 9, verb="已关闭")],
             series=[Series("每月新增预警", MONTHS, {"新增预警": [0] * 9 + [2, 8, 0], "其中已关闭": [0] * 12}, unit="条")]),
    ]


def empty_parts() -> list[Part]:
    return [Part("sections", "断面水质", rates=[Rate("断面达标", 0, 0, verb="达标")],
                 tables=[Table("各断面水质", ["断面编码", "是否达标"], [])],
                 series=[Series("断面月达标率", MONTHS, {"达标率": [None] * 12}, unit="%")]),
            Part("alerts", "预警", rates=[Rate("本期预警", 0, 0, verb="已关闭")],
                 series=[Series("每月新增预警", MONTHS, {"新增预警": [0] * 12}, unit="条")])]


def _docx_text(body: bytes) -> str:
    d = docx.Document(io.BytesIO(body))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _rates(body: bytes) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(body))[SUMMARY_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if list(r[:6]) == RATE_HEADER)
    return [tuple(r[:6]) for r in rows[head + 1:] if r[0] is not None]


def test_the_word_report_holds_every_rate_in_the_seeds_form_and_every_table():
    body = monthly_report_docx(parts(), TITLE)
    text = _docx_text(body)
    assert "莱西市入河排污口监管月报（2026年10月）" in text and "全域" in text and "2026-11-02 09:30" in text
    for p in parts():
        assert p.title in text
        for r in p.rates:
            assert r.text() in text
    assert "201/202 已整改 (99.5%)" in text and "0/0 已办结" in text
    assert "1431" in text and "马连庄" in text and "不达标" in text
    d = docx.Document(io.BytesIO(body))
    assert len(d.inline_shapes) == 2  # the two trends with data
    footer = " ".join(p.text for p in d.sections[0].footer.paragraphs)
    assert "张三" in footer and "2026-11-02 09:30" in footer
    east_asia = {r._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
                 for p in d.paragraphs for r in p.runs if r._r.rPr is not None and r._r.rPr.rFonts is not None}
    assert {"宋体", "黑体"} <= east_asia


def test_the_workbook_holds_every_rate_as_numbers_and_a_sheet_per_part():
    body = monthly_report_xlsx(parts(), TITLE)
    got = _rates(body)
    want = [(p.title, r.label, r.done, r.total, None if not r.total else round(100 * r.done / r.total, 1), r.text())
            for p in parts() for r in p.rates]
    assert got == want
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == [SUMMARY_SHEET, "案件", "断面水质", "预警_ 本期_全部_"]  # : / ? are not allowed
    ws = wb["断面水质"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "马连庄" in values and 71.4 in values and "2026-10" in values
    assert len(ws._charts) == 1 and len(wb["预警_ 本期_全部_"]._charts) == 1


def test_long_and_repeated_part_titles_get_legal_distinct_sheet_names():
    ps = [Part("a", "很长的" * 20), Part("b", "很长的" * 20), Part("c", "[x]*")]
    names = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(ps, TITLE))).sheetnames
    assert len(set(names)) == 4 and all(len(n) <= 31 for n in names) and names[3] == "_x__"


def test_an_empty_month_gives_valid_files_that_say_so():
    text = _docx_text(monthly_report_docx(empty_parts(), TITLE))
    assert "本月无数据" in text and "本期无数据" in text and "0/0 达标" in text
    assert len(docx.Document(io.BytesIO(monthly_report_docx(empty_parts(), TITLE))).inline_shapes) == 0
    body = monthly_report_xlsx(empty_parts(), TITLE)
    wb = openpyxl.load_workbook(io.BytesIO(body))
    summary = [c for row in wb[SUMMARY_SHEET].iter_rows(values_only=True) for c in row if c]
    assert any("本月无数据" in str(c) for c in summary)
    assert _rates(body) == [("断面水质", "断面达标", 0, 0, None, "0/0 达标"), ("预警", "本期预警", 0, 0, None, "0/0 已关闭")]
    assert not wb["断面水质"]._charts
    # no part at all (every app's part skipped) is still a report
    assert "没有可写入的部分" in _docx_text(monthly_report_docx([], TITLE))
    assert openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx([], TITLE))).sheetnames == [SUMMARY_SHEET]


def test_a_town_report_names_the_town():
    title = TitleBlock("莱西市", "2026-03", "姜山镇", "2026-04-01 08:00")
    assert "莱西市姜山镇入河排污口监管月报（2026年3月）" in _docx_text(monthly_report_docx(parts(), title))
    ws = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(parts(), title)))[SUMMARY_SHEET]
    assert ws["B4"].value == "姜山镇" and ws["A1"].value.startswith("莱西市姜山镇")


@pytest.mark.skipif(shutil.which("libreoffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed here (apt-get install libreoffice-writer-nogui; .ci/run does)")
def test_libreoffice_turns_the_monthly_report_into_a_pdf(tmp_path):
    src = tmp_path / "monthly.docx"
    src.write_bytes(monthly_report_docx(parts(), TITLE))
    run = subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=180, check=False)
    out = tmp_path / "monthly.pdf"
    assert run.returncode == 0 and out.exists(), f"exit {run.returncode}: {run.stdout} {run.stderr}"
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_trend_images_without_a_cjk_font_stay_ascii_and_with_categories():
    from outfall.reports.figures import trend_png

    for font in (None,):
        png = trend_png(["中央督察", "省级督察", "信访"], {"已整改": [100, 201, None], "rate 2": [1, 2, 3]}, unit="件",
                        title="按来源", font=font)
        assert png.startswith(b"\x89PNG") and len(png) < 150_000
