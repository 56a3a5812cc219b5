"""Monitoring: section import, readings ingest (errors by row and column, whole or nothing,
idempotent), the station push API, and the section pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_outfall, make_towns, make_users
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.monitoring.ingest import import_readings, import_station_release
from outfall.monitoring.models import ReadingBatch, Section, SectionReading
from outfall.monitoring.services import import_sections

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "readings_sample.csv"
SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标,级别,所在河流\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ,国控,大沽河\n"
            "370285S02,产芝水库,120.443,36.976,Ⅲ,省控,产芝水库\n"
            "370285S03,洙河入河口,120.41,36.844,Ⅳ类,市控,洙河\n"
            "370285S04,大沽河沽河桥,120.384,36.776,Ⅲ,市控,大沽河\n").encode()


class MonitoringTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.admin = cls.users["admin"]
        import_sections(SECTIONS, actor=cls.admin, name="sections.csv")

    def test_sections_imported_with_default_water_type(self):
        assert Section.objects.get(code="370285S02").water_type == "lake"  # 水库 in the name
        assert Section.objects.get(code="370285S01").water_type == "river"
        assert Section.objects.get(code="370285S03").target_class == "IV"

    def test_section_file_errors(self):
        bad = "断面编码,断面名称,经度,纬度,水质目标\nX1,甲,120.4,36.8,Ⅵ\nX1,乙,36.8,120.4,Ⅲ\n".encode()
        with pytest.raises(RowErrors) as exc:
            import_sections(bad, actor=self.admin, name="s.csv")
        got = {(e.row, e.column) for e in exc.value.errors}
        assert {(2, "水质目标"), (3, "断面编码"), (3, "经度")} <= got
        assert not Section.objects.filter(code="X1").exists()
        with pytest.raises(PermissionDeniedError):
            import_sections(SECTIONS, actor=self.users["town_a"], name="s.csv")

    def test_sample_readings_import_and_reimport_is_idempotent(self):
        r1 = import_readings(SAMPLE.read_bytes(), actor=self.admin, name=SAMPLE.name)
        n = SectionReading.objects.count()
        assert r1.committed and n == r1.rows == len(SAMPLE.read_text(encoding="utf-8").strip().splitlines()) - 1
        v = SectionReading.objects.get(section__code="370285S03", parameter="VPHENOL")
        assert (v.value, v.qualifier, v.detection_limit) == (None, "<", 0.002)
        r2 = import_readings(SAMPLE.read_bytes(), actor=self.admin, name=SAMPLE.name)
        assert SectionReading.objects.count() == n and r2.batch_id != r1.batch_id
        assert ReadingBatch.objects.count() == 2

    def test_every_bad_reading_is_named_and_nothing_is_written(self):
        data = ("site_code,time,parameter,value,unit\n"
                "370285S01,2025-11-06 20:00,氨氮,0.12,mg/L\n"       # 2 fine
                "370285S01,11-06 20:00,氨氮,0.12,mg/L\n"            # 3 time without a date
                "370285S01,2025-11-06 21:00,奇怪指标,0.12,mg/L\n"   # 4 unknown parameter
                "370285S01,2025-11-06 22:00,TP,abc,mg/L\n"          # 5 not a number
                "370285S01,2025-11-06 23:00,TP,-0.1,mg/L\n"         # 6 negative
                "370285S01,2025-11-07 00:00,TP,0.1,kg\n"            # 7 unknown unit
                "NOPE,2025-11-07 01:00,TP,0.1,mg/L\n"               # 8 unknown site
                "370285S01,2025-11-06 20:00,氨氮,0.15,mg/L\n")      # 9 duplicate of row 2, other value
        with pytest.raises(RowErrors) as exc:
            import_readings(data.encode(), actor=self.admin, name="bad.csv")
        got = {(e.row, e.column) for e in exc.value.errors}
        assert {(3, "监测时间"), (4, "监测指标"), (5, "监测值"), (6, "监测值"), (7, "单位"), (9, "监测值")} <= got
        assert all(e.file == "bad.csv" for e in exc.value.errors)
        good_otherwise = data.replace("NOPE", "370285S01").split("\n")
        with pytest.raises(RowErrors) as exc:
            import_readings("\n".join(good_otherwise[:2] + [good_otherwise[7]]).replace(
                "370285S01,2025-11-07 01:00", "NOPE,2025-11-07 01:00").encode(), actor=self.admin, name="x.csv")
        assert [(e.row, e.column) for e in exc.value.errors] == [(3, "站点编码")]
        assert SectionReading.objects.count() == 0

    def test_units_are_converted_to_the_registry_unit(self):
        data = "site_code,time,parameter,value,unit\n370285S01,2025-11-06 20:00,TP,32,µg/L\n".encode()
        import_readings(data, actor=self.admin, name="u.csv")
        assert SectionReading.objects.get().value == pytest.approx(0.032)

    def test_outfall_readings_go_to_the_outfall(self):
        o = make_outfall(self.town_a, self.admin)
        data = f"排污口编码,监测时间,监测指标,监测值,单位,来源\n{o.code},2025-11-06 20:00,COD,85,mg/L,在线\n".encode()
        r = import_readings(data, actor=self.admin, name="o.csv")
        assert (r.section_rows, r.outfall_rows) == (0, 1)
        assert o.readings.get().source == "online"

    def test_push_api(self):
        token = Token.objects.create(user=self.users["bureau"])
        auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        body = {"source": "automatic", "readings": [
            {"site_code": "370285S01", "time": "2025-11-06T20:00:00+08:00", "parameter": "NH3N", "value": "0.12"},
            {"site_code": "370285S01", "time": "2025-11-06T20:00:00+08:00", "parameter": "w21011", "value": "0.03"}]}
        r = self.client.post("/api/readings/", body, content_type="application/json", **auth)
        assert r.status_code == 201, r.content
        assert SectionReading.objects.filter(source="automatic").count() == 2
        bad = {"readings": [{"site_code": "370285S01", "time": "2025-11-06", "parameter": "NH3N", "value": "x"},
                            {"site_code": "ZZZ", "time": "2025-11-06", "parameter": "FOO", "value": "1"}]}
        r = self.client.post("/api/readings/", bad, content_type="application/json", **auth)
        assert r.status_code == 400
        errs = r.json()["errors"]
        assert {(e["row"], e["column"]) for e in errs} >= {(1, "监测值"), (2, "监测指标")}
        assert self.client.post("/api/readings/", {"readings": []}, content_type="application/json",
                                **auth).status_code == 400
        viewer = Token.objects.create(user=self.users["viewer"])
        r = self.client.post("/api/readings/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {viewer.key}")
        assert r.status_code == 403

    def test_section_pages_and_api(self):
        import_readings(SAMPLE.read_bytes(), actor=self.admin, name=SAMPLE.name)
        self.client.force_login(self.users["viewer"])
        body = self.client.get("/sections/").content.decode()
        assert "马连庄" in body and "Ⅱ类" in body
        s3 = Section.objects.get(code="370285S03")
        body = self.client.get(f"/sections/{s3.pk}/").content.decode()
        assert "Ⅴ类" in body and "超标" in body and "氨氮(0.62)" in body
        assert "vendor/plotly/plotly.min.js" in body and "chart-NH3N" in body
        r = self.client.get("/api/sections/", {"search": "洙河"}).json()
        assert r["results"][0]["latest"]["class"] == "V" and r["results"][0]["latest"]["compliant"] is False


def test_national_release_matched_by_section_name(db):
    """Needs ../shared/data (the national release)."""
    from conftest_shared import shared_data

    a, b = make_towns()
    admin = make_users(a, b)["admin"]
    import_sections(SECTIONS, actor=admin, name="s.csv")
    path = shared_data("cnemc-realtime-2025", "cnemc_realtime_sections.csv")
    r = import_station_release(path, actor=admin, name=path.name)
    assert r.committed and r.section_rows > 0 and r.skipped > 10_000 - 200
    assert set(SectionReading.objects.values_list("section__name", flat=True)) == {"马连庄"}


def test_lake_sections_get_a_trophic_state(db):
    a, b = make_towns()
    admin = make_users(a, b)["admin"]
    import_sections(SECTIONS, actor=admin, name="s.csv")
    data = ("site_code,time,parameter,value,unit\n"
            "370285S02,2025-08-01 10:00,CHLA,10,µg/L\n370285S02,2025-08-01 10:00,TP,0.05,mg/L\n"
            "370285S02,2025-08-01 10:00,TN,1.0,mg/L\n370285S02,2025-08-01 10:00,SD,1.0,m\n"
            "370285S02,2025-08-01 10:00,CODMN,4.0,mg/L\n").encode()
    import_readings(data, actor=admin, name="lake.csv")
    from outfall.monitoring.selectors import period_evaluations

    row = period_evaluations(Section.objects.get(code="370285S02"))[0]
    assert (row["tli"], row["trophic"]) == (48.0, "中营养")  # the hand-worked TLI of the core test: 48.02
