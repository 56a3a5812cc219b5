"""The demo year as generated (``outfall.demo.story``, no database): discharges at named outfalls reach
the sections below them at the travel time of the reaches (L/u, worked here from the demo's reach
table), baselines stay inside their targets, the generation is seeded, and the reporting precision is
GB/T 8170's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from outfall.core.standards.values import round_report
from outfall.core.warning import section_limit
from outfall.demo import story
from outfall.demo.laixi import REACHES, SECTIONS

SPEC = {s[0]: s for s in SECTIONS}
REACH = {r[0]: r for r in REACHES}


def _readings(code: str, *, seed: int | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    _c, _n, _l, water_type, target, _r, _p, auto = SPEC[code]
    out: dict[str, tuple[list, list]] = {}
    for t, p, v in story.section_readings(code, target, water_type, auto,
                                          seed=[s[0] for s in SECTIONS].index(code) if seed is None else seed):
        ts, vs = out.setdefault(p, ([], []))
        ts.append(story.hours_since_start(t))
        vs.append(v)
    return {p: (np.array(ts), np.array(vs)) for p, (ts, vs) in out.items()}


def _hours_on(reach_id: str) -> float:
    """L/u of a reach in hours, L the geodesic length of its line (the network's), u from the table."""
    net = story.demo_network()
    return net.length_m[net.index[reach_id]] / REACH[reach_id][4] / 3600.0


def _on(name: str):
    pt, row = story.outfall_points()[name]
    return story.demo_network().ids[pt.reach], pt.measure, row


def test_the_main_discharge_is_on_zhu_river_and_reaches_s03_then_s04_at_the_travel_time():
    ev = story.EVENTS[0]
    reach, m_src, row = _on(ev.outfall)
    assert reach == "ZH-01" and row["receiving_water"] == "洙河" and row["type_l1"] == "工业排污口"
    assert not row["online_monitoring"]  # the culprit has no own data: tracing has work to do
    secs = story.section_points()
    s03, s04 = secs["370285S03"], secs["370285S04"]
    net = story.demo_network()
    assert net.ids[s03.reach] == "ZH-01" and net.ids[s04.reach] == "DGH-03" and s03.measure > m_src
    tau03 = (s03.measure - m_src) * _hours_on("ZH-01")
    tau04 = (1 - m_src) * _hours_on("ZH-01") + s04.measure * _hours_on("DGH-03")
    arrivals = story.event_arrivals(ev)
    assert arrivals["370285S03"] == pytest.approx(tau03, abs=0.05)
    assert arrivals["370285S04"] == pytest.approx(tau04, abs=0.05)
    start = story.hours_since_start(ev.start)
    for code, tau, limit in (("370285S03", tau03, 1.5), ("370285S04", tau04, 1.0)):
        t, v = _readings(code)["NH3N"]
        over = t[v > limit]
        assert over.size and over.min() == pytest.approx(4 * np.ceil((start + tau) / 4), abs=4.0)
        assert over.max() <= start + tau + ev.hours + 4
        before = (t > start - 72) & (t < start + tau - 2)  # nothing arrives before the water does
        assert v[before].max() < 0.8 * limit


@pytest.mark.parametrize("k, reach, section", [(1, "WGH-01", "370285S06"), (2, "XGH-01", "370285S05")])
def test_the_other_discharges_are_at_outfalls_above_their_sections(k, reach, section):
    ev = story.EVENTS[k]
    where, m_src, row = _on(ev.outfall)
    assert where == reach and row["type_l1"] == "农业排口"
    assert section in story.event_arrivals(ev)
    t, v = _readings(section)["NH3N"]
    arrive = story.hours_since_start(ev.start) + story.event_arrivals(ev)[section]
    during = (t >= arrive) & (t <= arrive + ev.hours)
    assert v[during].max() > 1.5  # over class IV


def test_baselines_stay_inside_their_targets_away_from_the_events():
    quiet_from = [story.hours_since_start(ev.start) - 24 for ev in story.EVENTS] + \
                 [story.hours_since_start(s[1]) - 24 for s in story.STORMS]
    for code, _n, _l, water_type, target, _r, _p, _a in SECTIONS:
        for p, (t, v) in _readings(code).items():
            try:
                lim = section_limit(p, target, water_type=water_type)
            except (KeyError, ValueError, LookupError):
                lim = None
            if lim is None:
                continue
            quiet = np.ones(t.size, bool)
            for t0 in quiet_from:
                quiet &= ~((t >= t0) & (t <= t0 + 7 * 24))
            x = v[quiet]
            if lim.kind == "max":
                assert x.max() < 0.8 * lim.limit, (code, p, x.max())
                assert np.median(x) < 0.6 * lim.limit
            elif lim.kind == "min":
                assert x.min() > lim.limit / 0.8, (code, p, x.min())
            else:
                assert 6.3 < x.min() and x.max() < 8.7


def test_the_generation_is_seeded():
    a = story.section_readings("370285S03", "IV", "river", True, seed=2, days=30)
    assert a == story.section_readings("370285S03", "IV", "river", True, seed=2, days=30)
    assert a != story.section_readings("370285S03", "IV", "river", True, seed=3, days=30)
    assert story.outfall_readings(days=30) == story.outfall_readings(days=30)


def test_the_year_has_seasons_and_days():
    t, v = _readings("370285S04")["WT"]
    month = np.array([(story.START + dt.timedelta(hours=h)).month for h in t])
    assert v[month == 8].mean() - v[month == 1].mean() > 15
    t, v = _readings("370285S04")["DO"]
    hour = np.mod(t, 24)
    assert v[hour == 16].mean() > v[hour == 4].mean()  # photosynthesis by day


def test_only_online_outfalls_report_and_the_one_that_discharges_shows_it():
    own = story.outfall_readings()
    rows = {name: row for name, (_pt, row) in story.outfall_points().items()}
    assert own and all(rows[name]["online_monitoring"] for name in own)
    assert story.EVENTS[0].outfall not in own
    ev = story.EVENTS[2]
    nh3 = [(t, v) for t, p, v in own[ev.outfall] if p == "NH3N"]
    usual = np.median([v for _t, v in nh3])
    assert max(v for t, v in nh3 if t.date() == ev.start.date()) > 5 * usual
    assert all(v < 3 * usual for t, v in nh3 if abs((t - ev.start).days) > 2)


def test_reported_values_round_half_even_as_gb_t_8170():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.random(5000) * 20, [0.025, 0.035, 11.25, 8.5, 0.0125, 2.5, 0.0005]])
    for d in (0, 1, 2, 3):
        assert story._report(values, d).tolist() == [round_report(x, d) for x in values]
