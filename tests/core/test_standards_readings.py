"""The long readings file (shared/DESIGN.md §3): headers, times, units, marks, and every error collected."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from outfall.core.errors import FileFormatError, RowErrors
from outfall.core.standards.readings_io import parse_time, read_readings

DATA = Path(__file__).resolve().parents[1] / "data"
CST = dt.timezone(dt.timedelta(hours=8))


def _csv(text: str) -> bytes:
    return text.strip().encode("utf-8")


def test_the_sample_file():
    recs = read_readings(DATA / "readings_sample.csv")
    assert len(recs) == 16 and recs[0].row == 2
    by = {(r.site_code, r.parameter, r.time.hour): r for r in recs}
    nh3 = by[("370285S01", "NH3N", 20)]  # "氨氮" → NH3N, naive time → Asia/Shanghai
    assert nh3.value.value == 0.12 and nh3.unit == "mg/L" and nh3.source == "automatic" and nh3.water_type == "river"
    assert nh3.time == dt.datetime(2025, 11, 6, 20, 0, tzinfo=CST) and nh3.time.utcoffset() == dt.timedelta(hours=8)
    assert by[("370285S01", "WT", 20)].value.value == -0.4  # negative water temperature is allowed
    assert by[("370285S01", "PH", 20)].unit == "dimensionless"
    phenol = by[("370285S03", "VPHENOL", 20)].value
    assert phenol.below_detection and phenol.detection_limit == 0.002
    assert by[("370285S02", "TP", 8)].value.missing  # "*": kept as missing, never 0
    tp = by[("370285S04", "TP", 20)]  # w21011, 45 µg/L → 0.045 mg/L, no water type given
    assert tp.value.value == 0.045 and tp.value.raw == "45" and tp.unit == "mg/L" and tp.water_type is None
    assert tp.source == "online"


def test_chinese_headers_and_aliases():
    recs = read_readings(_csv("""
断面编码,监测时间,监测项目,监测值,单位,来源,水体类型
S1,2025/11/06 08:00,高锰酸盐指数,3.2,毫克/升,手工,河流
S1,2025-11-06T08:00:00+08:00,总磷(以P计),0.02L,mg/L,手工,河流
S2,2025-11-06,溶解氧,7.8,,自动站,湖库
"""), name="台账.csv")
    assert [(r.site_code, r.parameter, r.source, r.water_type) for r in recs] == [
        ("S1", "CODMN", "manual", "river"), ("S1", "TP", "manual", "river"), ("S2", "DO", "automatic", "lake")]
    assert recs[0].time == recs[1].time  # "/" accepted; an explicit +08:00 is the same instant
    assert recs[2].time == dt.datetime(2025, 11, 6, tzinfo=CST)  # a date alone is midnight


def test_xlsx_with_spreadsheet_cells():
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["站点编码", "监测时间", "指标", "监测值", "单位"])
    ws.append([370285.0, dt.datetime(2025, 11, 6, 20, 0), "w21003", 0.31, "mg/L"])  # numeric code from Excel
    ws.append(["370285", dt.datetime(2025, 11, 6, 21, 0), "NH3N", "0.05L", None])
    buf = io.BytesIO()
    wb.save(buf)
    recs = read_readings(buf.getvalue(), name="readings.xlsx")
    assert [r.site_code for r in recs] == ["370285", "370285"]
    assert recs[0].value.value == 0.31 and recs[0].time.tzinfo is not None and recs[1].value.detection_limit == 0.05


def test_every_problem_is_collected_with_row_and_column():
    data = _csv("""
