"""Rivers app: import (whole or nothing), snapping on import and on edit, the network page, the
navigation API and CLI exactly as in shared/DESIGN.md §3."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from django.test import TestCase

from factories import make_outfall, make_towns, make_users
from outfall.core.errors import NetworkError, PermissionDeniedError
from outfall.demo.laixi import rivers_geojson
from outfall.ledger.services import update_outfall
from outfall.monitoring.services import create_section
from outfall.rivers.models import Reach, Snap
from outfall.rivers.services import import_rivers


class RiverTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.admin = cls.users["admin"]
        # an outfall 60 m east of the 洙河 (ZH-01) before any network exists
        cls.o = make_outfall(cls.town_a, cls.admin, original_lon=120.5607, lon=120.5607, original_lat=36.9, lat=36.9)
        cls.result = import_rivers(rivers_geojson(), actor=cls.admin, name="demo.geojson")
        cls.s = create_section({"code": "S9", "name": "测试断面", "lon": 120.3841, "lat": 36.776, "original_lon": 120.3841,
                                "original_lat": 36.776, "original_crs": "WGS84", "target_class": "III",
                                "water_type": "river", "level": "municipal"}, actor=cls.admin)

    def test_import_snaps_existing_and_new_sites(self):
        assert self.result.committed and Reach.objects.count() == 10
        snap = Snap.objects.get(outfall=self.o)
        assert snap.reach.reach_id == "ZH-01" and snap.distance_m < 500 and not snap.far
        assert Snap.objects.get(section=self.s).reach.reach_id == "DGH-03"

    def test_moving_an_outfall_snaps_it_again(self):
        update_outfall(self.o, {"lon": 120.3045, "lat": 36.54, "original_lon": 120.3045, "original_lat": 36.54},
                       actor=self.admin)
        assert Snap.objects.get(outfall=self.o).reach.reach_id == "DGH-04"

    def test_bad_network_changes_nothing(self):
        fc = copy.deepcopy(rivers_geojson())
        fc["features"][0]["properties"]["to_id"] = "NOWHERE"
        with pytest.raises(NetworkError) as exc:
            import_rivers(fc, actor=self.admin)
        assert "NOWHERE" in exc.value.user_message
        assert Reach.objects.count() == 10 and Snap.objects.count() == 2
        dry = import_rivers(fc, actor=self.admin, dry_run=True)
        assert not dry.committed and dry.errors
        with pytest.raises(PermissionDeniedError):
            import_rivers(rivers_geojson(), actor=self.users["town_a"])

    def test_network_page_and_navigation(self):
        self.client.force_login(self.users["viewer"])
        body = self.client.get("/rivers/", {"start": "S9", "mode": "UT", "max_hours": "24"}).content.decode()
        assert "未发现问题" in body and "DGH-02" in body and "ZH-01" in body and "NSH-01" not in body
        body = self.client.get("/rivers/", {"start": "nothing", "mode": "UT"}).content.decode()
        assert "不是河段编号" in body

    def test_navigate_api_is_ordered_geojson(self):
        self.client.force_login(self.users["viewer"])
        fc = self.client.get("/api/network/navigate/", {"start": "S9", "mode": "UT"}).json()
        d = [f["properties"]["distance_km"] for f in fc["features"]]
        assert d == sorted(d) and fc["features"][0]["properties"]["reach"] == "DGH-03"
        assert {"distance_km", "travel_time_h"} <= set(fc["features"][1]["properties"])
        fc = self.client.get("/api/network/navigate/", {"start": self.o.code, "mode": "DM"}).json()
        assert [f["properties"]["reach"] for f in fc["features"]] == ["ZH-01", "DGH-03", "DGH-04", "DGH-05"]
        fc = self.client.get("/api/network/navigate/", {"start": "120.4,36.84", "mode": "DD", "max_km": "5"}).json()
        assert fc["features"]
        assert self.client.get("/api/network/navigate/", {"start": "S9", "max_km": "-1"}).status_code == 400
        assert self.client.get("/api/network/navigate/", {"start": "zzz"}).status_code == 404
        assert self.client.get("/api/network/report/").json()["ok"] is True

    def test_non_finite_or_out_of_range_start_is_refused_cleanly(self):
        self.client.force_login(self.users["viewer"])
        for start in ["nan,nan", "inf,inf", "-inf,36.8", "120.4,nan", "200,36.8", "120.4,95", "1e400,1e400"]:
            r = self.client.get("/api/network/navigate/", {"start": start, "mode": "UT"})
            assert r.status_code == 400, (start, r.status_code)
            assert "起点坐标" in r.json()["detail"], start
            r = self.client.get("/rivers/", {"start": start, "mode": "UT"})
            assert r.status_code == 200 and "起点坐标" in r.content.decode(), start
        for limit in ["nan", "inf", "-inf"]:
            r = self.client.get("/api/network/navigate/", {"start": "S9", "max_km": limit})
            assert r.status_code == 400 and "max_km" in r.json(), limit
            r = self.client.get("/api/network/navigate/", {"start": "S9", "max_hours": limit})
            assert r.status_code == 400 and "max_hours" in r.json(), limit

    def test_report_stored_at_import_serves_page_and_api(self):
        from unittest import mock

        from outfall.core.network import validate
        from outfall.rivers import selectors

        expected = validate(selectors.reach_inputs()).as_dict()
        self.client.force_login(self.users["viewer"])
        with mock.patch.object(selectors, "validate", side_effect=AssertionError("validated per request")):
            assert self.client.get("/api/network/report/").json() == expected
            body = self.client.get("/rivers/").content.decode()
        assert f"河段 {expected['reaches']} 个" in body and "未发现问题" in body

    def test_page_lists_the_nearest_rows_of_a_large_result(self):
        from unittest import mock

        self.client.force_login(self.users["viewer"])
        with mock.patch("outfall.rivers.views.PAGE_ROWS", 3):
            body = self.client.get("/rivers/", {"start": "DGH-05", "mode": "UT"}).content.decode()
        assert "下表列出最近的 3 个" in body and "/api/network/navigate/?start=DGH-05" in body
        assert body.split('id="nav-result"')[1].split("</table>")[0].count("<tr>") == 1 + 3

    def test_navigation_uses_the_index_stored_on_import(self):
        """Another process (an empty cache) loads the stored index: no rebuild, same answer; a new
        import of another network of the same size is seen at once."""
        from unittest import mock

        from outfall.rivers import selectors
        from outfall.rivers.models import NetworkVersion
        from outfall.rivers.navigation import navigate_from

        v = NetworkVersion.objects.get()
        assert v.reaches == 10 and len(v.ids_digest) == 64
        _net, _d, before = navigate_from("S9", mode="UT")
        selectors._cache.clear()
        with mock.patch.object(selectors, "build_network", side_effect=AssertionError("rebuilt")):
            net, _d, steps = navigate_from("S9", mode="UT")
            assert steps.reaches == before.reaches and (steps.distance_km == before.distance_km).all()
            assert navigate_from("S9", mode="UT")[0] is net  # cached in the process under the version key
        fc = copy.deepcopy(rivers_geojson())
        for f in fc["features"]:
            f["properties"]["id"] = "X" + f["properties"]["id"]
            if f["properties"].get("to_id"):
                f["properties"]["to_id"] = "X" + f["properties"]["to_id"]
        import_rivers(fc, actor=self.admin)
        assert NetworkVersion.objects.count() == 1
        assert navigate_from("S9", mode="UT")[2].reaches[0] == "XDGH-03"

    def test_map_layers(self):
        self.client.force_login(self.users["viewer"])
        assert len(self.client.get("/map/layers/rivers.geojson").json()["features"]) == 10
        sec = self.client.get("/map/layers/sections.geojson").json()["features"][0]["properties"]
        assert sec["c"] == "S9" and sec["cl"] == ""  # no readings: no class (the map says 无数据)


def test_cli_network_contract(tmp_path):
    """`outfall import rivers`, `network check`, `network navigate --format json` on a new database."""
    import os

    db = f"sqlite:///{tmp_path / 'n.sqlite3'}"
    env = {**os.environ, "OUTFALL_DATA_DIR": str(tmp_path)}
    env.pop("OUTFALL_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    f = tmp_path / "rivers.geojson"
    f.write_text(json.dumps(rivers_geojson(), ensure_ascii=False), encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "outfall", *args, "--db", db], capture_output=True, text=True,
                              env=env, timeout=120)

    assert run("demo").returncode == 0
    r = run("import", "rivers", str(f))
    assert r.returncode == 0, r.stderr
    r = run("network", "check")
    assert r.returncode == 0 and "出口 1 个" in r.stdout
    r = run("network", "navigate", "370285S04", "--mode", "UT", "--max-km", "20", "--format", "json")
    steps = json.loads(r.stdout)
    assert steps[0]["reach"] == "DGH-03" and set(steps[0]) == {"reach", "distance_km", "travel_time_h"}
    assert all(s["distance_km"] < 20 for s in steps)
    assert [s["distance_km"] for s in steps] == sorted(s["distance_km"] for s in steps)
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    r = run("import", "rivers", str(bad))
    assert r.returncode == 2 and "没有河流线" in r.stderr
