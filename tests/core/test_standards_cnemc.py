"""The national release parser on small inline rows: marks, notes, refused cells, the page layouts.

The parsers against the real release (shared/data/cnemc-realtime-2025) are in test_cnemc_conformance.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from outfall.core.enums import WaterClass
from outfall.core.errors import FileFormatError, RowErrors
from outfall.core.standards.cnemc import WIDE_COLUMNS, read_release_csv, read_release_html, release_records

TZ = ZoneInfo("Asia/Shanghai")
HEAD = (["snapshot", "province", "basin", "section", "city", "river", "monitor_time", "monitor_time_mmdd_hhmm",
         "official_class", "class_color"] + [f"{c}{s}" for c in WIDE_COLUMNS for s in ("", "_raw", "_note")]
        + ["station_status"])


def _csv(*rows: dict) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, HEAD, restval="")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode("utf-8")


BASE = {"snapshot": "20251106T233901", "province": "山东省", "basin": "淮河流域", "section": "马连庄", "city": "青岛市",
        "river": "大沽河", "monitor_time": "2025-11-06 20:00", "official_class": "Ⅱ", "station_status": "正常"}


def test_marks_notes_and_missing_never_zero():
    row = dict(BASE, ph="8", ph_raw="8.073", do_mg_l="9.9", do_mg_l_raw="9.861", codmn_mg_l="--",
               codmn_mg_l_note="当天质控不合格", nh3n_mg_l="0.02", nh3n_mg_l_raw="0.025", tp_mg_l="*", water_temp_c="-0.2",
               water_temp_c_raw="-0.23", tn_mg_l="--", tn_mg_l_note="极值过滤")
    (r,) = read_release_csv(_csv(row))
    assert r.official_class == WaterClass.II and r.time == dt.datetime(2025, 11, 6, 20, tzinfo=TZ)
    assert {k: v.value for k, v in r.values.items()} == {"PH": 8.0, "DO": 9.9, "NH3N": 0.02, "WT": -0.2}
    assert r.raw["NH3N"].value == 0.025 and r.layout == "2025" and r.city == "青岛市"
    assert r.notes == {"CODMN": "当天质控不合格", "TN": "极值过滤"}
    longs = {x.parameter: x for x in release_records([r])}
    assert len(longs) == len(WIDE_COLUMNS)
    assert longs["CODMN"].value.missing and longs["CODMN"].value.note == "当天质控不合格"
    assert longs["TP"].value.missing and longs["TP"].raw is None and longs["NH3N"].value.value == 0.02


def test_not_reporting_and_2026_rows():
    quiet = dict(BASE, monitor_time="", official_class="", station_status="维护", ph="--")
    new = dict(BASE, snapshot="20260208T125851", official_class="--", city="", river="", station_status="",
               ph="8.17", ph_raw="8.171")
    a, b = read_release_csv(_csv(quiet, new))
    assert a.time is None and a.official_class is None and a.values == {}
    assert b.official_class is None and b.layout == "2026" and b.values["PH"].value == 8.17


def test_junk_cells_are_refused_with_row_and_column():
    with pytest.raises(RowErrors) as info:
        read_release_csv(_csv(BASE, dict(BASE, nh3n_mg_l="abc", monitor_time="11-06 20:00", official_class="Ⅶ")))
    assert {(e.row, e.column) for e in info.value.errors} == {(3, "nh3n_mg_l"), (3, "monitor_time"),
                                                             (3, "official_class")}


def _page(when: str, values: list[str], *, status: str | None = "正常", tip: str = "") -> str:
    cells = "".join(f'<td class="parm">{v}</td>' for v in values)
    last = f'<td class="parm1">{status}</td>' if status is not None else ""
    return ('<ul><li class="news-item"><table><tbody><tr><td class="dq"><span>山东省</span></td>'
            '<td class="ly"><span>淮河流域</span></td>'
            f'<td class="MN"><span><span data-original-title="{tip}">马连庄</span></span></td>'
            f'<td class="dt">{when}</td><td class="wt"><span class="sp_wt">Ⅱ</span></td>'
            f'{cells}{last}</tr></tbody></table></li></ul>')


def test_page_rows_tooltips_notes_and_layouts():
    values = ['<span title="原始值：1.04">1.0</span>', "8", "9.0", "300.0", "2.0",
              '<span data-original-title="当天质控不合格">--</span>', "0.10", "0.020", "1.00", "*", "*"]
    (r,) = read_release_html(_page("11-06 20:00", values, tip="所在地市:青岛市\n所属河流:大沽河"),
                             captured=dt.datetime(2025, 11, 6, 23, 0, tzinfo=TZ))
    assert (r.city, r.river, r.layout, r.station_status) == ("青岛市", "大沽河", "2025", "正常")
    assert r.raw == {"WT": r.raw["WT"]} and r.raw["WT"].value == 1.04 and r.notes == {"CODMN": "当天质控不合格"}
    assert "CODMN" not in r.values and r.values["TP"].value == 0.02 and r.official_class == WaterClass.II
    (n,) = read_release_html(_page("02-08 12:00", values[:10] + ["--"], status=None),  # 16 columns: 2026
                             captured=dt.datetime(2026, 2, 8, 13, 0, tzinfo=TZ))
    assert n.layout == "2026" and n.station_status == "" and n.time == dt.datetime(2026, 2, 8, 12, tzinfo=TZ)


def test_page_year_rolls_back_for_december_rows_captured_in_january():
    page = _page("12-31 23:00", ["1.0", "8", "9.0", "300.0", "2.0", "2.0", "0.10", "0.020", "1.00", "*", "*"])
    (r,) = read_release_html(page, captured=dt.datetime(2026, 1, 1, 0, 30, tzinfo=TZ))
    assert r.time == dt.datetime(2025, 12, 31, 23, tzinfo=TZ) and r.values["NH3N"].value == 0.1
    with pytest.raises(FileFormatError):
        read_release_html("<html><body>维护中</body></html>", captured=dt.datetime(2026, 1, 1, tzinfo=TZ))
