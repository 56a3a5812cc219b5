"""Bad input never makes the server answer 500: garbage files, bad query strings, bad ids."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from factories import make_outfall, make_towns, make_users


class NoServerErrorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.o = make_outfall(cls.town_a, cls.users["admin"])

    def test_bad_query_strings(self):
        self.client.force_login(self.users["bureau"])
        for url in ["/ledger/?town=abc", "/ledger/?page=-3", "/ledger/?status=nope", "/api/outfalls/?town=abc",
                    "/api/outfalls/?ordering=nonsense", "/sections/999999/", "/ledger/999999/",
                    "/api/network/navigate/", "/api/network/navigate/?start=x&mode=ZZ", "/rivers/?start=&mode=UT",
                    "/map/layers/..%2Fetc.geojson", "/ledger/export/?format=../../x"]:
            r = self.client.get(url)
            assert r.status_code < 500, (url, r.status_code)

    def test_garbage_uploads(self):
        self.client.force_login(self.users["bureau"])
        for name, data in [("x.xlsx", b"PK\x03\x04garbage"), ("x.csv", b"\x00\x01\x02\xff\xfe"), ("x.csv", b""),
                           ("x.exe", b"MZ"), ("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)]:
            r = self.client.post("/ledger/import/", {"file": SimpleUploadedFile(name, data)})
            assert r.status_code == 200 and ("fatal" in r.content.decode() or "error" in r.content.decode()), name
        r = self.client.post("/ledger/import/", {"token": "not-a-uuid"})
        assert r.status_code == 200 and "已失效" in r.content.decode()
        for name, data in [("r.geojson", b"{not json"), ("r.gpkg", b"garbage"), ("r.zip", b"PK\x03\x04zz"),
                           ("r.geojson", b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                                         b'"geometry":{"type":"Polygon","coordinates":[]}}]}')]:
            r = self.client.post("/rivers/import/", {"file": SimpleUploadedFile(name, data)}, follow=True)
            assert r.status_code == 200 and 'class="error"' in r.content.decode(), name


def test_a_section_without_readings_is_listed(client, db):
    """Found by the permission matrix: /sections/ answered 500 for a section with no readings yet."""
    from outfall.monitoring.services import import_sections

    a, b = make_towns()
    users = make_users(a, b)
    import_sections("断面编码,断面名称,经度,纬度,水质目标\n370285S09,新断面,120.4,36.8,Ⅲ\n".encode(),
                    actor=users["admin"], name="s.csv")
    client.force_login(users["viewer"])
    r = client.get("/sections/")
    assert r.status_code == 200 and "新断面" in r.content.decode() and "无数据" in r.content.decode()
