"""Issue #7: who may write the readings of which site (outfall.monitoring.permissions).

Every role, through the push API (token) and through the file import service: admins and bureau
staff write every site; town staff only their own town's outfalls; inspectors and viewers nothing;
a station account only the sections and outfalls bound to it (站点授权). A refused site is a row
error (row, 站点编码, message) and the whole batch changes nothing.
"""

from __future__ import annotations

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_outfall, make_towns, make_user, make_users
from outfall.core.enums import Role
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.history.models import ChangeRecord
from outfall.history.services import history_of
from outfall.monitoring import permissions as reading_permissions
from outfall.monitoring.ingest import import_readings, ingest_pushed_readings
from outfall.monitoring.models import OutfallReading, Section, SectionReading, StationBinding
from outfall.monitoring.services import (
    add_station_binding,
    create_station_account,
    find_site,
    import_sections,
    remove_station_binding,
)

SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ\n"
            "370285S02,产芝水库,120.443,36.976,Ⅲ\n").encode()
TIME = "2025-11-06T20:00:00+08:00"
OFFICIAL, FORGED = 0.12, 9.99

#: role → which of the sites (section S01, outfall of town A, outfall of town B, section S02) it may write.
#: None: refused as a whole (403) before any row is read.
MATRIX = {
    "admin": {"S01": True, "oA": True, "oB": True, "S02": True},
    "bureau": {"S01": True, "oA": True, "oB": True, "S02": True},
    "town_a": {"S01": False, "oA": True, "oB": False, "S02": False},
    "town_b": {"S01": False, "oA": False, "oB": True, "S02": False},
    "inspector": None,
    "viewer": None,
    "station": {"S01": True, "oA": False, "oB": True, "S02": False},  # bound to S01 and oB
    "inspector_bound": {"S01": False, "oA": True, "oB": False, "S02": False},  # an inspector bound to oA
}


class ReadingScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        admin = cls.users["admin"]
        import_sections(SECTIONS, actor=admin, name="sections.csv")
        cls.oA = make_outfall(cls.town_a, admin)
        cls.oB = make_outfall(cls.town_b, admin)
        cls.codes = {"S01": "370285S01", "S02": "370285S02", "oA": cls.oA.code, "oB": cls.oB.code}
        station = create_station_account("station-01", actor=admin, full_name="马连庄自动站")
        add_station_binding(station, find_site("370285S01"), actor=admin)
        add_station_binding(station, cls.oB, actor=cls.users["bureau"], note="在线监测平台")
        cls.users["station"] = station
        bound = make_user("inspector_bound", Role.INSPECTOR)
        add_station_binding(bound, cls.oA, actor=admin)
        cls.users["inspector_bound"] = bound
        # the official values every attempt below tries to overwrite
        ingest_pushed_readings([cls._item(code, OFFICIAL) for code in cls.codes.values()], actor=admin)

    @staticmethod
    def _item(code: str, value: float) -> dict:
        return {"site_code": code, "time": TIME, "parameter": "COD" if code.startswith("370285G") else "NH3N",
                "value": str(value), "unit": "mg/L"}

    def _value(self, site: str) -> float:
        code = self.codes[site]
        if site.startswith("S"):
            return SectionReading.objects.get(section__code=code, parameter="NH3N").value
        return OutfallReading.objects.get(outfall__code=code, parameter="COD").value

    def _push(self, who: str, sites: list[str]):
        token, _ = Token.objects.get_or_create(user=self.users[who])
        body = {"source": "automatic", "readings": [self._item(self.codes[s], FORGED) for s in sites]}
        return self.client.post("/api/readings/", body, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Token {token.key}")

    def test_push_api_every_role_every_site(self):
        for who, allowed in MATRIX.items():
            for site in ("S01", "oA", "oB", "S02"):
                with self.subTest(who=who, site=site):
                    r = self._push(who, [site])
                    if allowed is None:
                        assert r.status_code == 403, r.content
                        assert self._value(site) == OFFICIAL
                    elif allowed[site]:
                        assert r.status_code == 201, r.content
                        assert self._value(site) == FORGED
                        # put the official value back for the next role
                        ingest_pushed_readings([self._item(self.codes[site], OFFICIAL)], actor=self.users["admin"])
                    else:
                        assert r.status_code == 400, r.content
                        (err,) = r.json()["errors"]
                        assert (err["row"], err["column"]) == (1, "站点编码")
                        assert "无权写入该点位的监测数据" in err["message"] and self.codes[site] in err["message"]
                        assert self._value(site) == OFFICIAL

    def test_file_import_every_role_every_site(self):
        for who, allowed in MATRIX.items():
            for site in ("S01", "oA", "oB", "S02"):
                code = self.codes[site]
                param = "COD" if site.startswith("o") else "NH3N"
                data = (f"site_code,time,parameter,value,unit,source\n"
                        f"{code},{TIME},{param},{FORGED},mg/L,automatic\n").encode()
                with self.subTest(who=who, site=site):
                    if allowed is None:
                        with pytest.raises(PermissionDeniedError):
                            import_readings(data, actor=self.users[who], name="r.csv")
                    elif allowed[site]:
                        assert import_readings(data, actor=self.users[who], name="r.csv").committed
                        assert self._value(site) == FORGED
                        ingest_pushed_readings([self._item(code, OFFICIAL)], actor=self.users["admin"])
                    else:
                        dry = import_readings(data, actor=self.users[who], name="r.csv", dry_run=True)
                        assert [(e.file, e.row, e.column) for e in dry.errors] == [("r.csv", 2, "站点编码")]
                        with pytest.raises(RowErrors) as exc:
                            import_readings(data, actor=self.users[who], name="r.csv")
                        assert "无权写入该点位的监测数据" in exc.value.errors[0].message
                    assert self._value(site) == OFFICIAL

    def test_one_refused_site_refuses_the_whole_batch(self):
        batches = ChangeRecord.objects.filter(action="import").count()
        r = self._push("town_a", ["oA", "oB", "oA"])
        assert r.status_code == 400
        assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "站点编码")]
        assert self._value("oA") == OFFICIAL and self._value("oB") == OFFICIAL
        r = self._push("station", ["S01", "oB", "S02"])
        assert r.status_code == 400 and [e["row"] for e in r.json()["errors"]] == [3]
        assert self._value("S01") == OFFICIAL and self._value("oB") == OFFICIAL
        assert ChangeRecord.objects.filter(action="import").count() == batches

    def test_withdrawn_binding_no_longer_writes(self):
        station = self.users["station"]
        assert self._push("station", ["S01"]).status_code == 201
        for b in StationBinding.objects.filter(user=station):
            remove_station_binding(b, actor=self.users["admin"])
        assert self._push("station", ["S01"]).status_code == 403  # no binding left: may write nothing

    def test_check_writable_sites_is_the_one_decision(self):
        s01, s02 = (Section.objects.get(code=c).pk for c in ("370285S01", "370285S02"))
        check = reading_permissions.check_writable_sites
        assert check(self.users["bureau"], [s01, s02], [self.oA.pk, self.oB.pk]) == (set(), set())
        assert check(self.users["town_a"], [s01], [self.oA.pk, self.oB.pk]) == ({s01}, {self.oB.pk})
        assert check(self.users["station"], [s01, s02], [self.oA.pk, self.oB.pk]) == ({s02}, {self.oA.pk})
        assert check(self.users["viewer"], [s01], [self.oA.pk]) == ({s01}, {self.oA.pk})
        with self.assertNumQueries(0):
            check(self.users["admin"], [s01], [self.oA.pk])

    def test_bindings_are_managed_by_bureau_only_and_keep_history(self):
        station = self.users["station"]
        for who in ("town_a", "inspector", "viewer"):
            with pytest.raises(PermissionDeniedError):
                add_station_binding(station, self.oA, actor=self.users[who])
            with pytest.raises(PermissionDeniedError):
                create_station_account(f"x-{who}", actor=self.users[who])
        # the outfall's history shows who bound which account to it
        rec = [r for r in history_of(self.oB) if r.target_type.model == "stationbinding"]
        assert rec and rec[0].after["user"] == "station-01" and rec[0].actor_name == "bureau"
        again = add_station_binding(station, self.oB, actor=self.users["admin"])
        assert StationBinding.objects.filter(user=station, outfall=self.oB).count() == 1 and again.pk
        assert not station.has_usable_password() and station.role == Role.VIEWER.value


