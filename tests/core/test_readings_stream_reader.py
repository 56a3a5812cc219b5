"""The streaming readings import reads files as every other import does (main's reader): content
sniffing, encodings, delimiters, the header under title rows on any sheet, the import limits, and
the readings checks (plausible values, time bounds) in every chunk, not only the first."""

from __future__ import annotations

import io

import openpyxl
import pytest

from outfall.core.errors import FileFormatError, RowErrors, TooLargeError
from outfall.core.limits import ImportLimits
from outfall.core.standards.readings_io import read_readings, stream_readings
from outfall.core.tabular import read_table, stream_table

TITLE = "莱西市监测数据（2025年11月）\n"
HEAD = "站点编码;监测时间;监测指标;监测值;单位\n"


def _rows(n: int) -> list[str]:
    return [f"S01;2025-11-06 {h:02d}:00;TP;0.{h + 1:02d};mg/L" for h in range(n)]


def _all(stream) -> list:
    return [r for chunk in stream for r in chunk.records()]


def test_title_row_gbk_semicolons_chunked_rows_numbered_as_in_the_sheet():
    data = (TITLE + HEAD + "\n".join(_rows(5)) + "\n").encode("gbk")
    with stream_readings(data, name="g.csv", chunk_rows=2) as stream:
        assert stream._table.header_row == 2
        got = _all(stream)
    assert not stream.errors
    assert [r.row for r in got] == [3, 4, 5, 6, 7]
    assert got[-1].value.value == 0.05
    assert [(r.row, r.parameter) for r in read_readings(data, name="g.csv")] == [(r.row, "TP") for r in got]


def test_utf16_csv_streams_like_read_table():
    data = ("site_code\ttime\tparameter\tvalue\n" + "S01\t2025-11-06 20:00\tTP\t0.1\n").encode("utf-16")
    with stream_table(data, name="u.csv") as t:
        body = [r for c in t.chunks(10) for r in c]
    assert t.header == read_table(data, name="u.csv")[0].header == ["site_code", "time", "parameter", "value"]
    assert body == read_table(data, name="u.csv")[0].rows


def test_a_missing_column_names_the_real_header_row():
    data = (TITLE + "站点编码;监测时间;监测指标;单位\nS01;2025-11-06 20:00;TP;mg/L\n").encode()
    with pytest.raises(RowErrors) as exc:
        stream_readings(data, name="h.csv")
    assert {(e.row, e.column) for e in exc.value.errors} == {(2, "监测值")}


def test_implausible_value_and_future_time_refused_in_a_later_chunk():
    rows = _rows(6)
    rows[4] = "S01;2025-11-06 04:00;pH;15;"            # sheet row 7, chunk 3
    rows[5] = "S01;2999-01-01 00:00;TP;0.1;mg/L"       # sheet row 8, chunk 3
    data = (TITLE + HEAD + "\n".join(rows) + "\n").encode()
    with stream_readings(data, name="p.csv", chunk_rows=2) as stream:
        _all(stream)
    assert [(e.row, e.column) for e in stream.errors.listed()] == [(7, "监测值"), (8, "监测时间")]
    with pytest.raises(RowErrors):
        read_readings(data, name="p.csv")


def test_workbook_header_found_on_the_second_sheet_under_a_title():
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    ws = wb.create_sheet("数据")
    ws.append(["莱西市监测数据"])
    ws.append(["站点编码", "监测时间", "监测指标", "监测值"])
    ws.append(["S01", "2025-11-06 20:00", "TP", 0.1])
    ws.append(["S01", "2025-11-06 21:00", "TP", "abc"])
    buf = io.BytesIO()
    wb.save(buf)
    with stream_readings(buf.getvalue(), name="w.xlsx", chunk_rows=1) as stream:
        got = _all(stream)
    assert [r.row for r in got] == [3]
    assert [(e.sheet, e.row, e.column) for e in stream.errors.listed()] == [("数据", 4, "监测值")]


def test_import_limits_hold_while_streaming():
    data = (HEAD + "\n".join(_rows(10)) + "\n").encode()
    with pytest.raises(TooLargeError), stream_readings(data, name="big.csv", chunk_rows=2,
                                                       limits=ImportLimits(max_rows=6)) as stream:
        _all(stream)
    with pytest.raises(FileFormatError):
        stream_readings(b"%PDF-1.7 not a table", name="r.csv")
