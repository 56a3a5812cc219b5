"""Data responses are gzip-compressed for clients that accept it (river layer, navigation, API JSON,
CSV export); HTML pages never are (they carry the CSRF token: BREACH). Large exports: the CSV is
streamed in row batches, the XLSX written in openpyxl's write-only mode."""

from __future__ import annotations

import csv
import gzip
import io
import json

from django.http import StreamingHttpResponse
from django.test import TestCase

from factories import make_outfall, make_towns, make_users
from outfall.demo.laixi import rivers_geojson
from outfall.ledger.exporting import export_ledger, iter_csv, ledger_rows, write_csv
from outfall.ledger.models import Outfall
from outfall.rivers.services import import_rivers

GZ = {"accept-encoding": "gzip, deflate"}


class CompressionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        for k in range(12):
            make_outfall(cls.town_a, cls.users["admin"], name=f"排污口{k}")
        import_rivers(rivers_geojson(), actor=cls.users["admin"], name="demo.geojson")

    def setUp(self):
        self.client.force_login(self.users["viewer"])

    def body(self, r) -> bytes:
        return b"".join(r.streaming_content) if r.streaming else r.content

    def gz_json(self, url, params=None):
        r = self.client.get(url, params or {}, headers=GZ)
        assert r.status_code == 200, (url, r.status_code)
        assert r["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in r["Vary"]
        return json.loads(gzip.decompress(self.body(r)))

    def test_river_layer_and_unlimited_navigation_are_gzipped(self):
        fc = self.gz_json("/map/layers/rivers.geojson")
        assert len(fc["features"]) == 10
        fc = self.gz_json("/api/network/navigate/", {"start": "DGH-05", "mode": "UT"})
        assert len(fc["features"]) > 5 and fc["features"][0]["properties"]["reach"] == "DGH-05"
        assert self.gz_json("/api/outfalls/")

    def test_without_accept_encoding_nothing_is_compressed(self):
        r = self.client.get("/map/layers/rivers.geojson")
        assert not r.has_header("Content-Encoding") and len(r.json()["features"]) == 10

    def test_html_pages_are_never_compressed(self):
        for url in ["/rivers/", "/ledger/", "/", "/rivers/?start=DGH-05&mode=UT"]:
            r = self.client.get(url, headers=GZ, follow=True)
            assert r.status_code == 200 and r["Content-Type"].startswith("text/html"), url
            assert not r.has_header("Content-Encoding"), url
            assert b"<html" in r.content.lower()

    def test_csv_export_is_streamed_gzipped_and_equal_to_the_file_export(self):
        r = self.client.get("/ledger/export/", {"format": "csv"}, headers=GZ)
        assert isinstance(r, StreamingHttpResponse) and r["Content-Encoding"] == "gzip"
        data = gzip.decompress(self.body(r))
        assert data == export_ledger(Outfall.objects.all(), "csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == 13
        r = self.client.get("/ledger/export/", {"format": "csv"})
        assert isinstance(r, StreamingHttpResponse) and self.body(r) == data

    def test_csv_chunks_join_to_the_whole_file(self):
        rows = ledger_rows(Outfall.objects.all())
        chunks = list(iter_csv(rows, batch=5))
        assert len(chunks) == 1 + 3 and b"".join(chunks) == write_csv(rows)
        assert chunks[0].startswith(b"\xef\xbb\xbf") and chunks[1][:3] != b"\xef\xbb\xbf"

    def test_xlsx_export_keeps_header_style_and_frozen_row(self):
        import openpyxl

        r = self.client.get("/ledger/export/", {"format": "xlsx"}, headers=GZ)
        assert not r.has_header("Content-Encoding")  # a ZIP already
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
        assert ws.title == "入河排污口台账" and ws.freeze_panes == "A2" and ws.max_row == 13
        assert ws["A1"].font.bold and ws.column_dimensions["A"].width >= 10

    def test_xlsx_is_written_in_write_only_mode_from_a_row_stream(self):
        from unittest import mock

        import openpyxl

        with mock.patch("openpyxl.Workbook", wraps=openpyxl.Workbook) as wb:
            data = export_ledger(Outfall.objects.all(), "xlsx")
        assert wb.call_args.kwargs == {"write_only": True}
        assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 13
