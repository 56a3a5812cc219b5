"""Import/export of the ledger: every bad input named by file, row and column; whole or nothing;
export → import → export identical."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import TestCase

from factories import make_outfall, make_towns, make_users
from outfall.core.errors import FileFormatError, RowErrors
from outfall.core.geo import wgs84_to_gcj02
from outfall.history.models import ChangeRecord
from outfall.ledger.excel import import_outfalls
from outfall.ledger.exporting import export_ledger
from outfall.ledger.models import Outfall, ResponsibleParty

HEADER = ["排污口编码", "排污口名称", "一级类型", "二级类型", "经度", "纬度", "坐标系", "所属镇街", "受纳水体",
          "责任主体", "统一社会信用代码"]
GOOD = ["", "甲厂排污口", "工业排污口", "工矿企业排污口", "120.50", "36.90", "WGS84", "水集街道", "大沽河",
        "甲厂", "91350100M000100Y43"]


def csv_bytes(rows, header=HEADER) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(**over):
    r = dict(zip(HEADER, GOOD, strict=True))
    r.update(over)
    return [r[h] for h in HEADER]


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.admin = cls.users["admin"]

    def errors_of(self, data: bytes, name="t.csv"):
        with pytest.raises(RowErrors) as exc:
            import_outfalls(data, actor=self.admin, name=name)
        assert Outfall.objects.count() == 0, "nothing may be written"
        return [(e.file, e.row, e.column, e.message) for e in exc.value.errors]

    def test_good_rows_land_with_generated_codes_in_one_batch(self):
        result = import_outfalls(csv_bytes([row(), row(排污口名称="乙", 统一社会信用代码="", 责任主体="")]),
                                 actor=self.admin, name="t.csv")
        assert (result.created, result.updated, result.committed) == (2, 0, True)
        codes = sorted(Outfall.objects.values_list("code", flat=True))
        assert codes == ["370285G0001", "370285G0002"]
        batches = set(ChangeRecord.objects.values_list("batch_id", flat=True))
        assert batches == {result.batch_id}
        assert ResponsibleParty.objects.get().uscc == "91350100M000100Y43"

    def test_every_bad_cell_is_reported_with_row_and_column(self):
        rows = [
            row(),                                            # row 2 fine
            row(经度="abc"),                                  # 3 not a number
            row(经度="36.9", 纬度="120.5"),                   # 4 swapped
            row(经度="116.4", 纬度="39.9"),                   # 5 outside the area
            row(统一社会信用代码="91350100M000100Y44"),       # 6 bad check character
            row(所属镇街="不存在镇"),                          # 7 unknown town
            row(一级类型="工厂排口"),                          # 8 unknown type
            row(坐标系="Mars"),                               # 9 unknown CRS
            row(排污口编码="X1"), row(排污口编码="X1"),       # 10, 11 duplicate code in the file
            row(排污口名称=""),                               # 12 empty required
        ]
        errs = self.errors_of(csv_bytes(rows))
        by_row = {r: (col, msg) for _f, r, col, msg in errs}
        assert all(f == "t.csv" for f, *_ in errs)
        assert by_row[3][0] == "经度" and "不是数字" in by_row[3][1]
        assert "颠倒" in by_row[4][1]
        assert "不在莱西市范围内" in by_row[5][1]
        assert by_row[6][0] == "统一社会信用代码" and "校验位" in by_row[6][1]
        assert by_row[7][0] == "所属镇街" and "未知镇街" in by_row[7][1]
        assert by_row[8][0] == "一级类型"
        assert "未知坐标系" in by_row[9][1]
        assert by_row[11] == ("排污口编码", "排污口编码「X1」与第 10 行重复")
        assert by_row[12][0] == "排污口名称"
        assert 2 not in by_row

    def test_one_credit_code_with_two_names_in_one_file_is_refused(self):
        errs = self.errors_of(csv_bytes([row(), row(排污口名称="乙厂排污口", 责任主体="乙厂")]))
        assert [(r, c) for _f, r, c, _m in errs] == [(3, "责任主体")]
        assert "第 2 行的名称为「甲厂」" in errs[0][3] and "「乙厂」" in errs[0][3]
        result = import_outfalls(csv_bytes([row(), row(排污口名称="乙厂排污口", 责任主体="甲厂"),
                                            row(排污口名称="丙厂排污口", 责任主体="", 统一社会信用代码="")]), actor=self.admin, name="t.csv")
        assert result.created == 3 and ResponsibleParty.objects.get().name == "甲厂"

    def test_unknown_and_missing_headers(self):
        errs = self.errors_of(csv_bytes([["a", "b"]], header=["排污口名称", "奇怪的列"]))
        cols = {c for _f, r, c, _m in errs if r == 1}
        assert "奇怪的列" in cols and "一级类型" in cols and "经度" in cols

    def test_truncated_and_wrong_files(self):
        good = xlsx_bytes([row()])
        with pytest.raises(FileFormatError):
            import_outfalls(good[: len(good) // 2], actor=self.admin, name="cut.xlsx")
        with pytest.raises(FileFormatError):
            import_outfalls(b"", actor=self.admin, name="empty.csv")
        with pytest.raises(FileFormatError):
            import_outfalls(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, actor=self.admin, name="old.xls")
        assert Outfall.objects.count() == 0

    def test_duplicate_national_code_against_database(self):
        make_outfall(self.town_a, self.admin, national_code="N-1", code="370285G0100")
        header = HEADER + ["国家平台编码"]
        errs = [e for e in self._errors_keep(csv_bytes([row() + ["N-1"]], header=header))]
        assert errs == [(2, "国家平台编码", "国家平台编码「N-1」已属于排污口 370285G0100")]

    def _errors_keep(self, data):
        with pytest.raises(RowErrors) as exc:
            import_outfalls(data, actor=self.admin, name="t.csv")
        return [(e.row, e.column, e.message) for e in exc.value.errors]

    def test_gcj02_offset_on_reimport_is_suspected(self):
        o = make_outfall(self.town_a, self.admin, code="370285G0200")
        glon, glat = wgs84_to_gcj02(o.lon, o.lat)
        errs = self._errors_keep(csv_bytes([row(排污口编码=o.code, 经度=f"{glon:.7f}", 纬度=f"{glat:.7f}")]))
        assert errs and errs[0][1] == "坐标系" and "GCJ-02" in errs[0][2]
        ok = import_outfalls(csv_bytes([row(排污口编码=o.code, 经度=f"{glon:.7f}", 纬度=f"{glat:.7f}",
                                            坐标系="GCJ02")]), actor=self.admin, name="t.csv")
        assert ok.updated == 1
        o.refresh_from_db()
        assert abs(o.lon - 120.5001) < 1e-6 or o.original_crs == "GCJ02"

    def test_dry_run_writes_nothing_and_reports_counts(self):
        make_outfall(self.town_a, self.admin, code="370285G0300")
        result = import_outfalls(csv_bytes([row(排污口编码="370285G0300"), row()]), actor=self.admin,
                                 name="t.csv", dry_run=True)
        assert (result.created, result.updated, result.committed) == (1, 1, False)
        assert Outfall.objects.count() == 1

    def test_failure_midway_leaves_nothing(self):
        rows = [row(排污口名称=f"口{i}") for i in range(50)] + [row(经度="x")]
        self.errors_of(xlsx_bytes(rows), name="big.xlsx")

    def test_update_by_code_records_a_diff(self):
        o = make_outfall(self.town_a, self.admin, code="370285G0400")
        import_outfalls(csv_bytes([row(排污口编码=o.code, 排污口名称="新名字")]), actor=self.admin, name="t.csv")
        rec = ChangeRecord.objects.filter(action="import").get()
        diff = dict((k, (a, b)) for k, a, b in rec.diff())
        assert diff["name"] == (o.name, "新名字")


class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.demo.ledger import outfall_rows
        from outfall.ledger.services import create_outfall

        cls.town_a, cls.town_b = make_towns()
        cls.admin = make_users(cls.town_a, cls.town_b)["admin"]
        towns = {"水集街道": cls.town_a, "姜山镇": cls.town_b}
        for r in outfall_rows(40, seed=7):
            r["town"] = towns["水集街道" if len(r["name"]) % 2 else "姜山镇"]
            create_outfall(r, actor=cls.admin)

    def test_export_import_export_is_identical(self):
        for fmt in ("xlsx", "csv"):
            first = export_ledger(Outfall.objects.all(), fmt)
            result = import_outfalls(first, actor=self.admin, name=f"ledger.{fmt}")
            assert (result.created, result.updated, result.unchanged) == (0, 0, 40), fmt
            assert export_ledger(Outfall.objects.all(), fmt) == first, fmt

    def test_exported_file_reimports_into_an_empty_database_unchanged(self):
        first = export_ledger(Outfall.objects.all(), "xlsx")
        geo = export_ledger(Outfall.objects.all(), "geojson")
        Outfall.objects.all().delete()
        assert import_outfalls(first, actor=self.admin, name="ledger.xlsx").created == 40
        assert export_ledger(Outfall.objects.all(), "xlsx") == first
        assert export_ledger(Outfall.objects.all(), "geojson") == geo

    def test_geojson_and_kml_carry_every_outfall(self):
        import json

        fc = json.loads(export_ledger(Outfall.objects.all(), "geojson"))
        assert len(fc["features"]) == 40
        assert fc["features"][0]["properties"]["code"]
        kml = export_ledger(Outfall.objects.all(), "kml").decode()
        assert kml.count("<Placemark>") == 40
