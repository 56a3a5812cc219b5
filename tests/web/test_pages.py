"""Pages and API of the ledger: login everywhere, Chinese validation, photos checked, no 500s."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from factories import PASSWORD, make_outfall, make_towns, make_users
from outfall.history.models import ChangeRecord
from outfall.ledger.models import Outfall, Photo


def all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from all_paths(p, route)
        elif isinstance(p, URLPattern):
            yield route


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


class PageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.o = make_outfall(cls.town_a, cls.users["admin"])

    def test_every_page_needs_a_login(self):
        open_prefixes = ("accounts/login/", "i18n/", "static/", "setup/", "healthz")  # setup: 404 once a user exists
        checked = 0
        for route in all_paths():
            if route.startswith(open_prefixes) or route.startswith("admin/"):
                continue
            url = "/" + route.replace("<int:pk>", str(self.o.pk)).replace("<int:photo_id>", "1")
            url = url.replace("^", "").replace("$", "").replace("\\", "")
            if "<" in url or "(?P" in url or "[" in url:
                continue
            r = self.client.get(url)
            assert r.status_code in (302, 401, 403), (url, r.status_code)
            checked += 1
        assert checked >= 10

    def test_login_page_and_home(self):
        assert self.client.get("/accounts/login/").status_code == 200
        # through the login form (django-axes needs the request; client.login() has none)
        r = self.client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
        assert r.status_code == 302 and r["Location"] == "/dashboard/"  # a viewer lands on the dashboard
        body = self.client.get("/").content.decode()
        assert "莱西市" in body

    def test_list_filters_search_sort_and_counts(self):
        make_outfall(self.town_b, self.users["admin"], name="姜山某厂排口", type_l1="农业排口",
                     type_l2="规模化畜禽养殖排污口", type_l3="")
        self.client.force_login(self.users["viewer"])
        body = self.client.get("/ledger/", {"town": self.town_b.pk}).content.decode()
        assert "姜山某厂排口" in body and self.o.name not in body
        body = self.client.get("/ledger/", {"q": self.o.code}).content.decode()
        assert self.o.name in body and "姜山某厂排口" not in body
        body = self.client.get("/ledger/", {"type_l1": "农业排口", "sort": "-name"}).content.decode()
        assert "共 <b>1</b>" in body
        assert self.client.get("/ledger/", {"sort": "nonsense; drop"}).status_code == 200

    def test_form_errors_are_chinese_and_write_nothing(self):
        self.client.force_login(self.users["bureau"])
        before = ChangeRecord.objects.count()
        r = self.client.post("/ledger/new/", {"name": "新口", "type_l1": "农业排口", "type_l2": "矿山排污口",
                                             "original_lon": "36.9", "original_lat": "120.5",
                                             "original_crs": "WGS84", "town": self.town_a.pk,
                                             "receiving_water": "大沽河", "status": "in_use",
                                             "approval": "unknown",
                                             "parties": "某公司 | 91350100M000100Y44"})
        body = r.content.decode()
        assert r.status_code == 200
        assert "经纬度可能颠倒" in body and "校验位错误" in body
        assert Outfall.objects.count() == 1 and ChangeRecord.objects.count() == before

    def test_create_through_the_form(self):
        self.client.force_login(self.users["town_a"])
        r = self.client.post("/ledger/new/", {"name": "新口", "type_l1": "其他排口", "type_l2": "农村生活污水散排口",
                                             "original_lon": "120.53133281", "original_lat": "36.88740440",
                                             "original_crs": "GCJ02", "town": self.town_a.pk,
                                             "receiving_water": "洙河", "status": "in_use", "approval": "unknown",
                                             "parties": "水集街道办事处"})
        assert r.status_code == 302, r.content.decode()[:2000]
        o = Outfall.objects.get(name="新口")
        assert abs(o.lon - 120.5265) < 1e-6 and abs(o.lat - 36.8870) < 1e-6 and o.original_crs == "GCJ02"

    def test_town_form_offers_only_own_town(self):
        self.client.force_login(self.users["town_a"])
        body = self.client.get("/ledger/new/").content.decode()
        assert "水集街道" in body and "姜山镇" not in body

    @override_settings(MAX_UPLOAD_BYTES=2000)
    def test_photo_upload_checks_type_and_size(self):
        import tempfile

        with self.settings(MEDIA_ROOT=tempfile.mkdtemp()):
            self.client.force_login(self.users["town_a"])
            url = f"/ledger/{self.o.pk}/photos/"
            fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>")
            r = self.client.post(url, {"image": fake, "kind": "site"}, follow=True)
            assert "不是 JPEG/PNG/WebP 图片" in r.content.decode()
            big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * 5000)
            r = self.client.post(url, {"image": big, "kind": "site"}, follow=True)
            assert "超过上限" in r.content.decode()
            assert Photo.objects.count() == 0
            r = self.client.post(url, {"image": SimpleUploadedFile("ok.png", png_bytes()), "kind": "site"},
                                 follow=True)
            assert Photo.objects.count() == 1
            photo = Photo.objects.get()
            r = self.client.get(f"/ledger/{self.o.pk}/photos/{photo.pk}/")
            assert r.status_code == 200 and r["Content-Type"] == "image/png"
            assert "添加附件" in self.client.get(f"/ledger/{self.o.pk}/").content.decode()
            self.client.force_login(self.users["town_b"])
            r = self.client.post(f"/ledger/{self.o.pk}/photos/{photo.pk}/delete/")
            assert r.status_code == 404 and Photo.objects.count() == 1

    def test_export_from_the_page_follows_filters(self):
        self.client.force_login(self.users["viewer"])
        r = self.client.get("/ledger/export/", {"format": "csv", "town": self.town_b.pk})
        assert r.status_code == 200 and self.o.code not in b"".join(r.streaming_content).decode("utf-8-sig")
        r = self.client.get("/ledger/export/", {"format": "csv"})
        assert self.o.code in b"".join(r.streaming_content).decode("utf-8-sig")
        assert self.client.get("/ledger/export/", {"format": "exe"}).status_code == 400

    def test_api_bad_input_is_400_with_every_problem(self):
        self.client.force_login(self.users["bureau"])
        r = self.client.post("/api/outfalls/", {"name": "x", "category": "工业排污口", "lon": 36.9, "lat": 120.5,
                                                "town": "火星镇", "receiving_water": "河",
                                                "responsible_parties": [{"name": "甲", "uscc": "123"}]},
                             content_type="application/json")
        assert r.status_code == 400
        body = r.json()
        assert "lon" in body and "town" in body and "uscc" in body
        r = self.client.post("/api/outfalls/", "{not json", content_type="application/json")
        assert r.status_code == 400
        assert self.client.get("/api/outfalls/999999/").status_code == 404

    def test_api_list_filters_and_schema(self):
        self.client.force_login(self.users["viewer"])
        r = self.client.get("/api/outfalls/", {"town": self.town_a.pk, "search": self.o.code})
        assert r.status_code == 200 and r.json()["count"] == 1
        assert r.json()["results"][0]["responsible_parties"][0]["name"]
        assert self.client.get("/api/schema/").status_code == 200
        docs = self.client.get("/api/docs/").content.decode()
        assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs

    def test_cancel_from_the_page(self):
        self.client.force_login(self.users["bureau"])
        r = self.client.post(f"/ledger/{self.o.pk}/cancel/", {"reason": ""}, follow=True)
        assert "注销必须填写原因" in r.content.decode()
        r = self.client.post(f"/ledger/{self.o.pk}/cancel/", {"reason": "已封堵"}, follow=True)
        self.o.refresh_from_db()
        assert self.o.status == "cancelled"
        assert "已封堵" in r.content.decode()


class AdminHistoryTests(TestCase):
    def test_admin_changes_to_towns_and_users_leave_history(self):
        town_a, town_b = make_towns()
        users = make_users(town_a, town_b)
        self.client.force_login(users["admin"])
        r = self.client.post(f"/admin/accounts/town/{town_a.pk}/change/",
                             {"code": town_a.code, "name": "水集街道办", "kind": "subdistrict", "boundary": "null"})
        assert r.status_code == 302, r.content.decode()[:500]
        from outfall.history.models import ChangeRecord

        rec = ChangeRecord.objects.get(target_repr="水集街道办")
        assert dict((k, (a, b)) for k, a, b in rec.diff())["name"] == ("水集街道", "水集街道办")
        assert rec.actor == users["admin"]
