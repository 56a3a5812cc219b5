"""Issue #7 item 3: a small hostile file is refused cleanly, before it costs memory or minutes.

Every bomb is built small on disk (tests/core/bombs.py); each test asserts the refusal (which file,
which limit, which setting) and that the Python heap stayed far below what reading the file would
take (tracemalloc peak), within a deadline so that a regression fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import io
import signal
import tracemalloc
import zipfile

import bombs
import pytest

from outfall.core.errors import FileFormatError, TooLargeError
from outfall.core.limits import ImportLimits, check_zip
from outfall.core.tabular import read_table

MIB = 1024 * 1024
KNOWN = {"排污口名称", "经度", "纬度", "所属镇街"}


@contextlib.contextmanager
def bounded(*, seconds: float, heap_mib: float):
    """Fail when the block runs longer than ``seconds`` or its Python heap peak exceeds ``heap_mib``."""

    def timeout(_sig, _frame):
        raise AssertionError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert peak < heap_mib * MIB, f"heap peak {peak / MIB:.1f} MiB"


def test_a_compressed_sheet_bomb_is_refused_unread():
    data = bombs.xlsx_bomb(50_000)  # ~95 KiB on disk, 17 MiB of XML, a million cells
    assert len(data) < 200 * 1024
    with bounded(seconds=5, heap_mib=8), pytest.raises(TooLargeError) as exc:
        read_table(data, name="bomb.xlsx", known_headers=KNOWN)
    msg = exc.value.user_message
    assert msg.startswith("bomb.xlsx: 成员「xl/worksheets/sheet1.xml」压缩比") and "OUTFALL_IMPORT_MAX_ZIP_RATIO" in msg


def test_the_total_uncompressed_size_is_checked_before_reading():
    data = bombs.many_members(3, 600 * 1024)  # plain, 1:1 — only the total is too big
    limits = ImportLimits(max_uncompressed_mb=1)
    with pytest.raises(TooLargeError) as exc:
        check_zip(zipfile.ZipFile(io.BytesIO(data)), name="big.zip", limits=limits)
    assert "解压后超过 1 MiB" in exc.value.user_message
    assert check_zip(zipfile.ZipFile(io.BytesIO(data)), name="ok.zip", limits=ImportLimits()) == 3 * 600 * 1024


@pytest.mark.parametrize("dimension", [None, "A1:T10"])
def test_rows_are_counted_before_opening_or_while_streaming(dimension):
    # No dimension: openpyxl would parse the whole sheet to size it, so <row> elements are counted
    # first. A dimension that lies (10 rows declared): openpyxl trusts it, the stream stops at the limit.
    data = bombs.xlsx_bomb(20_000, dimension=dimension)
    limits = ImportLimits(max_rows=1_000, max_zip_ratio=10_000)
    with bounded(seconds=10, heap_mib=8), pytest.raises(TooLargeError) as exc:
        read_table(data, name="rows.xlsx", known_headers=KNOWN, limits=limits)
    assert "超过 1000 行上限 (OUTFALL_IMPORT_MAX_ROWS)" in exc.value.user_message
    where = "rows.xlsx [xl/worksheets/sheet1.xml]" if dimension is None else "rows.xlsx [台账]"
    assert exc.value.user_message.startswith(where)


def test_a_declared_dimension_beyond_the_limits_is_refused_unread():
    # Two cells; the sheet declares A1:XFD1048576, which openpyxl would pad every row to (17 G cells).
    data = bombs.sparse_sheet({"A1": "排污口名称", "B2": "x"}, dimension="A1:XFD1048576")
    with bounded(seconds=5, heap_mib=8), pytest.raises(TooLargeError) as exc:
        read_table(data, name="dim.xlsx", known_headers=KNOWN)
    assert "工作表声明 1048576 行 × 16384 列" in exc.value.user_message


def test_a_far_cell_without_a_dimension_stops_at_the_row_limit():
    data = bombs.sparse_sheet({"A1": "排污口名称", "A1048576": "x"})
    with bounded(seconds=10, heap_mib=8), pytest.raises(TooLargeError) as exc:
        read_table(data, name="far.xlsx", limits=ImportLimits(max_rows=50_000))
    assert "超过 50000 行上限" in exc.value.user_message


def test_a_far_column_and_a_huge_cell_are_refused():
    with pytest.raises(TooLargeError) as exc:
        read_table(bombs.sparse_sheet({"A1": "排污口名称", "XFD2": "x"}), name="wide.xlsx")
    assert "第2行: 16384 列，超过 200 列上限 (OUTFALL_IMPORT_MAX_COLUMNS)" in exc.value.user_message
    with pytest.raises(TooLargeError) as exc:
        read_table(bombs.sparse_sheet({"A1": "名称", "A2": "长" * 40_000}), name="cell.xlsx")
    assert "第2行第1列: 40000 个字符" in exc.value.user_message


def test_csv_is_streamed_against_the_same_limits():
    text = "a,b\n" + "1,2\n" * 5_000
    with pytest.raises(TooLargeError, match="more than 1000 rows"):
        read_table(text.encode(), name="r.csv", limits=ImportLimits(max_rows=1_000))
    with pytest.raises(TooLargeError, match="300 columns"):
        read_table(("a," * 299 + "a\n").encode(), name="w.csv")


def _with_member(member: str, xml: bytes) -> bytes:
    good = bombs.workbook_bytes([["排污口名称", "经度", "纬度"], ["甲", 120.5, 36.9]])
    return bombs.replace_member(good, member, [xml])


@pytest.mark.parametrize("member, xml", [
    ("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&b;</workbook>'),
    ("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                 b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
                                 b'</sheetData></worksheet>'),
    ("xl/worksheets/sheet1.xml", b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b'<sheetData><row r="1"><c r="A1"><v>1</v></row>'),
])
def test_dtd_entities_and_malformed_xml_are_a_damaged_workbook(member, xml):
    with pytest.raises(FileFormatError) as exc:
        read_table(_with_member(member, xml), name="evil.xlsx")
    assert exc.value.user_message.startswith("evil.xlsx: 不是有效的 Excel (.xlsx) 文件或文件已损坏")


def test_real_workbooks_stay_well_inside_the_limits():
    rows = [["排污口名称", "经度", "纬度", "所属镇街"]] + [[f"口{i}", 120.5 + i * 1e-5, 36.9, "水集街道"]
                                                    for i in range(3_000)]
    table = read_table(bombs.workbook_bytes(rows), name="ok.xlsx", known_headers=KNOWN)[0]
    assert len(table.rows) == 3_000 and table.header_row == 1
