"""Issue #12 scale: a section page's charts are thinned on the server to what a chart shows, and a
peak over the limit survives the thinning."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.test import TestCase

from alerts_fixtures import add_readings, make_section
from factories import make_towns, make_users
from outfall.monitoring.charts import CHART_BUCKETS


class SectionChartTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        cls.viewer = make_users(town, other)["viewer"]
        cls.section = make_section(town=town)
        values = [0.3 + 0.1 * ((i * 7919) % 13) / 13 for i in range(2 * 365 * 24)]  # two years, hourly
        values[9_001] = 2.75  # one spike over class III (1.0 mg/L)
        add_readings(cls.section, values, step_h=1)

    def _figures(self, page: str) -> list[dict]:
        found = re.search(r'<script id="charts-data" type="application/json">(.*?)</script>', page, re.S)
        assert found, "chart data not found on the page"
        data = json.loads(found.group(1))
        return json.loads(data) if isinstance(data, str) else data

    def test_two_years_hourly_are_thinned_and_the_spike_is_kept(self):
        self.client.force_login(self.viewer)
        r = self.client.get(f"/sections/{self.section.pk}/")
        page = r.content.decode()
        assert r.status_code == 200 and len(r.content) < 500_000, len(r.content)
        (fig,) = [c["figure"] for c in self._figures(page) if c["id"] == "chart-NH3N"]
        ys = fig["data"][0]["y"]
        assert len(ys) <= 4 * CHART_BUCKETS < 17_520
        assert max(ys) == 2.75
        assert "17520" in fig["layout"]["title"]["text"]


class SectionListScaleTests(TestCase):
    """The sections list asks the newest reading times in one query and evaluates a section again
    only when its readings changed: queries do not grow with the number of sections."""

    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        cls.viewer = make_users(town, other)["viewer"]
        cls.sections = [make_section(f"370285S{i:02d}", town=town) for i in range(30)]
        for s in cls.sections:
            add_readings(s, [0.3, 0.4, 0.35])

    def test_queries_do_not_grow_with_sections_and_a_new_reading_shows(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.viewer)
        self.client.get("/sections/")  # evaluates every section once in this process
        with CaptureQueriesContext(connection) as ctx:
            page = self.client.get("/sections/").content.decode()
        assert len(ctx.captured_queries) < 30, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
        assert "超标" not in page.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
        add_readings(self.sections[7], [1.6], start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        page = self.client.get("/sections/").content.decode()
        assert "超标" in page.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
