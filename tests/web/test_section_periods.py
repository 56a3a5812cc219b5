"""Issue #12 scale: a section page's monthly and yearly tables are summed in the database
(monitoring.periods) and equal the row-by-row computation they replace (selectors.samples +
period_evaluations_of_samples: period_mean's rules, the class by the worst item) — on the demo's
sections and on random readings (missing, below detection with and without a limit, non-finite
rows, several sources at one time, month and year edges in the local zone). The sections list's
river assessment reads its 30-day means the same way."""

from __future__ import annotations

import datetime as dt
import io
import math
import uuid

from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from alerts_fixtures import make_section
from factories import make_towns, make_users
from outfall.monitoring import periods, selectors
from outfall.monitoring.models import Section, SectionReading


def assert_same_tables(section: Section) -> None:
    """The aggregated monthly and yearly tables equal the row-by-row ones: the same periods, sample
    counts, mean kinds and limits, means to the last bits of a float sum, and the same evaluations."""
    loaded = selectors.samples(section)
    new_months, new_years = selectors.monthly_and_yearly(section)
    for by, new in (("month", new_months), ("year", new_years)):
        old = selectors.period_evaluations_of_samples(section, loaded, by=by)
        assert [r["period"] for r in new] == [r["period"] for r in old], by
        assert selectors.period_evaluations(section, by=by) == new
        for a, b in zip(new, old, strict=True):
            where = f"{section.code} {by} {a['period']}"
            assert a["n"] == b["n"], where
            assert a["means"].keys() == b["means"].keys(), where
            for p, m in a["means"].items():
                o = b["means"][p]
                assert (m.qualifier, m.detection_limit, m.raw) == (o.qualifier, o.detection_limit, o.raw), (where, p, m, o)
                if o.value is None:
                    assert m.value is None, (where, p)
                else:
                    assert math.isclose(m.value, o.value, rel_tol=1e-12, abs_tol=1e-300), (where, p, m.value, o.value)
            ea, eb = a["evaluation"], b["evaluation"]
            assert (ea.water_class, ea.limiting, ea.main_pollutants, ea.compliant, ea.censored) == \
                   (eb.water_class, eb.limiting, eb.main_pollutants, eb.compliant, eb.censored), where
            assert ea.exceedance == eb.exceedance and ea.values == eb.values, where
            assert (a.get("tli"), a.get("trophic")) == (b.get("tli"), b.get("trophic")), where


class DemoTablesTests(TestCase):
    """The Laixi demo's sections (60 days of its monitoring year: rivers and a reservoir, automatic
    and manual sections)."""

    @classmethod
    def setUpTestData(cls):
        import outfall.demo.monitoring as demo
        from factories import make_user
        from outfall.core.enums import Role

        make_user("admin", Role.ADMIN)
        days, demo.DAYS = demo.DAYS, 60
        try:
            demo.load(stdout=io.StringIO())
        finally:
            demo.DAYS = days

    def test_every_demo_section_has_the_same_tables(self):
        sections = list(Section.objects.filter(is_demo=True))
        assert len(sections) >= 5 and any(s.water_type == "lake" for s in sections)
        assert SectionReading.objects.count() > 10_000
        for s in sections:
            assert_same_tables(s)

    def test_the_river_assessment_means_are_the_same(self):
        sections = list(Section.objects.filter(is_demo=True))
        for s in sections:
            last = SectionReading.objects.filter(section=s).order_by("-time").values_list("time", flat=True).first()
            since = last - dt.timedelta(days=30)
            got = periods.recent_means({s.pk: since})[s.pk]
            from outfall.core.standards import period_mean

            values: dict = {}
            for sample in selectors.samples(s, since=since).values():
                for p, v in sample.items():
                    values.setdefault(p, []).append(v)
            want = {p: period_mean(vs) for p, vs in values.items()}
            assert got.keys() == want.keys()
            for p in got:
                assert got[p].qualifier == want[p].qualifier and math.isclose(got[p].value or 0, want[p].value or 0,
                                                                              rel_tol=1e-12), (s.code, p)


# One reading: (hour offset, parameter, kind, number, limit, source)
_KINDS = st.sampled_from(["measured", "measured", "measured", "below", "below_nolimit", "missing", "null",
                          "nan", "inf", "inf_limit"])
_ROW = st.tuples(st.integers(0, 24 * 500), st.sampled_from(["NH3N", "TP", "DO", "CODMN", "TN"]), _KINDS,
                 st.floats(0.001, 25.0), st.sampled_from([0.01, 0.02, 0.025, 0.05, 0.5]),
                 st.sampled_from(["manual", "automatic", "automatic", "automatic"]))
#: a few hours either side of a local year end (Asia/Shanghai midnight = 16:00 UTC)
_T0 = dt.datetime(2024, 12, 31, 10, tzinfo=dt.UTC)


def _reading(section, row, pk_order):
    h, p, kind, x, dl, source = row
    value, qualifier, limit = x, "", None
    if kind == "below":
        value, qualifier, limit = None, "<", dl
    elif kind == "below_nolimit":
        value, qualifier = None, "<"
    elif kind == "missing":
        value, qualifier = None, "missing"
    elif kind == "null":
        value = None
    elif kind == "nan":
        value = float("nan")
    elif kind == "inf":
        value = float("inf")
    elif kind == "inf_limit":
        value, qualifier, limit = None, "<", float("inf")
    return SectionReading(section=section, time=_T0 + dt.timedelta(hours=h * 7 % (24 * 500)), parameter=p,
                          value=value, qualifier=qualifier, detection_limit=limit, unit="mg/L", raw=str(x),
                          source=source, batch_id=uuid.UUID(int=pk_order))


class RandomTablesTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        make_users(town, other)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rows=st.lists(_ROW, min_size=1, max_size=120), lake=st.booleans(), target=st.sampled_from(["II", "III", "IV"]),
           one_source=st.booleans())
    def test_random_readings_give_the_same_tables(self, rows, lake, target, one_source):
        if one_source:  # the common case, summed without asking which sources each group holds
            rows = [(*r[:5], "automatic") for r in rows]
        s = make_section("370285R01", target=target)
        if lake:
            s.water_type = "lake"
            s.save()
        seen, objs = set(), []
        for i, row in enumerate(rows):
            key = (row[0] * 7 % (24 * 500), row[1], row[5])
            if key in seen:  # the unique key (section, parameter, time, source, basis)
                continue
            seen.add(key)
            objs.append(_reading(s, row, i))
        SectionReading.objects.bulk_create(objs)
        assert_same_tables(s)
        SectionReading.objects.filter(section=s).delete()
        s.delete()


class NoReadingsTests(TestCase):
    def test_a_section_without_readings_has_empty_tables(self):
        town, _other = make_towns()
        s = make_section(town=town)
        assert selectors.monthly_and_yearly(s) == ([], [])
        assert periods.recent_means({s.pk: dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}) == {s.pk: {}}

    def test_month_edges_are_local_months(self):
        import zoneinfo

        tz = zoneinfo.ZoneInfo("Asia/Shanghai")
        edges = periods.period_edges(dt.datetime(2024, 12, 31, 16, tzinfo=dt.UTC),
                                     dt.datetime(2025, 2, 28, 15, 59, tzinfo=dt.UTC), tz)
        assert [e.strftime("%Y-%m-%d") for e in edges] == ["2025-01-01", "2025-02-01", "2025-03-01"]