site_code,time,parameter,value,unit,source,water_type
S1,20:00,NH3N,0.5,mg/L,,
S1,2025-11-06 20:00,奇怪指标,0.5,mg/L,,
S1,2025-11-06 20:00,NH3N,0.5,furlongs,,
S1,2025-11-06 20:00,TP,0.5,m3/s,,
S1,2025-11-06 20:00,COD,abc,mg/L,,
S1,2025-11-06 20:00,CODMN,-2,mg/L,,
S1,2025-11-06 20:00,DO,8,mg/L,卫星,
S1,2025-11-06 20:00,PH,7,,,海洋
,2025-11-06 20:00,BOD5,3,mg/L,,
S2,2025-11-06 20:00,NH3N,0.5,mg/L,,
S2,2025-11-06 20:00,NH3N,0.6,mg/L,,
""")
    with pytest.raises(RowErrors) as info:
        read_readings(data, name="bad.csv")
    got = {(e.row, e.column) for e in info.value.errors}
    assert got == {(2, "监测时间"), (3, "监测指标"), (4, "单位"), (5, "单位"), (6, "监测值"), (7, "监测值"),
                   (8, "数据来源"), (9, "水体类型"), (10, "站点编码"), (12, "监测值")}
    assert all(e.file == "bad.csv" and e.sheet == "" for e in info.value.errors)
    msgs = {(e.row, e.column): e.message for e in info.value.errors}
    assert "日期" in msgs[(2, "监测时间")] and "未知监测指标" in msgs[(3, "监测指标")]
    assert "负数" in msgs[(7, "监测值")] and "第 11 行" in msgs[(12, "监测值")]
    assert info.value.user_message == "发现 10 处错误，未写入任何数据"


def test_missing_or_unknown_columns_are_refused():
    with pytest.raises(RowErrors) as info:
        read_readings(_csv("site_code,time,value\nS1,2025-11-06,1\n"))
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "监测指标")]
    with pytest.raises(RowErrors) as info:
        read_readings(_csv("site_code,time,parameter,value,colour\nS1,2025-11-06,TP,1,red\n"))
    assert "未知列" in info.value.errors[0].message
    with pytest.raises(FileFormatError):
        read_readings(b"")


def test_duplicates_same_value_read_once_different_values_refused():
    # 0.10 and 0.1 are the same value; 25 µg/L and 0.025 mg/L too: read once
    recs = read_readings(_csv("""
site_code,time,parameter,value,unit
S1,2025-11-06 20:00,TP,0.10,mg/L
S1,2025-11-06T20:00+08:00,TP,0.1,mg/L
S1,2025-11-06 20:00,NH3N,25,µg/L
S1,2025-11-06 20:00,NH3N,0.025,mg/L
S1,2025-11-06 12:00Z,CODMN,3,mg/L
S1,2025-11-06 20:00,CODMN,3,mg/L
"""))
    assert [(r.parameter, r.value.value) for r in recs] == [("TP", 0.1), ("NH3N", 0.025), ("CODMN", 3.0)]
    # the same key from another source is another reading
    recs = read_readings(_csv("site_code,time,parameter,value,source\nS1,2025-11-06,TP,0.1,manual\n"
                              "S1,2025-11-06,TP,0.2,automatic\n"))
    assert len(recs) == 2


@pytest.mark.parametrize("cell,expected", [
    ("2025-11-06 20:00", "2025-11-06T20:00:00+08:00"), ("2025-11-06T12:00:00Z", "2025-11-06T12:00:00+00:00"),
    ("2025/11/06 20:00:30", "2025-11-06T20:00:30+08:00"), (dt.datetime(2025, 1, 2, 3, 4), "2025-01-02T03:04:00+08:00"),
    (dt.date(2025, 1, 2), "2025-01-02T00:00:00+08:00"),
])
def test_parse_time(cell, expected):
    assert parse_time(cell).isoformat() == expected


@pytest.mark.parametrize("cell", ["20:00", "", None, "11-06 20:00", "2025-13-01", "yesterday", dt.time(20, 0)])
def test_times_without_a_date_are_refused(cell):
    with pytest.raises(ValueError):
        parse_time(cell)


def test_basis_words_and_the_warning_rules_agree():
    """The readings file's bases are exactly those a discharge limit can have (issue #9 item 5)."""
    from outfall.core.standards.readings_io import BASES, parse_basis
    from outfall.core.warning import BASES as LIMIT_BASES

    assert BASES == LIMIT_BASES
    assert [parse_basis(b) for b in BASES] == list(BASES)
    assert (parse_basis(None), parse_basis(" 月均值 "), parse_basis("MONTHLY_MAX")) == ("sample", "monthly_avg",
                                                                                         "monthly_max")
    for bad in ("weekly_avg", "avg", "年均值"):
        with pytest.raises(ValueError, match="依据"):
            parse_basis(bad)


def test_basis_is_part_of_the_key_in_a_file():
    from outfall.core.standards.readings_io import read_readings

    rows = read_readings("site_code,time,parameter,value,basis\nS1,2025-07-31,COD,40,\nS1,2025-07-31,COD,62,monthly_avg\n"
                         "S1,2025-07-31,COD,62,月均值\n".encode(), name="r.csv")
    assert [(r.row, r.basis, r.value.value) for r in rows] == [(2, "sample", 40.0), (3, "monthly_avg", 62.0)]
    with pytest.raises(RowErrors) as exc:
        read_readings("site_code,time,parameter,value,依据\nS1,2025-07-31,COD,40,月均值\nS1,2025-07-31,COD,41,月均值\n"
                      .encode(), name="r.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "监测值")]