def test_station_cli_bind_list_unbind(db, monkeypatch, capsys):
    import json

    from outfall import cli

    monkeypatch.setattr(cli, "django_setup", lambda *a, **k: None)
    a, b = make_towns()
    users = make_users(a, b)
    import_sections(SECTIONS, actor=users["admin"], name="s.csv")
    o = make_outfall(a, users["admin"])
    assert cli.main(["station", "bind", "platform", "370285S01", o.code]) == 2
    assert "--create" in capsys.readouterr().err
    assert cli.main(["station", "bind", "platform", "370285S01", "NOPE", "--create"]) == 2
    assert "NOPE" in capsys.readouterr().err and not StationBinding.objects.exists()  # all or nothing
    assert cli.main(["station", "bind", "platform", "370285S01", o.code, "--create", "--note", "平台"]) == 0
    capsys.readouterr()
    assert cli.main(["station", "list", "platform", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {(x["site_kind"], x["site_code"]) for x in listed} == {("section", "370285S01"), ("outfall", o.code)}
    platform = StationBinding.objects.first().user
    assert ingest_pushed_readings([{"site_code": o.code, "time": TIME, "parameter": "COD", "value": "30"}],
                                  actor=platform).committed
    assert cli.main(["station", "unbind", "platform", o.code]) == 0
    with pytest.raises(RowErrors):
        ingest_pushed_readings([{"site_code": o.code, "time": TIME, "parameter": "COD", "value": "31"}],
                               actor=platform)
    assert cli.main(["station", "bind", "platform", o.code, "--actor", "town_a"]) == 2
    assert "局机关" in capsys.readouterr().err


class StationBindingAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        a, b = make_towns()
        cls.users = make_users(a, b)
        import_sections(SECTIONS, actor=cls.users["admin"], name="s.csv")
        cls.outfall = make_outfall(a, cls.users["admin"])
        cls.station = create_station_account("station-01", actor=cls.users["admin"])

    def test_add_and_withdraw_in_the_admin_keep_history(self):
        self.client.force_login(self.users["admin"])
        url = "/admin/monitoring/stationbinding/"
        s01 = Section.objects.get(code="370285S01")
        assert self.client.get(url + "add/").status_code == 200
        both = {"user": self.station.pk, "section": s01.pk, "outfall": self.outfall.pk, "note": ""}
        r = self.client.post(url + "add/", both)
        assert r.status_code == 200 and "只选其一" in r.content.decode() and not StationBinding.objects.exists()
        r = self.client.post(url + "add/", {**both, "outfall": "", "note": "自动站"})
        assert r.status_code == 302, r.content.decode()[:2000]
        binding = StationBinding.objects.get()
        assert "station-01" in self.client.get(url).content.decode()
        assert binding.section == s01 and binding.note == "自动站"
        assert [r.action for r in history_of(s01) if r.target_type.model == "stationbinding"] == ["create"]
        r = self.client.post(f"{url}{binding.pk}/delete/", {"post": "yes"})
        assert r.status_code == 302 and not StationBinding.objects.exists()
        assert [r.action for r in history_of(s01) if r.target_type.model == "stationbinding"] == ["delete", "create"]
        self.client.force_login(self.users["town_a"])
        assert self.client.get(url).status_code in (302, 403)
