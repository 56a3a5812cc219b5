"""Hardening (issue #7 item 8): values and times a parser must refuse, values already stored that a
page must survive, and text longer than its column, each a clean error instead of a 500."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_towns, make_users
from outfall.monitoring.models import Section, SectionReading
from outfall.monitoring.services import import_sections

SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标,级别,所在河流\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ,国控,大沽河\n"
            "370285S02,产芝水库,120.443,36.976,Ⅲ,省控,产芝水库\n").encode()


class NonFiniteReadingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        import_sections(SECTIONS, actor=cls.users["admin"], name="sections.csv")
        cls.token = Token.objects.create(user=cls.users["admin"]).key

    def push(self, **item):
        reading = {"site_code": "370285S01", "time": "2025-11-06T20:00:00+08:00", "parameter": "NH3N",
                   "value": "0.12", "unit": "mg/L", **item}
        return self.client.post("/api/readings/", {"source": "automatic", "readings": [reading]},
                                content_type="application/json", HTTP_AUTHORIZATION=f"Token {self.token}")

    def test_push_of_400_nines_is_a_row_error(self):
        r = self.push(value="9" * 400)
        assert r.status_code == 400, r.content
        errs = r.json()["errors"]
        assert [(e["row"], e["column"]) for e in errs] == [(1, "监测值")]
        assert SectionReading.objects.count() == 0

    def test_push_of_an_implausible_value_is_a_row_error(self):
        for param, value in (("PH", "15"), ("DO", "40"), ("WT", "80"), ("NH3N", "1e9")):
            r = self.push(parameter=param, value=value, unit="")
            assert r.status_code == 400, (param, value, r.content)
            assert r.json()["errors"][0]["column"] == "监测值"
        assert SectionReading.objects.count() == 0

    def test_push_times_out_of_range_are_row_errors(self):
        for t in ("9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00", "1969-12-31T00:00:00+00:00",
                  (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()):
            r = self.push(time=t)
            assert r.status_code == 400, (t, r.content)
            assert r.json()["errors"][0]["column"] == "监测时间", (t, r.json())
        assert SectionReading.objects.count() == 0

    def test_pages_survive_non_finite_values_already_stored(self):
        s = Section.objects.get(code="370285S01")
        t0 = dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC)
        for i, (p, v) in enumerate([("NH3N", math.inf), ("NH3N", 0.1), ("TP", -math.inf), ("DO", 8.0),
                                    ("PH", math.nan), ("CODMN", 3.0)]):
            SectionReading.objects.create(section=s, time=t0 + dt.timedelta(hours=i % 2), parameter=p, value=v,
                                          unit="mg/L", raw=str(v), source="automatic")
        self.client.force_login(self.users["viewer"])
        for url in ("/api/sections/", f"/api/sections/{s.pk}/", f"/sections/{s.pk}/", "/sections/", "/map/",
                    "/map/layers/sections.geojson"):
            r = self.client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        body = self.client.get("/api/sections/").json()
        text = str(body)
        assert "inf" not in text.lower() and "nan" not in text.lower()


class TooLongTextTests(TestCase):
    """Text longer than its column is a row error (or a 400), never a DataError on PostgreSQL."""

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.token = Token.objects.create(user=cls.users["admin"]).key

    def test_long_party_fields_in_a_ledger_file_are_row_errors(self):
        from outfall.core.errors import RowErrors
        from outfall.ledger.excel import import_outfalls
        from outfall.ledger.models import Outfall

        header = "排污口名称,一级类型,二级类型,经度,纬度,所属镇街,受纳水体,责任主体,所属行业,联系人及电话\n"
        rows = ["甲,工业排污口,工矿企业排污口,120.5,36.9,水集街道,大沽河,{},化工,张三".format("厂" * 201),
                "乙,工业排污口,工矿企业排污口,120.5,36.9,水集街道,大沽河,乙厂,{},张三".format("业" * 101),
                "丙,工业排污口,工矿企业排污口,120.5,36.9,水集街道,大沽河,丙厂；丁厂,化工；化工,李四；{}".format("1" * 101),
                "{},工业排污口,工矿企业排污口,120.5,36.9,水集街道,{},戊厂,,".format("名" * 201, "河" * 101)]
        with pytest.raises(RowErrors) as exc:
            import_outfalls((header + "\n".join(rows)).encode(), actor=self.users["admin"], name="long.csv")
        got = {(e.row, e.column) for e in exc.value.errors}
        assert {(2, "责任主体"), (3, "所属行业"), (4, "联系人及电话"), (5, "排污口名称"), (5, "受纳水体")} <= got, got
        assert all("超过" in e.message for e in exc.value.errors)
        assert not Outfall.objects.exists()

    def test_long_texts_through_the_api_are_400(self):
        base = {"name": "甲", "category": "工业排污口", "subtype": "工矿企业排污口", "lon": 120.5, "lat": 36.9,
                "town": "水集街道", "receiving_water": "大沽河"}
        for over in ({"responsible_parties": [{"name": "厂" * 201}]},
                     {"responsible_parties": [{"name": "厂", "industry": "业" * 101}]},
                     {"name": "名" * 201}, {"receiving_water": "河" * 101}, {"address": "址" * 301},
                     {"subtype3": "三" * 61}, {"approval_number": "号" * 101}, {"crs": "C" * 11}):
            r = self.client.post("/api/outfalls/", {**base, **over}, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Token {self.token}")
            assert r.status_code == 400, (over.keys(), r.status_code, r.content[:300])

    def test_long_section_texts_are_row_errors(self):
        from outfall.core.errors import RowErrors

        data = ("断面编码,断面名称,经度,纬度,所在河流,坐标系\n"
                f"{'S' * 41},甲,120.42,37.12,大沽河,WGS84\n"
                f"S2,{'名' * 101},120.42,37.12,{'河' * 101},WGS84\n").encode()
        with pytest.raises(RowErrors) as exc:
            import_sections(data, actor=self.users["admin"], name="s.csv")
        assert {(2, "断面编码"), (3, "断面名称"), (3, "所在河流")} <= {(e.row, e.column) for e in exc.value.errors}

    def test_long_river_names_and_ids_are_refused(self):
        from outfall.core.errors import NetworkError
        from outfall.rivers.models import Reach
        from outfall.rivers.services import import_rivers

        def line(i, **props):
            return {"type": "Feature", "properties": {"id": f"r{i}", **props},
                    "geometry": {"type": "LineString", "coordinates": [[120.40, 36.80 + i * 0.01],
                                                                       [120.40, 36.81 + i * 0.01]]}}
        fc = {"type": "FeatureCollection", "features": [
            line(0, name="河" * 101, to_id="r1"), line(1, name="大沽河"),
        ]}
        fc["features"][1]["properties"]["id"] = "r1"
        with pytest.raises(NetworkError) as exc:
            import_rivers(fc, actor=self.users["admin"], name="long.geojson")
        assert "100" in exc.value.user_message
        fc2 = {"type": "FeatureCollection", "features": [line(0, name="大沽河")]}
        fc2["features"][0]["properties"]["id"] = "x" * 65
        with pytest.raises(NetworkError):
            import_rivers(fc2, actor=self.users["admin"], name="long.geojson")
        assert not Reach.objects.exists()


def test_every_text_column_is_bounded_by_its_model_field():
    """A free-text column fed from files or the API checks the same max_length as its database column
    (a coordinate system or a class is checked by its value)."""
    from django.db import models

    from outfall.ledger.columns import COLUMNS
    from outfall.ledger.models import Outfall
    from outfall.monitoring.columns import SECTION_COLUMNS

    for model, cols in ((Outfall, COLUMNS), (Section, SECTION_COLUMNS)):
        for col in cols:
            if col.kind != "str":
                continue
            try:
                field = model._meta.get_field(col.field)
            except Exception:  # noqa: BLE001 - a column that is not a model field (town, crs)
                continue
            if isinstance(field, models.CharField) and not field.choices and col.field != "original_crs":
                assert col.max_length == field.max_length, (model.__name__, col.field, col.max_length)


class CommitTwiceTests(TestCase):
    """A dry-run file is imported once: committing it again says so instead of importing it twice or
    failing on the file the first commit removed (the race itself is tested on PostgreSQL in
    test_concurrency.py)."""

    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)

    def test_second_commit_is_refused_cleanly(self):
        import tempfile

        from django.core.files.uploadedfile import SimpleUploadedFile

        from outfall.ledger import importing
        from outfall.ledger.models import Outfall

        data = "排污口名称,一级类型,二级类型,经度,纬度,所属镇街,受纳水体\n甲,工业排污口,工矿企业排污口,120.5,36.9,水集街道,大沽河\n"
        with tempfile.TemporaryDirectory() as media, self.settings(MEDIA_ROOT=media):
            self.client.force_login(self.users["bureau"])
            token = self.client.post("/ledger/import/", {"file": SimpleUploadedFile("l.csv", data.encode())}
                                     ).context["token"]
            pending = importing._pending_path(self.users["bureau"], token)
            claimed = importing._claim(pending)  # another request is importing it right now
            r = self.client.post("/ledger/import/", {"token": token})
            assert r.status_code == 200 and "正在导入" in r.content.decode()
            claimed.rename(pending)
            r = self.client.post("/ledger/import/", {"token": token})
            assert r.status_code == 200 and r.context.get("committed")
            r = self.client.post("/ledger/import/", {"token": token})
            assert r.status_code == 200 and "已导入" in r.content.decode()
        assert Outfall.objects.count() == 1


class ApiNotFoundTests(TestCase):
    def test_an_api_path_no_route_matches_answers_json(self):
        town_a, town_b = make_towns()
        self.client.force_login(make_users(town_a, town_b)["viewer"])
        for url in ("/api/outfalls/2.5e-94/", "/api/nothing-here/"):
            r = self.client.get(url)
            assert r.status_code == 404 and r["Content-Type"] == "application/json", url
            assert r.json()["detail"]
        r = self.client.get("/ledger/nothing-here/")
        assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


def test_error_answers_are_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    push = schema["paths"]["/api/readings/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404"} <= set(push)
    assert push["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
