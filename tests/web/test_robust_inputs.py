"""Hardening (issue #7 item 8): values and times a parser must refuse, values already stored that a
page must survive, and text longer than its column, each a clean error instead of a 500."""

from __future__ import annotations

import datetime as dt
import math

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
