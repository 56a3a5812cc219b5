"""Issue #7 item 11: what clerks' files look like — title rows, merged two-level headers, a blank
first sheet, GBK/UTF-16 CSV, lost superscripts, files that are not tables — and item 4's CSV
formula escape. Pure: no database."""

from __future__ import annotations

import io

import bombs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.columns import Column, match_header
from outfall.core.errors import FileFormatError
from outfall.core.filetypes import FORMULA_PREFIXES, neutralise_formula, restore_formula, sniff_format
from outfall.core.tabular import find_header, normalise_header, read_table

KNOWN = {"排污口编码", "排污口名称", "一级类型", "经度", "纬度", "所属镇街", "受纳水体", "设计排放量(m3/d)"}
HEADER = ["序号", "排污口名称", "一级类型", "经度", "纬度", "所属镇街", "受纳水体"]
ROW = [1, "甲厂排污口", "工业排污口", "120°26′30.5″", "36°52′12″", "水集街道", "大沽河"]


def test_a_title_row_and_a_blank_row_sit_above_the_header():
    data = bombs.workbook_bytes([["莱西市入河排污口台账（2025年）"], [], HEADER, ROW])
    table = read_table(data, name="t.xlsx", known_headers=KNOWN)[0]
    assert table.header_row == 3 and table.header[:3] == ["序号", "排污口名称", "一级类型"]
    assert table.rows == [(4, ROW)]


def test_two_level_merged_headers_are_merged():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["莱西市入河排污口台账（2025年）"])
    ws.append(["序号", "排污口名称", "一级类型", "坐标", None, "所属镇街", "受纳水体"])
    ws.append([None, None, None, "经度", "纬度", None, None])
    ws.merge_cells("A1:G1")
    ws.merge_cells("D2:E2")
    for col in "ABCFG":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append(ROW)
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), name="m.xlsx", known_headers=KNOWN)[0]
    assert table.header == HEADER and table.header_row == 3 and table.rows[0][0] == 4


def test_group_labels_above_the_header_are_not_taken_for_columns():
    rows = [(2, ["基本信息", None, None, "位置", None, "管理", None]), (3, HEADER), (4, ROW)]
    assert find_header(rows, KNOWN) == (1, HEADER)


def test_without_known_headers_a_one_cell_title_is_skipped():
    rows = [(1, ["2025年第三季度监测数据"]), (2, ["site_code", "time", "parameter", "value"]), (3, ["S1", "t", "NH3N", 1])]
    assert find_header(rows) == (1, ["site_code", "time", "parameter", "value"])


def test_the_sheet_holding_the_header_is_used_not_a_blank_or_cover_sheet():
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.append(["莱西市入河排污口台账"])
    wb.create_sheet("空白")
    data_ws = wb.create_sheet("排污口")
    data_ws.append(HEADER)
    data_ws.append(ROW)
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), name="s.xlsx", known_headers=KNOWN)[0]
    assert (table.sheet, table.header_row, len(table.rows)) == ("排污口", 1, 1)


def test_a_workbook_of_blank_sheets_is_empty():
    wb = openpyxl.Workbook()
    wb.create_sheet("二")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(FileFormatError, match="empty workbook"):
        read_table(buf.getvalue(), name="e.xlsx", known_headers=KNOWN)


@pytest.mark.parametrize("encoding, bom", [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                           ("utf-16-le", b"\xff\xfe")])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_encodings_and_delimiters_with_a_title_row(encoding, bom, delimiter):
    lines = ["莱西市入河排污口台账（2025年）", "", delimiter.join(HEADER), delimiter.join(map(str, ROW))]
    data = bom + "\r\n".join(lines).encode(encoding)
    table = read_table(data, name="t.csv", known_headers=KNOWN)[0]
    assert table.header == HEADER and table.header_row == 3
    assert table.rows == [(4, [str(c) for c in ROW])]


def test_a_lost_superscript_reads_as_cubic_metres():
    assert normalise_header("设计排放量(m?/d)") == normalise_header("设计排放量（m³/d）") == "设计排放量(m3/d)"
    col = Column("design_discharge_m3_d", "设计排放量(m³/d)", "discharge_m3_d", "float")
    text = "排污口名称,设计排放量(m³/d)\n甲,5\n".encode("gbk", errors="replace")  # GBK has no ³: it becomes ?
    assert b"(m?/d)" in text
    mapping, problems = match_header(read_table(text, name="g.csv")[0].header, [col, Column("name", "排污口名称", "name")])
    assert problems == [] and mapping[1] is col
    assert normalise_header("Item?") == "Item?"  # only a lone m before the question mark


@pytest.mark.parametrize("data, what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF 文档"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG 图片"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页或 XML"),
    (b"\xef\xbb\xbf<?xml version=\"1.0\"?><Workbook/>", "网页或 XML"),
    (bombs.zip_bomb("a.txt", mib=0, extra={"word/document.xml": b"<w/>"}), "Word 文档"),
    (bombs.zip_bomb("a.txt", mib=0), "ZIP 压缩包，不是 Excel 工作簿"),
])
def test_files_that_are_not_tables_are_refused_by_content(data, what):
    with pytest.raises(FileFormatError) as exc:
        read_table(data, name="ledger.xlsx")
    assert exc.value.user_message.startswith(f"ledger.xlsx: 不是表格文件 (内容是 {what}")


def test_prose_and_binary_text_are_not_csv():
    with pytest.raises(FileFormatError, match="no delimiter"):
        read_table("这是一份说明文档\n没有任何表格\n".encode("gbk"), name="readme.txt")
    with pytest.raises(FileFormatError, match="binary"):
        read_table(bytes(range(1, 32)) * 50, name="blob.csv")
    with pytest.raises(FileFormatError, match="xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), name="old.xls")
    assert sniff_format("排污口名称,经度\n".encode("gbk"), "renamed.pdf") == "csv"


def test_a_quoted_csv_with_commas_in_a_tab_file_keeps_its_columns():
    text = "排污口名称\t受纳水体\t备注\n甲\t大沽河\t一, 二, 三\n乙\t小沽河\t四, 五\n"
    table = read_table(text.encode(), name="t.tsv")[0]
    assert table.header == ["排污口名称", "受纳水体", "备注"] and table.rows[0][1] == ["甲", "大沽河", "一, 二, 三"]


# --- item 4: the CSV formula escape is exact ---------------------------------------------------------

@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", "甲", "1", " "]), max_size=8))
def test_neutralise_then_restore_is_the_identity(text):
    out = neutralise_formula(text)
    assert restore_formula(out) == text
    assert out[:1] not in FORMULA_PREFIXES[:-1]  # never starts like a formula


@given(st.text(max_size=8))
def test_restore_only_touches_what_neutralise_could_have_written(text):
    back = restore_formula(text)
    assert back == text or neutralise_formula(back) == text


def test_a_readings_file_with_a_title_row_reads_too():
    from pathlib import Path

    from outfall.core.standards.readings_io import read_readings

    sample = (Path(__file__).resolve().parents[1] / "data" / "readings_sample.csv").read_bytes().decode("utf-8-sig")
    plain = read_readings(sample.encode(), name="r.csv")
    titled = read_readings(("2025年11月 手工监测数据,,,\r\n\r\n" + sample).encode("gb18030"), name="r.csv")
    assert [(r.site_code, r.time, r.parameter, r.value) for r in titled] == \
        [(r.site_code, r.time, r.parameter, r.value) for r in plain]
    assert titled[0].row == plain[0].row + 2
