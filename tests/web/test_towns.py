"""Towns (issue #8): import with boundaries (service, CLI handler, page), the area from the towns,
and the town of an outfall or section found from its point (import, form, API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token

from factories import make_user
from outfall.accounts.area import current_area
from outfall.accounts.models import Town
from outfall.accounts.services import import_towns
from outfall.core.enums import Role
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.core.geo import BBox
from outfall.history.models import ChangeRecord
from outfall.ledger.excel import import_outfalls
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section
from outfall.monitoring.services import import_sections

DATA = Path(__file__).resolve().parents[1] / "data" / "deploy"
TOWNS = DATA / "towns.geojson"
LEDGER_HEAD = "排污口名称,一级类型,经度,纬度,受纳水体,所属镇街\n"


def _towns_fc() -> dict:
    return json.loads(TOWNS.read_text(encoding="utf-8"))


class TownImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("admin", Role.ADMIN)
        cls.bureau = make_user("bureau", Role.BUREAU)
        cls.viewer = make_user("viewer", Role.VIEWER)

    def test_import_then_reimport_updates_by_code(self):
        r = import_towns(TOWNS, actor=self.bureau, dry_run=True)
        assert (r.created, r.boundaries, r.committed) == (3, 3, False) and not Town.objects.exists()
        r = import_towns(TOWNS, actor=self.bureau)
        assert (r.created, r.committed) == (3, True)
        t = Town.objects.get(code="370299001")
        assert (t.name, t.kind, t.boundary["type"]) == ("东岭街道", "subdistrict", "Polygon")
        assert ChangeRecord.objects.filter(batch_id=r.batch_id).count() == 3
        assert import_towns(TOWNS, actor=self.bureau).unchanged == 3
        # a CSV renames one town by code and keeps every boundary
        csv = self._tmp("towns.csv", "code,name\n370299001,东岭新街道\n")
        r = import_towns(csv, actor=self.bureau)
        assert (r.updated, r.unchanged, r.not_in_file) == (1, 0, ["南河镇", "西坡镇"])
        t.refresh_from_db()
        assert t.name == "东岭新街道" and t.boundary is not None

    def test_two_towns_may_swap_names(self):
        import_towns(TOWNS, actor=self.admin)
        csv = self._tmp("swap.csv", "code,name\n370299101,西坡镇\n370299102,南河镇\n")
        assert import_towns(csv, actor=self.admin).updated == 2
        assert dict(Town.objects.values_list("code", "name"))["370299101"] == "西坡镇"

    def _tmp(self, name, text) -> Path:
        import tempfile

        d = Path(tempfile.mkdtemp())
        p = d / name
        p.write_text(text, encoding="utf-8")
        return p

    def test_bad_file_lists_every_error_and_changes_nothing(self):
        fc = _towns_fc()
        fc["features"][1]["geometry"]["coordinates"][0][0] = [120.33, 36.70]  # into town 1, far beyond the sliver
        fc["features"][1]["geometry"]["coordinates"][0][-1] = [120.33, 36.70]
        fc["features"][2]["properties"]["code"] = "370299001"
        fc["features"].append({"type": "Feature", "properties": {"code": "9", "name": "空镇"}, "geometry": None})
        p = self._tmp("bad.geojson", json.dumps(fc, ensure_ascii=False))
        dry = import_towns(p, actor=self.admin, dry_run=True)
        assert len(dry.errors) == 3
        with pytest.raises(RowErrors) as e:
            import_towns(p, actor=self.admin)
        messages = [str(x) for x in e.value.errors]
        assert any("重叠" in m for m in messages) and any("重复" in m for m in messages)
        assert any("几何为空" in m for m in messages)
        assert not Town.objects.exists() and not ChangeRecord.objects.exists()
        missing = self._tmp("m.csv", "名字,备注\n甲镇,x\n")
        assert [x.column for x in import_towns(missing, actor=self.admin, dry_run=True).errors] == ["code", "name"]

    def test_a_new_town_may_not_overlap_a_stored_one(self):
        import_towns(TOWNS, actor=self.admin)
        fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "370299103",
              "name": "北山镇"}, "geometry": {"type": "Polygon", "coordinates": [[[120.55, 36.85], [120.65, 36.85],
                                              [120.65, 36.95], [120.55, 36.95], [120.55, 36.85]]]}}]}
        p = self._tmp("more.geojson", json.dumps(fc, ensure_ascii=False))
        with pytest.raises(RowErrors) as e:
            import_towns(p, actor=self.admin)
        [err] = e.value.errors
        assert err.message.startswith("镇街「北山镇」与已有镇街「西坡镇」重叠 ")
        # the overlap is 0.05° × 0.05° at 36.875° N: about 5 550 m × 4 450 m ≈ 2 470 ha
        assert abs(float(err.message.split("重叠 ")[1].split(" ")[0]) - 2470) < 15
        assert Town.objects.count() == 3

    def test_only_bureau_staff_import_towns(self):
        with pytest.raises(PermissionDeniedError):
            import_towns(TOWNS, actor=self.viewer)
        with pytest.raises(PermissionDeniedError, match="no actor"):
            import_towns(TOWNS, actor=None)

    def test_towns_page_upload_dry_run_then_commit(self):
        self.client.force_login(self.viewer)
        page = self.client.get("/towns/").content.decode()
        assert "尚无镇街" in page and 'action="/towns/import/"' not in page
        up = lambda: SimpleUploadedFile("towns.geojson", TOWNS.read_bytes())  # noqa: E731
        assert self.client.post("/towns/import/", {"file": up()}).status_code == 403
        self.client.force_login(self.bureau)
        r = self.client.post("/towns/import/", {"file": up(), "dry_run": "on"})
        assert "检查通过 (未写入)" in r.content.decode() and not Town.objects.exists()
        r = self.client.post("/towns/import/", {"file": up()})
        body = r.content.decode()
        assert "已导入" in body and "西坡镇" in body and Town.objects.count() == 3
        assert "范围取自 3 个镇街边界的并集" in body
        bad = SimpleUploadedFile("t.csv", "code,name\n1,甲\n1,乙\n".encode())
        body = self.client.post("/towns/import/", {"file": bad}).content.decode()
        assert "与第 2 行重复" in body and Town.objects.count() == 3


class TownFromPointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("admin", Role.ADMIN)
        import_towns(TOWNS, actor=cls.admin)
        cls.nanhe = Town.objects.get(name="南河镇")
        cls.town_user = make_user("zhang", Role.TOWN, cls.nanhe)

    def test_area_is_the_union_of_the_towns(self):
        area = current_area()
        assert area.from_towns and area.box == BBox(120.3, 36.7, 120.6, 36.9)
        assert area.code == "370299"  # the county prefix the towns' codes share
        with override_settings(OUTFALL_AREA_FROM_TOWNS="off"):
            assert not current_area().from_towns and current_area().code == "370285"
        self.client.force_login(self.admin)
        page = self.client.get("/map/").content.decode()
        assert '"bbox": [120.3, 36.7, 120.6, 36.9]' in page
        layer = self.client.get("/map/layers/towns.geojson").json()
        assert sorted(f["geometry"]["type"] for f in layer["features"]) == ["Polygon"] * 3

    def test_area_is_kept_until_the_towns_change(self):
        first = current_area()
        assert current_area() is first  # not rebuilt while the towns stay as they are
        fc = _towns_fc()
        for f in fc["features"]:  # move every boundary 0.1° east: same ids, codes and names
            f["geometry"]["coordinates"] = [[[x + 0.1, y] for x, y in ring] for ring in f["geometry"]["coordinates"]]
        Town.objects.filter(pk__in=[t.pk for t in Town.objects.all()]).update(boundary=None)
        assert not current_area().from_towns  # boundaries gone, seen without any signal
        moved = Path(self.enterContext(__import__("tempfile").TemporaryDirectory())) / "moved.geojson"
        moved.write_text(json.dumps(fc), encoding="utf-8")
        import_towns(moved, actor=self.admin)
        assert current_area().box == BBox(120.4, 36.7, 120.7, 36.9)

    def test_ledger_without_town_column_gets_towns_from_points(self):
        data = ("排污口名称,一级类型,经度,纬度,受纳水体\n甲,其他排口,120.35,36.80,示范河\n"
                "乙,其他排口,120.45,36.80,示范河\n丙,其他排口,120.55,36.85,示范河\n").encode()
        r = import_outfalls(data, actor=self.admin, name="o.csv")
        assert r.created == 3
        got = dict(Outfall.objects.values_list("name", "town__name"))
        assert got == {"甲": "东岭街道", "乙": "南河镇", "丙": "西坡镇"}
        assert all(c.startswith("370299Q") for c in Outfall.objects.values_list("code", flat=True))

    def test_given_town_that_disagrees_is_a_warning_and_outside_is_refused(self):
        data = (LEDGER_HEAD + "甲,其他排口,120.35,36.80,示范河,南河镇\n").encode()
        dry = import_outfalls(data, actor=self.admin, name="o.csv", dry_run=True)
        assert dry.errors == [] and dry.created == 1
        assert [(w.row, w.column) for w in dry.warnings] == [(2, "所属镇街")]
        assert "与坐标所在镇街「东岭街道」不一致" in dry.warnings[0].message
        # the town user of 南河镇 may not file a point that lies in 东岭街道 without naming a town
        data = (LEDGER_HEAD + "甲,其他排口,120.35,36.80,示范河,\n").encode()
        dry = import_outfalls(data, actor=self.town_user, name="o.csv", dry_run=True)
        assert [e.message for e in dry.errors] == ["无权在「东岭街道」新建或修改排污口"]

    def test_point_in_the_box_outside_every_town_names_the_nearest(self):
        Town.objects.filter(name="南河镇").update(boundary=None)  # a gap between 东岭 and 西坡
        data = (LEDGER_HEAD + "甲,其他排口,120.48,36.80,示范河,\n").encode()
        dry = import_outfalls(data, actor=self.admin, name="o.csv", dry_run=True)
        assert len(dry.errors) == 1
        # 0.02° of longitude at 36.8° N: 0.02 × π/180 × 6 371 008.8 m × cos 36.8° ≈ 1781 m
        assert "不在莱西市任何镇街边界内；最近的镇街是「西坡镇」，相距 1781 米" in dry.errors[0].message

    def test_without_boundaries_a_new_row_needs_a_town(self):
        Town.objects.update(boundary=None)
        data = (LEDGER_HEAD + "甲,其他排口,120.45,36.80,示范河,\n").encode()
        dry = import_outfalls(data, actor=self.admin, name="o.csv", dry_run=True)
        assert [e.column for e in dry.errors] == ["所属镇街"] and "尚无镇街边界" in dry.errors[0].message

    def test_form_and_api_take_the_town_from_the_point(self):
        self.client.force_login(self.town_user)
        r = self.client.post("/ledger/new/", {"name": "表单口", "type_l1": "其他排口", "original_lon": "120.45",
                                             "original_lat": "36.81", "original_crs": "WGS84", "town": "",
                                             "receiving_water": "示范河", "status": "in_use", "approval": "unknown"})
        assert r.status_code == 302, r.content.decode()[:3000]
        assert Outfall.objects.get(name="表单口").town == self.nanhe
        r = self.client.post("/ledger/new/", {"name": "越界口", "type_l1": "其他排口", "original_lon": "120.35",
                                             "original_lat": "36.81", "original_crs": "WGS84", "town": "",
                                             "receiving_water": "示范河", "status": "in_use", "approval": "unknown"})
        assert r.status_code == 200 and "坐标所在镇街「东岭街道」不在你可编辑的范围内" in r.content.decode()
        self.client.logout()
        token = Token.objects.create(user=self.admin)
        r = self.client.post("/api/outfalls/", {"name": "接口口", "category": "其他排口", "lon": 120.55, "lat": 36.75,
                                                "receiving_water": "示范河"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 201, r.content
        assert r.json()["town"] == "西坡镇"

    def test_sections_get_their_town_from_the_point(self):
        r = import_sections((DATA / "sections.csv").read_bytes(), actor=self.admin, name="sections.csv")
        assert r.created == 2
        assert dict(Section.objects.values_list("code", "town__name")) == {"370299S01": "东岭街道",
                                                                           "370299S02": "西坡镇"}
        data = "code,name,lon,lat,town\n370299S01,东岭桥,120.35,36.8012,西坡镇\n".encode()
        dry = import_sections(data, actor=self.admin, name="s.csv", dry_run=True)
        assert dry.errors == [] and "不一致" in dry.warnings[0].message
