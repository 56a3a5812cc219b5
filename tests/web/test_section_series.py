"""Issue #12 scale: the section page's charts read thinned (monitoring.series), and a zoom fetches the
range's detail from /sections/<pk>/series.json: every hourly reading once it fits, the same points
the row-by-row reading gave, local wall-clock times, a clear 400 for a range it cannot read."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import numpy as np
from django.test import TestCase

from alerts_fixtures import add_readings, make_section
from factories import make_towns, make_users
from outfall.core.downsample import minmax_indices
from outfall.monitoring import selectors
from outfall.monitoring.charts import CHART_BUCKETS
from outfall.monitoring.models import SectionReading
from outfall.monitoring.series import chart_series

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _local(t: dt.datetime) -> str:
    return t.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S")


class SeriesEndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        cls.users = make_users(town, other)
        cls.section = make_section(town=town)
        values = [0.3 + 0.1 * ((i * 7919) % 13) / 13 for i in range(2 * 365 * 24)]  # two years, hourly
        values[9_001] = 2.75
        add_readings(cls.section, values, start=T0, step_h=1)
        add_readings(cls.section, [7.0, 6.5, 5.0], start=T0, step_h=1, parameter="DO")
        cls.url = f"/sections/{cls.section.pk}/series.json"

    def setUp(self):
        self.client.force_login(self.users["viewer"])

    def test_whole_span_is_thinned_and_keeps_the_spike(self):
        r = self.client.get(self.url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
        d = r.json()
        one = d["series"]["NH3N"]
        assert one["total"] == 17_520 and one["shown"] == len(one["x"]) == len(one["y"]) <= 4 * CHART_BUCKETS
        assert max(one["y"]) == 2.75 and one["mode"] == "lines"
        assert one["x"][one["y"].index(2.75)] == _local(T0 + dt.timedelta(hours=9_001))
        assert "17520" in one["title"]
        assert d["series"]["DO"]["y"] == [7.0, 6.5, 5.0] and d["series"]["DO"]["mode"] == "lines+markers"

    def test_a_zoom_of_three_days_has_every_hourly_reading_in_local_time(self):
        # local (Asia/Shanghai) wall-clock, as plotly sends it: 2025-07-01 08:00 local = 00:00 UTC
        r = self.client.get(self.url, {"p": "nh3n", "start": "2025-07-01 08:00:00", "end": "2025-07-04 08:00:00.000"})
        assert r.status_code == 200, r.content
        one = r.json()["series"]["NH3N"]
        assert one["total"] == one["shown"] == 73 and one["mode"] == "lines+markers"
        assert one["x"][0] == "2025-07-01 08:00:00" and one["x"][-1] == "2025-07-04 08:00:00"
        assert set(r.json()["series"]) == {"NH3N"}
        first = SectionReading.objects.get(section=self.section, parameter="NH3N",
                                           time=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
        assert one["y"][0] == first.value
        # an offset given is honoured: the same instant in UTC
        r = self.client.get(self.url, {"p": "NH3N", "start": "2025-07-01T00:00:00Z", "end": "2025-07-01T02:00:00+00:00"})
        assert r.json()["series"]["NH3N"]["x"] == ["2025-07-01 08:00:00", "2025-07-01 09:00:00", "2025-07-01 10:00:00"]

    def test_a_range_without_readings_is_empty(self):
        r = self.client.get(self.url, {"start": "2030-01-01", "end": "2030-02-01"})
        assert r.status_code == 200 and r.json()["series"] == {}

    def test_bad_ranges_are_400_with_the_reason(self):
        cases = [({"start": "2025-02-01", "end": "2025-01-01"}, "start must be before end"),
                 ({"start": "2025-01-01", "end": "2025-01-01"}, "start must be before end"),
                 ({"start": "2025-01-01"}, "give both start and end"),
                 ({"end": "2025-01-01"}, "give both start and end"),
                 ({"start": "yesterday", "end": "2025-01-01"}, "start: 「yesterday」"),
                 ({"start": "2025-01-01", "end": "2025-13-01"}, "end: 「2025-13-01」"),
                 ({"p": "NH3N,XYZ"}, "p: 未知指标 XYZ")]
        for params, reason in cases:
            r = self.client.get(self.url, params)
            assert r.status_code == 400, params
            assert reason in r.json()["error"], (params, r.json())

    def test_who_may_ask(self):
        self.client.logout()
        assert self.client.get(self.url).status_code == 302  # to the login page
        for role in ("admin", "bureau", "town_a", "town_b", "inspector", "viewer"):
            self.client.force_login(self.users[role])
            assert self.client.get(self.url).status_code == 200, role
        assert self.client.get("/sections/999999/series.json").status_code == 404
        assert self.client.post(self.url).status_code == 405

    def test_the_page_sends_the_thinned_charts_and_the_endpoint(self):
        r = self.client.get(f"/sections/{self.section.pk}/")
        page = r.content.decode()
        assert r.status_code == 200 and len(r.content) < 500_000
        assert f'data-series-url="/sections/{self.section.pk}/series.json"' in page and "plotly_relayout" in page


class SameAsRowByRowTests(TestCase):
    """chart_series draws what selectors.series_of_samples drew: one value per time (the row
    written last), measured values only, then min/max thinned the same way."""

    def test_random_rows_with_duplicates_and_non_measured(self):
        town, _other = make_towns()
        s = make_section(town=town)
        rng = np.random.default_rng(5)
        rows, seen = [], set()
        for _i in range(6000):
            h, p = int(rng.integers(0, 3000)), str(rng.choice(["NH3N", "TP"]))
            source = str(rng.choice(["manual", "automatic", "lab"]))
            if (h, p, source) in seen:
                continue
            seen.add((h, p, source))
            kind = rng.integers(0, 10)
            value, qualifier, dl = float(np.round(rng.uniform(0, 3), 3)), "", None
            if kind == 0:
                value, qualifier, dl = None, "<", 0.02
            elif kind == 1:
                value, qualifier = None, "missing"
            elif kind == 2:
                value = float("inf")
            rows.append(SectionReading(section=s, time=T0 + dt.timedelta(hours=h), parameter=p, value=value,
                                       qualifier=qualifier, detection_limit=dl, unit="mg/L", source=source,
                                       batch_id=uuid.uuid4()))
        rng.shuffle(rows)  # written in no particular order: "last written" is the pk order
        SectionReading.objects.bulk_create(rows)
        old = selectors.series_of_samples(selectors.samples(s))
        new = chart_series(s, buckets=CHART_BUCKETS)
        assert set(new) == set(old) == {"NH3N", "TP"}
        for p, points in old.items():
            assert new[p]["total"] == len(points) > 4 * CHART_BUCKETS
            keep = minmax_indices(np.array([t.timestamp() for t, _v in points]), np.array([v for _t, v in points]),
                                  CHART_BUCKETS)
            assert new[p]["x"] == [_local(points[i][0]) for i in keep]
            assert new[p]["y"] == [points[i][1] for i in keep]


class PageDataKeptUntilReadingsChangeTests(TestCase):
    """The section page's sums and overview are kept between views, and a new reading shows at once."""

    def test_a_new_reading_changes_the_tables_and_the_chart(self):
        town, other = make_towns()
        viewer = make_users(town, other)["viewer"]
        s = make_section(town=town)
        add_readings(s, [0.3] * 48, start=T0, step_h=1)
        self.client.force_login(viewer)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        first = self.client.get(f"/sections/{s.pk}/").context["monthly"]
        assert [(r["period"], r["n"]) for r in first] == [("2025-01", 48)]
        with CaptureQueriesContext(connection) as again:
            self.client.get(f"/sections/{s.pk}/")
        assert not any("GROUP BY" in q["sql"] and "qualifier" in q["sql"] for q in again.captured_queries)
        add_readings(s, [1.6], start=dt.datetime(2025, 2, 3, tzinfo=dt.UTC))
        r = self.client.get(f"/sections/{s.pk}/")
        assert [(m["period"], m["n"]) for m in r.context["monthly"]] == [("2025-01", 48), ("2025-02", 1)]
        assert r.context["monthly"][1]["evaluation"].water_class.value == "V"
        assert r.context["ev"].water_class.value == "V"
        trace = r.context["charts"][0]["figure"]["data"][0]
        assert list(trace["y"])[-1] == 1.6 and str(trace["x"][-1]) == "2025-02-03 08:00:00"  # local time
