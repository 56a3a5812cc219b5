"""Map layers: what the user may see, by bounding box and zoom, compact, with ETags and 304s; the
search and the navigation behind the map's popups."""

from __future__ import annotations

from unittest import mock

from django.test import TestCase

from factories import make_outfall, make_towns, make_users
from outfall.demo.laixi import rivers_geojson
from outfall.monitoring.services import import_sections
from outfall.rivers.services import import_rivers

SECTIONS_CSV = ("断面编码,断面名称,经度,纬度,水质目标,级别,所在河流\n"
                "370285S01,马连庄,120.4235,37.12,Ⅱ,国控,大沽河\n")


def _vertices(fc) -> int:
    return sum(len(f["geometry"]["coordinates"]) for f in fc["features"])


class MapLayerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        admin = cls.users["admin"]
        cls.o = make_outfall(cls.town_a, admin, name="大沽河化工排口", lon=120.50, lat=36.90)
        cls.far = make_outfall(cls.town_b, admin, name="姜山污水厂排口", lon=120.60, lat=36.95,
                               type_l1="城镇污水处理厂排污口", type_l2="城镇污水处理厂排污口", type_l3="")
        import_rivers(rivers_geojson(), actor=admin, name="rivers.geojson")
        import_sections(SECTIONS_CSV.encode(), actor=admin, name="sections.csv")

    def setUp(self):
        self.client.force_login(self.users["viewer"])

    def get(self, name, **params):
        return self.client.get(f"/map/layers/{name}.geojson", params)

    def test_login_needed_and_unknown_layer(self):
        self.client.logout()
        assert self.get("outfalls").status_code == 302
        self.client.force_login(self.users["viewer"])
        assert self.get("nothing").status_code == 404

    def test_outfalls_compact_and_filtered(self):
        fc = self.get("outfalls").json()
        props = {f["properties"]["c"]: f["properties"] for f in fc["features"]}
        assert props[self.o.code]["n"] == "大沽河化工排口" and props[self.o.code]["s"] == "in_use"
        assert [f["geometry"]["coordinates"] for f in fc["features"] if f["properties"]["id"] == self.o.pk] == \
            [[self.o.lon, self.o.lat]]
        assert [f["properties"]["id"] for f in self.get("outfalls", town=self.town_b.pk).json()["features"]] == [self.far.pk]
        assert [f["properties"]["id"] for f in self.get("outfalls", type="城镇污水处理厂排污口").json()["features"]] == [self.far.pk]
        assert self.get("outfalls", status="banned").json()["features"] == []
        assert self.get("outfalls", alerting="1").json()["features"] == []  # no alert is open

    def test_bbox_filter(self):
        near = self.get("outfalls", bbox="120.45,36.85,120.55,36.92", z=14).json()
        assert [f["properties"]["id"] for f in near["features"]] == [self.o.pk]
        assert self.get("outfalls", bbox="100,20,101,21", z=14).json()["features"] == []
        assert self.get("sections", bbox="120.4,37.1,120.45,37.13", z=14).json()["features"][0]["properties"]["c"] == "370285S01"
        assert self.get("sections", bbox="100,20,101,21", z=14).json()["features"] == []
        assert self.get("rivers", bbox="100,20,101,21", z=14).json()["features"] == []

    def test_bad_bbox_is_a_clear_400(self):
        for bad in ("1,2,3", "a,b,c,d", "121,36,120,37", "nan,1,2,3"):
            r = self.get("outfalls", bbox=bad)
            assert r.status_code == 400 and "bbox" in r.json()["detail"], bad

    def test_clusters_above_the_point_limit(self):
        with mock.patch("outfall.mapui.layers.MAX_POINTS", 1):
            fc = self.get("outfalls", z=5).json()
        assert fc["clustered"] and fc["total"] == 2
        assert sum(f["properties"]["n"] for f in fc["features"]) == 2
        assert all(set(f["properties"]) == {"n"} for f in fc["features"])

    def test_zoom_simplifies_rivers(self):
        low, high = self.get("rivers", z=6).json(), self.get("rivers", z=17).json()
        assert len(low["features"]) == len(high["features"]) > 0
        assert _vertices(low) < _vertices(high)
        raw = sum(len(f["geometry"]["coordinates"]) for f in rivers_geojson()["features"])
        assert _vertices(high) == raw

    def test_thinning_keeps_main_stems(self):
        with mock.patch("outfall.rivers.layers.MAX_LINES", 2):
            fc = self.get("rivers", z=8).json()
        assert len(fc["features"]) == 2

    def test_etag_304_and_change(self):
        r = self.get("outfalls", z=12)
        assert r.status_code == 200 and r["ETag"] and r["Last-Modified"]
        assert self.client.get("/map/layers/outfalls.geojson", {"z": 12}, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
        assert self.client.get("/map/layers/outfalls.geojson", {"z": 13}, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 200
        make_outfall(self.town_a, self.users["admin"])
        assert self.client.get("/map/layers/outfalls.geojson", {"z": 12}, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 200
        for name in ("rivers", "sections", "towns"):
            e = self.get(name)["ETag"]
            assert self.client.get(f"/map/layers/{name}.geojson", HTTP_IF_NONE_MATCH=e).status_code == 304, name

    def test_sections_class_and_alert_flag(self):
        import datetime as dt

        from outfall.alerts.models import Alert
        from outfall.monitoring.ingest import import_readings
        from outfall.monitoring.models import Section

        s = Section.objects.get(code="370285S01")
        assert self.get("sections").json()["features"][0]["properties"]["cl"] == ""
        import_readings("site_code,time,parameter,value,unit\n370285S01,2025-11-06 20:00,氨氮,1.8,mg/L\n".encode(),
                        actor=self.users["admin"], name="r.csv")
        p = self.get("sections").json()["features"][0]["properties"]
        assert p["cl"] == "V" and p["ok"] is False and p["al"] == 0  # 1.8 mg/L NH3-N: class V (GB 3838 Table 1)
        assert self.get("sections", **{"class": "II"}).json()["features"] == []
        from django.utils import timezone

        Section.objects.filter(pk=s.pk).update(target_class="V", updated_at=timezone.now())  # a new target
        assert self.get("sections").json()["features"][0]["properties"]["ok"] is True
        t = dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC)
        Alert.objects.create(site_kind="section", section=s, site_code=s.code, parameter="NH3N", rule="exceedance",
                             severity="medium", opened_at=t, last_time=t, value=2.0, limit=1.0, peak=2.0,
                             rules_version=1, explanation_zh="x", town=self.town_a)
        assert self.get("sections").json()["features"][0]["properties"]["al"] == 1
        assert len(self.get("sections", alerting="1").json()["features"]) == 1

    def test_page_is_home_offline_with_labels(self):
        body = self.client.get("/").content.decode()
        assert "vendor/leaflet/leaflet.js" in body and "map-config" in body
        config = body.split('id="map-config"')[1].split("</script>")[0]
        assert "http" not in config and "type_l1" not in config and "status_label" not in config
        import json

        config = json.loads(config.split(">", 1)[1])
        assert config["fields"]["rw"] == "受纳水体" and "Ⅲ类" in [c["label"] for c in config["classes"]]


class MapSearchNavigationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        admin = cls.users["admin"]
        import_rivers(rivers_geojson(), actor=admin, name="rivers.geojson")
        import_sections(SECTIONS_CSV.encode(), actor=admin, name="sections.csv")
        # on the demo's upper 大沽河, just above 马连庄 (the section): upstream of it, not downstream
        cls.o = make_outfall(cls.town_a, admin, name="大沽河化工排口", lon=120.4225, lat=37.1215)
        cls.o2 = make_outfall(cls.town_a, admin, name="上游第二排口", lon=120.4215, lat=37.1225)

    def setUp(self):
        self.client.force_login(self.users["inspector"])

    def test_search_by_code_name_and_initials(self):
        for q in (self.o.code, "化工", "dghhg", "DGHHG"):
            hits = self.client.get("/map/search/", {"q": q}).json()["results"]
            assert hits and hits[0]["id"] == self.o.pk and hits[0]["kind"] == "outfall", q
        assert self.client.get("/map/search/", {"q": "mlz"}).json()["results"][0]["c"] == "370285S01"
        assert self.client.get("/map/search/", {"q": "zzzz"}).json()["results"] == []
        assert self.client.get("/map/search/").json()["results"] == []

    def test_search_index_is_warmed_once_in_the_background(self):
        from outfall.mapui import selectors

        started = []

        class FakeThread:
            def __init__(self, target, name, daemon):
                self.target = target

            def start(self):
                started.append(self.target)

        selectors._index.clear()
        selectors._warming.clear()
        try:
            with mock.patch.object(selectors, "WARM_ABOVE", 0), mock.patch.object(selectors.threading, "Thread", FakeThread):
                assert self.client.get("/").status_code == 200
                assert self.client.get("/").status_code == 200  # once per process
            assert len(started) == 1
            with mock.patch("django.db.connection.close"):
                started[0]()
            assert [r[2] for r in selectors._index["outfall"][1]] == ["大沽河化工排口", "上游第二排口"]
            assert self.client.get("/").status_code == 200 and len(started) == 1
        finally:
            selectors._warming.clear()

    def test_navigation_lists_sites_with_distance(self):
        up = self.client.get("/map/network/", {"start": "370285S01", "mode": "UT", "z": 10}).json()
        down = self.client.get("/map/network/", {"start": "370285S01", "mode": "DD", "z": 10}).json()
        assert down["summary"]["reaches"] >= up["summary"]["reaches"] >= 1
        codes_up = [s["c"] for s in up["sites"]["items"]]
        assert self.o.code in codes_up and self.o.code not in [s["c"] for s in down["sites"]["items"]]
        assert "370285S01" not in codes_up  # the start itself is not listed
        assert codes_up.index(self.o.code) < codes_up.index(self.o2.code)  # nearest first
        item = up["sites"]["items"][codes_up.index(self.o.code)]
        assert item["u"] == f"/ledger/{self.o.pk}/" and 0 <= item["km"] < 5 and item["h"] >= 0
        assert all(f["properties"]["d"] >= 0 for f in up["lines"]["features"])
        w, s, e, n = up["bounds"]
        assert w < e and s < n

    def test_navigation_errors(self):
        assert self.client.get("/map/network/").status_code == 400
        assert self.client.get("/map/network/", {"start": "nowhere"}).status_code == 404
        assert self.client.get("/map/network/", {"start": "370285S01", "mode": "XX"}).status_code == 400
        assert self.client.get("/map/network/", {"start": "370285S01", "page": "x"}).status_code == 400

    def test_navigation_pages(self):
        with mock.patch("outfall.mapui.network.PAGE_SIZE", 1):
            d = self.client.get("/map/network/", {"start": "370285S01", "mode": "UT", "page": 2}).json()
        assert d["sites"]["page"] == 2 and len(d["sites"]["items"]) == 1 and d["sites"]["pages"] == d["sites"]["total"]
