"""Issue #7 (hardening), the file-handling items, through the ledger importer, the web pages and the CLI:

- 3: bombs and hostile workbooks are refused with a clear message (never a 500), the import limits
  come from the settings, a river ZIP is checked before it is inflated;
- 4: names that look like formulas are exported as text and round-trip exactly;
- 10: re-importing a ledger without its codes refuses every likely duplicate, naming the outfall;
- 11: a county ledger with title rows, merged headers, DMS coordinates, in GBK CSV or XLSX, imports
  on the first try (the done-when check).
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from factories import make_outfall, make_towns, make_users, outfall_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
import bombs  # noqa: E402

from outfall.core.errors import FileFormatError, RowErrors, TooLargeError  # noqa: E402
from outfall.core.geo import parse_degrees  # noqa: E402
from outfall.core.limits import ImportLimits  # noqa: E402
from outfall.ledger.excel import import_outfalls  # noqa: E402
from outfall.ledger.exporting import export_ledger  # noqa: E402
from outfall.ledger.models import Outfall  # noqa: E402
from outfall.ledger.services import create_outfall  # noqa: E402

TITLE = "莱西市入河排污口台账（2025年）"
SUBTITLE = "填报单位：莱西市生态环境分局　　填报日期：2025年6月30日"
# (name, 一级, 二级, lon DMS, lat DMS, town, water, m³/d, party, credit code)
COUNTY = [
    ("莱西市东庄食品有限公司排污口", "工业排污口", "工矿企业排污口", "120°31′35.4″", "36°53′13.2″", "水集街道", "大沽河",
     "120", "莱西市东庄食品有限公司", "91350100M000100Y43"),
    ("姜山镇污水处理厂排污口", "城镇污水处理厂排污口", "", "120度28分12秒", "36度42分30.6秒", "姜山镇", "五沽河",
     "8000", "莱西市姜山污水处理厂", ""),
    ("南村雨水排口", "其他排口", "", "120 33 0.5", "36 54 1", "水集街道", "小沽河", "", "", ""),
]


def county_xlsx() -> bytes:
    """The county's workbook: a cover sheet, then two title rows and a two-level merged header."""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由各镇街填报，经区局汇总。"])
    ws = wb.create_sheet("台账")
    ws.append([TITLE])
    ws.append([SUBTITLE])
    ws.append(["序号", "排污口名称", "排污口类型", None, "坐标", None, "所属镇街", "受纳水体", "设计排放量(m³/d)",
               "责任主体", "统一社会信用代码"])
    ws.append([None, None, "一级类型", "二级类型", "经度", "纬度"])
    for col in "ABGHIJK":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:F3")
    ws.merge_cells("A1:K1")
    for i, r in enumerate(COUNTY, start=1):
        ws.append([i, *r[:7], float(r[7]) if r[7] else None, *r[8:]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def county_gbk_csv() -> bytes:
    """The same ledger saved by Excel as CSV (GBK): the title row padded with commas, m³ lost to m?."""
    header = ["序号", "排污口名称", "一级类型", "二级类型", "经度", "纬度", "所属镇街", "受纳水体", "设计排放量(m³/d)",
              "责任主体", "统一社会信用代码"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([TITLE] + [""] * (len(header) - 1))
    w.writerow(header)
    for i, r in enumerate(COUNTY, start=1):
        w.writerow([i, *r])
    return buf.getvalue().encode("gbk", errors="replace")


def csv_bytes(rows: list[list], header: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


class CountyLedgerTests(TestCase):
    """Item 11's done-when check."""

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.admin = make_users(cls.town_a, cls.town_b)["admin"]

    def _assert_landed(self, result):
        assert result.committed and result.errors == [] and result.created == 3, result.errors
        o = Outfall.objects.get(name="莱西市东庄食品有限公司排污口")
        assert o.lon == pytest.approx(120 + 31 / 60 + 35.4 / 3600, abs=1e-9)
        assert o.lat == pytest.approx(36 + 53 / 60 + 13.2 / 3600, abs=1e-9)
        assert o.design_discharge_m3_d == 120.0 and o.town == self.town_a
        assert Outfall.objects.get(name="姜山镇污水处理厂排污口").lat == pytest.approx(parse_degrees("36°42′30.6″"))

    def test_the_title_row_xlsx_with_merged_headers_and_dms_imports_first_time(self):
        result = import_outfalls(county_xlsx(), actor=self.admin, name="莱西市台账.xlsx")
        assert (result.sheet, result.header_row) == ("台账", 4)
        self._assert_landed(result)

    def test_the_title_row_gbk_csv_with_dms_imports_first_time(self):
        data = county_gbk_csv()
        assert "设计排放量(m?/d)".encode("gbk") in data
        result = import_outfalls(data, actor=self.admin, name="莱西市台账.csv")
        assert (result.sheet, result.header_row) == ("", 2)
        self._assert_landed(result)

    def test_the_cli_imports_it_and_says_where_the_header_was(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "莱西市台账.xlsx"
            path.write_bytes(county_xlsx())
            code, out = run_cli("import", "outfalls", str(path), "--dry-run")
            assert code == 0 and "表头: 工作表「台账」第 4 行" in out and "  新建: 3" in out and "试导入通过" in out
            code, out = run_cli("import", "outfalls", str(path))
        assert code == 0 and Outfall.objects.count() == 3

    def test_the_cli_refuses_a_pdf_or_a_prose_txt_by_content(self):
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "台账.pdf"
            pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
            renamed = Path(tmp) / "台账.xlsx"
            renamed.write_bytes(pdf.read_bytes())
            txt = Path(tmp) / "说明.txt"
            txt.write_text("请各镇街于月底前报送台账。\n谢谢。\n", encoding="gbk")
            for path, why in ((pdf, "内容是 PDF 文档"), (renamed, "内容是 PDF 文档"), (txt, "不是 CSV 表格")):
                code, err = run_cli("import", "outfalls", str(path), stream="stderr")
                assert code == 2 and why in err, err
            ok = Path(tmp) / "台账.txt"  # a CSV saved as .txt is read by its content
            ok.write_bytes(county_gbk_csv())
            code, out = run_cli("import", "outfalls", str(ok))
        assert code == 0 and Outfall.objects.count() == 3


def run_cli(*argv, stream: str = "stdout") -> tuple[int, str]:
    from outfall.cli import main

    buf = io.StringIO()
    redirect = contextlib.redirect_stdout if stream == "stdout" else contextlib.redirect_stderr
    with redirect(buf):
        code = main(list(argv))
    return code, buf.getvalue()


class DuplicateTests(TestCase):
    """Item 10: likely duplicates are refused unless confirmed."""

    HEADER = ["排污口名称", "一级类型", "二级类型", "经度", "纬度", "所属镇街", "受纳水体"]

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.admin = make_users(cls.town_a, cls.town_b)["admin"]
        cls.o = make_outfall(cls.town_a, cls.admin, name="甲厂排污口", original_lon=120.5, original_lat=36.9, lon=120.5,
                             lat=36.9, code="370285G0500")

    def row(self, name="甲厂排污口", lon="120.5001", lat="36.9", town="水集街道"):
        return [name, "工业排污口", "工矿企业排污口", lon, lat, town, "大沽河"]

    def test_a_reexported_ledger_without_codes_duplicates_nothing(self):
        for i in range(5):
            create_outfall(outfall_data(self.town_b if i % 2 else self.town_a), actor=self.admin)
        exported = export_ledger(Outfall.objects.all(), "csv").decode("utf-8-sig").splitlines()
        without_codes = "\n".join(line.split(",", 1)[1] for line in exported).encode()
        with pytest.raises(RowErrors) as exc:
            import_outfalls(without_codes, actor=self.admin, name="no-codes.csv")
        assert Outfall.objects.count() == 6
        messages = [e.message for e in exc.value.errors]
        assert len(messages) == 6 and all(m.startswith("疑似重复: 与已有排污口 370285") for m in messages)
        assert "与已有排污口 370285G0500「甲厂排污口」同名、同镇街，相距 0 米" in "".join(messages)

    def test_dry_run_lists_them_and_allowing_creates_them_as_warnings(self):
        data = csv_bytes([self.row()], self.HEADER)  # 8.9 m east of the existing one
        dry = import_outfalls(data, actor=self.admin, name="d.csv", dry_run=True)
        assert [(e.row, e.column) for e in dry.errors] == [(2, "排污口名称")] and dry.duplicates == dry.errors
        assert "370285G0500" in dry.errors[0].message and "相距 9 米" in dry.errors[0].message
        with pytest.raises(RowErrors):
            import_outfalls(data, actor=self.admin, name="d.csv")
        assert Outfall.objects.count() == 1
        done = import_outfalls(data, actor=self.admin, name="d.csv", allow_duplicates=True)
        assert done.created == 1 and done.errors == [] and len(done.warnings) == 1
        assert Outfall.objects.filter(name="甲厂排污口").count() == 2

    def test_far_enough_or_another_town_or_name_is_not_a_duplicate(self):
        rows = [self.row(lon="120.5004"),  # 36 m
                self.row(town="姜山镇"), self.row(name="乙厂排污口")]
        assert import_outfalls(csv_bytes(rows, self.HEADER), actor=self.admin, name="ok.csv").created == 3

    @override_settings(OUTFALL_IMPORT_DUPLICATE_M=50)
    def test_the_tolerance_is_a_setting_and_rows_of_one_file_count_too(self):
        rows = [self.row(name="丙", lon="120.51"), self.row(name=" 丙 ", lon="120.5102"), self.row(lon="120.5004")]
        with pytest.raises(RowErrors) as exc:
            import_outfalls(csv_bytes(rows, self.HEADER), actor=self.admin, name="f.csv")
        got = {e.row: e.message for e in exc.value.errors}
        assert got[3].startswith("疑似重复: 与本文件第 2 行同名、同镇街，相距 18 米 (≤ 50 米)")
        assert "370285G0500" in got[4]

    def test_the_cli_needs_allow_duplicates(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "d.csv"
            path.write_bytes(csv_bytes([self.row()], self.HEADER))
            code, err = run_cli("import", "outfalls", str(path), stream="stderr")
            assert code == 2 and "370285G0500" in err and "--allow-duplicates" in err
            code, out = run_cli("import", "outfalls", str(path), "--allow-duplicates")
        assert code == 0 and "警告 (不影响导入):" in out and "  新建: 1" in out
        assert Outfall.objects.count() == 2

    def test_the_web_import_asks_for_the_checkbox(self):
        self.client.force_login(self.admin)
        with override_settings(MEDIA_ROOT=tempfile.mkdtemp()):
            r = self.client.post("/ledger/import/", {"file": SimpleUploadedFile("d.csv", csv_bytes([self.row()],
                                                                                               self.HEADER))})
            body = r.content.decode()
            assert 'id="allow-duplicates"' in body and "370285G0500" in body
            assert "表头: 第 1 行" in body  # where the header was found
            token = r.context["token"]
            r = self.client.post("/ledger/import/", {"token": token})
            assert Outfall.objects.count() == 1 and 'id="allow-duplicates"' in r.content.decode()
            r = self.client.post("/ledger/import/", {"token": token, "allow_duplicates": "1"})
        assert r.context["committed"] and Outfall.objects.count() == 2

    def test_the_web_import_tells_the_kind_by_content_not_by_name(self):
        self.client.force_login(self.admin)
        with override_settings(MEDIA_ROOT=tempfile.mkdtemp()):
            data = csv_bytes([self.row(name="丁厂排污口", lon="120.60")], self.HEADER)
            r = self.client.post("/ledger/import/", {"file": SimpleUploadedFile("台账导出.txt", data)})
            assert "fatal" not in r.context and not r.context["result"].errors
            r = self.client.post("/ledger/import/", {"token": r.context["token"]})
        assert r.context["committed"] and Outfall.objects.filter(name="丁厂排污口").exists()


class FormulaExportTests(TestCase):
    """Item 4: text that looks like a formula is exported as text and round-trips exactly."""

    NASTY = {"name": '=HYPERLINK("http://evil.example","点我")', "address": "+1+2", "notes": "@SUM(A1)",
             "approval_number": "-", "receiving_water": "'大沽河"}

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.admin = make_users(cls.town_a, cls.town_b)["admin"]
        make_outfall(cls.town_a, cls.admin, code="370285G0001", **cls.NASTY,
                     parties=[{"name": "=cmd|' /C calc'!A0", "uscc": None, "industry": "#N/A",
                                   "contact": "+86 138 0000 0000"}])
        make_outfall(cls.town_b, cls.admin, code="370285G0002")

    def test_csv_cells_are_quoted_and_xlsx_cells_are_strings(self):
        text = export_ledger(Outfall.objects.all(), "csv").decode("utf-8-sig")
        cells = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "370285G0001")
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
        assert cells[2] == "'" + self.NASTY["name"] and "''大沽河" in cells
        data = export_ledger(Outfall.objects.all(), "xlsx")
        sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet and b't="e"' not in sheet
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "370285G0001")
        assert row[2].value == self.NASTY["name"] and row[2].data_type == "s"

    def test_export_import_export_is_identical_and_restores_the_values(self):
        for fmt in ("csv", "xlsx"):
            first = export_ledger(Outfall.objects.all(), fmt)
            result = import_outfalls(first, actor=self.admin, name=f"l.{fmt}")
            assert (result.created, result.updated, result.unchanged) == (0, 0, 2), fmt
            assert export_ledger(Outfall.objects.all(), fmt) == first, fmt
        first = export_ledger(Outfall.objects.all(), "xlsx")
        csv_first = export_ledger(Outfall.objects.all(), "csv")
        for fmt, data in (("xlsx", first), ("csv", csv_first)):
            Outfall.objects.all().delete()
            assert import_outfalls(data, actor=self.admin, name=f"l.{fmt}").created == 2, fmt
            o = Outfall.objects.get(code="370285G0001")
            assert {k: getattr(o, k) for k in self.NASTY} == self.NASTY, fmt
            party = o.responsible_parties.get()
            assert (party.name, party.industry, party.contact) == ("=cmd|' /C calc'!A0", "#N/A", "+86 138 0000 0000")
        assert export_ledger(Outfall.objects.all(), "xlsx") == first


class HostileFileTests(TestCase):
    """Item 3 through the ledger, the web pages and the rivers upload."""

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.admin = make_users(cls.town_a, cls.town_b)["admin"]

    def test_the_limits_come_from_the_settings(self):
        rows = [["甲", "工业排污口", "120.5", "36.9", "水集街道", "大沽河"]] * 30
        data = csv_bytes(rows, ["排污口名称", "一级类型", "经度", "纬度", "所属镇街", "受纳水体"])
        with override_settings(OUTFALL_IMPORT_LIMITS=ImportLimits(max_rows=10)), pytest.raises(TooLargeError) as exc:
            import_outfalls(data, actor=self.admin, name="big.csv", dry_run=True)
        assert "big.csv: 超过 10 行上限 (OUTFALL_IMPORT_MAX_ROWS)" in exc.value.user_message

    def test_bombs_and_bad_xml_on_the_import_page_are_refused_cleanly(self):
        self.client.force_login(self.admin)
        evil = bombs.replace_member(bombs.workbook_bytes([["排污口名称"]]), "xl/workbook.xml", [
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aa">]><workbook>&a;</workbook>'])
        for name, data, why in [("bomb.xlsx", bombs.xlsx_bomb(50_000), "疑似压缩炸弹"),
                                ("dim.xlsx", bombs.sparse_sheet({"A1": "x"}, dimension="A1:XFD1048576"), "工作表声明"),
                                ("dtd.xlsx", evil, "文件已损坏"), ("ledger.csv", b"%PDF-1.4 x", "内容是 PDF 文档")]:
            r = self.client.post("/ledger/import/", {"file": SimpleUploadedFile(name, data)})
            assert r.status_code == 200 and why in r.context["fatal"], (name, r.context.get("fatal"))
        with pytest.raises(FileFormatError):
            import_outfalls(evil, actor=self.admin, name="dtd.xlsx")

    def test_a_zip_bomb_river_upload_is_refused_before_extraction(self):
        self.client.force_login(self.admin)
        data = bombs.zip_bomb("rivers.shp", mib=50, extra={"rivers.dbf": b"x", "rivers.shx": b"x"})
        assert len(data) < 200 * 1024
        r = self.client.post("/rivers/import/", {"file": SimpleUploadedFile("rivers.zip", data)}, follow=True)
        body = r.content.decode()
        assert "rivers.zip: 成员「rivers.shp」压缩比" in body and "疑似压缩炸弹" in body

    def test_a_zip_bomb_towns_upload_is_refused_before_extraction(self):
        self.client.force_login(self.admin)
        data = bombs.zip_bomb("towns.shp", mib=50, extra={"towns.dbf": b"x", "towns.shx": b"x"})
        r = self.client.post("/towns/import/", {"file": SimpleUploadedFile("towns.zip", data)}, follow=True)
        body = r.content.decode()
        assert "towns.zip: 成员「towns.shp」压缩比" in body and "疑似压缩炸弹" in body

    def test_the_cli_checks_a_zipped_shapefile_before_gdal_reads_it(self):
        from outfall.core.network import read_reaches

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "rivers.zip"
            path.write_bytes(bombs.zip_bomb("rivers.shp", mib=20))
            with pytest.raises(TooLargeError, match="ratio"):
                read_reaches(path)
