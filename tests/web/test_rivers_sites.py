"""The rivers page's navigation lists the outfalls and sections along the reaches, nearest first,
a page at a time (issue #12)."""

from __future__ import annotations

import re
import tempfile
from unittest import mock

from django.test import TestCase

from outfall.rivers import navigation, views
from outfall.rivers.navigation import navigate_from, sites_along
from test_permission_matrix import build_world


def along(start, mode, **kw):
    net, _desc, steps = navigate_from(start, mode=mode, max_km=kw.get("max_km"))
    return sites_along(net, steps, start, mode=mode, **kw)


class SitesAlongTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world(tempfile.mkdtemp())

    def test_upstream_of_a_section_lists_the_outfall_and_the_upper_section_nearest_first(self):
        sites, more = along("370285S04", "UT")
        assert [(s.kind, s.code) for s in sites] == [("section", "370285S04"), ("outfall", self.world.outfall.code),
                                                     ("section", "370285S01")]
        assert not more and sites[0].distance_km == 0.0
        assert sites[1].distance_km < sites[2].distance_km

    def test_a_distance_upstream_equals_the_same_distance_downstream(self):
        # The oracle: from the section up to the outfall is as far as from the outfall down to the section.
        up = {s.code: s for s in along("370285S04", "UT")[0]}
        down = {s.code: s for s in along(self.world.outfall.code, "DM")[0]}
        o = self.world.outfall.code
        assert abs(up[o].distance_km - down["370285S04"].distance_km) < 1e-6
        assert abs(up[o].travel_time_h - down["370285S04"].travel_time_h) < 1e-6
        up1 = {s.code: s for s in along("370285S01", "DM")[0]}
        assert abs(up["370285S01"].distance_km - up1["370285S04"].distance_km) < 1e-6

    def test_sites_beyond_the_limit_or_behind_the_start_are_left_out(self):
        full = along("370285S04", "UT")[0]
        cut = along("370285S04", "UT", max_km=(full[1].distance_km + full[2].distance_km) / 2)[0]
        assert [s.code for s in cut] == [s.code for s in full[:2]]
        assert [s.code for s in along("370285S04", "DM")[0]] == ["370285S04"]  # the outfall is upstream

    def test_pages_concatenate_to_the_whole_list_whatever_the_chunk(self):
        full = [s.code for s in along("370285S04", "UT")[0]]
        with mock.patch.object(navigation, "SITE_CHUNK", 1):
            pages, more, k = [], True, 0
            while more:
                page, more = along("370285S04", "UT", offset=k, limit=1)
                pages += [s.code for s in page]
                k += 1
        assert pages == full and k == len(full)

    def test_the_page_lists_them_with_links_and_a_pager(self):
        self.client.force_login(self.world.users["viewer"])
        with mock.patch.object(views, "SITES_PER_PAGE", 2):
            body = self.client.get("/rivers/", {"start": "370285S04", "mode": "UT"}).content.decode()
            table = re.search(r'<table id="nav-sites">(.*?)</table>', body, re.S).group(1)
            assert f"/ledger/{self.world.outfall.pk}/" in table and "370285S04" in table
            assert "370285S01" not in table and 'id="sites-next"' in body
            body2 = self.client.get("/rivers/", {"start": "370285S04", "mode": "UT", "sites_page": 2}).content.decode()
            table2 = re.search(r'<table id="nav-sites">(.*?)</table>', body2, re.S).group(1)
            assert "370285S01" in table2 and 'id="sites-next"' not in body2
