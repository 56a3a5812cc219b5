"""Who may write readings (found by the permission matrix): a section's readings only admins and
bureau staff, like the section itself; an outfall's readings those who may edit that outfall."""

from __future__ import annotations

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_outfall, make_towns, make_users
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.monitoring.ingest import import_readings
from outfall.monitoring.models import OutfallReading, SectionReading
from outfall.monitoring.services import import_sections


class ReadingPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.oa = make_outfall(cls.town_a, cls.users["admin"])
        import_sections("断面编码,断面名称,经度,纬度,水质目标\n370285S01,马连庄,120.4235,37.12,Ⅱ\n".encode(),
                        actor=cls.users["admin"], name="s.csv")

    def csv(self, *codes):
        return ("site_code,time,parameter,value,unit\n"
                + "".join(f"{c},2025-11-06 20:00,COD,20,mg/L\n" for c in codes)).encode()

    def test_town_staff_write_their_own_outfalls_readings(self):
        r = import_readings(self.csv(self.oa.code), actor=self.users["town_a"], name="r.csv")
        assert r.committed and OutfallReading.objects.count() == 1

    def test_town_staff_of_another_town_are_refused_and_nothing_is_written(self):
        with pytest.raises(RowErrors) as exc:
            import_readings(self.csv(self.oa.code), actor=self.users["town_b"], name="r.csv")
        e = exc.value.errors[0]
        assert (e.file, e.row, e.column) == ("r.csv", 2, "站点编码") and self.oa.code in e.message
        assert "无权导入排污口" in e.message
        assert OutfallReading.objects.count() == 0

    def test_section_readings_are_the_bureaus(self):
        with pytest.raises(RowErrors) as exc:
            import_readings(self.csv("370285S01", self.oa.code), actor=self.users["town_a"], name="r.csv")
        assert [e.row for e in exc.value.errors] == [2] and "只有局机关人员" in exc.value.errors[0].message
        assert SectionReading.objects.count() == 0 and OutfallReading.objects.count() == 0
        r = import_readings(self.csv("370285S01", self.oa.code), actor=self.users["bureau"], name="r.csv")
        assert r.committed and SectionReading.objects.count() == 1 and OutfallReading.objects.count() == 1

    def test_a_dry_run_lists_the_refused_rows(self):
        r = import_readings(self.csv(self.oa.code), actor=self.users["town_b"], name="r.csv", dry_run=True)
        assert not r.committed and len(r.errors) == 1

    def test_readers_are_refused_outright(self):
        for name in ("inspector", "viewer"):
            with pytest.raises(PermissionDeniedError):
                import_readings(self.csv(self.oa.code), actor=self.users[name], name="r.csv")

    def test_the_push_api_applies_the_same_rule(self):
        token = Token.objects.create(user=self.users["town_b"])
        body = {"readings": [{"site_code": self.oa.code, "time": "2025-11-06T20:00+08:00", "parameter": "COD",
                              "value": "20", "unit": "mg/L"}]}
        r = self.client.post("/api/readings/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 400 and "无权导入排污口" in r.content.decode()
        assert OutfallReading.objects.count() == 0
        token = Token.objects.create(user=self.users["town_a"])
        r = self.client.post("/api/readings/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 201 and OutfallReading.objects.count() == 1
