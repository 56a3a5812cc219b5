"""Source tracing: candidates through the pre-order index, the NNLS source–receptor model, priors,
groups, shares, and the clear answers for awkward inputs."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from networks import ALL
from strategies import outfall_layouts, pulse_events, toy_network_names

from outfall.core.errors import InputError
from outfall.core.network import build_network
from outfall.core.network.graph import network_from_arrays
from outfall.core.simulate import Point, Pulse, Source, Steady, paths_between, reach_flows, simulate
from outfall.core.simulate.scenario import readings_for
from outfall.core.tracing import OutfallIndex, OutfallSite, SectionSite, trace
from outfall.core.tracing.priors import MIN_FEASIBILITY, emitting_types, typical, upper_raw
from outfall.core.tracing.sampling import sample_points

TIMES = np.arange(0.0, 36.0, 1.0)


@cache
def net_of(name):
    return build_network(ALL[name]())


def scenario(net, layout, event, *, source=0, own=frozenset(), scale=1.0):
    """Outfalls from a layout, the first (or ``source``) spilling a pulse; sections at every reach end."""
    conc, start, dur, noise, seed = event
    outs = [OutfallSite(f"P{n}", r, m, typ, q, v) for n, (r, m, typ, q, v) in enumerate(layout)]
    srcs = []
    for n, o in enumerate(outs):
        q = o.discharge_m3_s or 0.01
        c = Pulse(scale * conc, start, dur, scale * 2.0) if n == source else Steady(scale * 2.0)
        srcs.append(Source(o.code, o.reach, o.measure, q, c))
    secs = [SectionSite(f"S_{net.ids[r]}", r, 0.95) for r in range(net.n)]
    rd = readings_for(net, srcs, [Point(s.code, s.reach, s.measure) for s in secs], TIMES, own_data=set(own),
                      noise_rel=noise, seed=seed, parameter="NH3N", dispersion_m2_s=2.0, background_mg_l=scale * 0.3)
    return outs, secs, rd


def event_section(net, outs, secs, rd, source=0):
    """The section downstream of the source that saw the largest reading, and the time of it."""
    src = outs[source]
    best = None
    for s in secs:
        if paths_between(net, src.reach, src.measure, s.reach, s.measure):
            t, v = rd[s.code]
            k = int(np.argmax(v))
            if best is None or v[k] > best[2]:
                best = (s.code, float(t[k]), float(v[k]))
    return best


# --- candidates --------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(name=toy_network_names, data=st.data())
def test_candidates_are_exactly_the_outfalls_upstream_within_the_window(name, data):
    net = net_of(name)
    layout = data.draw(outfall_layouts(net.n, max_outfalls=8))
    outs = [OutfallSite(f"P{n}", r, m) for n, (r, m, *_) in enumerate(layout)]
    sec = SectionSite("S", data.draw(st.integers(0, net.n - 1)), data.draw(st.floats(0, 1)))
    window = data.draw(st.one_of(st.none(), st.floats(0.1, 5.0)))
    found = OutfallIndex(net, outs).find(sec, window_h=window)
    brute = set()
    for n, o in enumerate(outs):
        ps = paths_between(net, o.reach, o.measure, sec.reach, sec.measure)
        if ps and (window is None or min(p.tau_h for p in ps) <= window):
            brute.add(n)
    assert set(found.idx.tolist()) == brute
    assert (found.tau_h >= -1e-9).all() and (found.km >= -1e-9).all()


def test_candidates_on_a_big_tree_match_the_subtree_test():
    rng = np.random.default_rng(3)
    n = 20_000
    parent = np.arange(-1, n - 1)
    jump = np.flatnonzero(rng.random(n) < 0.1)
    parent[jump[jump > 0]] = (rng.random((jump > 0).sum()) * jump[jump > 0]).astype(int)
    net = network_from_arrays(parent, rng.uniform(200, 2000, n))
    outs = [OutfallSite(str(i), int(r), 0.5) for i, r in enumerate(rng.integers(0, n, 2000))]
    ix = OutfallIndex(net, outs)
    for b in rng.integers(0, n, 20):
        got = set(ix.find(SectionSite("S", int(b), 1.0)).idx.tolist())
        want = {i for i, o in enumerate(outs) if net.in_subtree(o.reach, int(b))}
        assert got == want


# --- invariants of a trace -----------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(name=toy_network_names, data=st.data(), event=pulse_events())
def test_trace_invariants(name, data, event):
    net = net_of(name)
    layout = data.draw(outfall_layouts(net.n, max_outfalls=5))
    outs, secs, rd = scenario(net, layout, event)
    ev = event_section(net, outs, secs, rd)
    assume(ev is not None)
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=5)
    codes = [c.outfall for c in res.candidates]
    sec = next(s for s in secs if s.code == ev[0])
    expected = {outs[i].code for i in OutfallIndex(net, outs).find(sec, window_h=48.0).idx}
    assert sorted(codes) == sorted(expected) and len(codes) == len(set(codes))  # a permutation of the candidates
    assert "P0" in codes  # the true source is never dropped
    shares = np.array([c.share for c in res.candidates])
    assert (shares >= 0).all() and res.unexplained_share >= -1e-12
    assert shares.sum() + res.unexplained_share == pytest.approx(1.0)
    assert sum(c.score for c in res.candidates) == pytest.approx(1.0)
    assert [c.score for c in res.candidates] == sorted((c.score for c in res.candidates), reverse=True)
    # sample_next points lie on the network, above the section, below exactly the members they list upstream
    at = {o.code: o for o in outs}
    for p in res.sample_next:
        r = net.index[p.reach]
        assert paths_between(net, r, p.measure, sec.reach, sec.measure)
        split = p.expected_split
        assert split["upstream"] and split["elsewhere"]
        assert set(split["upstream"]) | set(split["elsewhere"]) == set(res.group_of(split["upstream"][0]))
        for code in split["upstream"]:
            assert paths_between(net, at[code].reach, at[code].measure, r, p.measure)
        for code in split["elsewhere"]:
            assert not paths_between(net, at[code].reach, at[code].measure, r, p.measure)
        assert p.window_start < p.window_end
    # removing an outfall never raises another outfall's delivered contribution
    drop = data.draw(st.sampled_from(codes))
    res2 = trace(net, [o for o in outs if o.code != drop], secs, rd, section=ev[0], parameter="NH3N", at=ev[1],
                 n_boot=0)
    before = {c.outfall: c.evidence for c in res.candidates}
    for c in res2.candidates:
        e0 = before[c.outfall]
        assert c.evidence.delivery <= e0.delivery + 1e-12
        if e0.expected_contribution_mg_l is not None:
            assert c.evidence.expected_contribution_mg_l <= e0.expected_contribution_mg_l + 1e-12


@settings(max_examples=20, deadline=None)
@given(name=toy_network_names, data=st.data(), event=pulse_events())
def test_doubling_every_load_doubles_every_contribution(name, data, event):
    net = net_of(name)
    layout = data.draw(outfall_layouts(net.n, max_outfalls=4))
    event = (*event[:3], 0.0, event[4])
    outs, secs, rd = scenario(net, layout, event)
    _, _, rd2 = scenario(net, layout, event, scale=2.0)
    ev = event_section(net, outs, secs, rd)
    assume(ev is not None)
    a = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0)
    b = trace(net, outs, secs, rd2, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0)
    got = {c.outfall: c.estimated_contribution_mg_l for c in b.candidates}
    for c in a.candidates:
        assert got[c.outfall] == pytest.approx(2 * c.estimated_contribution_mg_l, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", ["straight", "confluence", "braid", "zero_flow"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_single_noisy_spill_ranks_first_or_in_the_first_group(name, seed):
    net = net_of(name)
    rng = np.random.default_rng(seed)
    layout = [(int(r), float(m), "城镇污水处理厂排污口", 0.02, 0) for r, m in
              zip(rng.integers(0, net.n, 5), rng.uniform(0, 0.9, 5), strict=True)]
    outs, secs, rd = scenario(net, layout, (300.0, 8.0, 2.0, 0.1, seed))
    ev = event_section(net, outs, secs, rd)
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=10)
    first = res.candidates[0]
    assert first.outfall == "P0" or "P0" in res.group_of(first.outfall)


def test_own_data_breaks_a_tie_inside_a_group():
    net = net_of("straight")
    layout = [(0, 0.2, "工业排污口", 0.02, 0), (0, 0.3, "工业排污口", 0.02, 3)]
    outs, secs, rd = scenario(net, layout, (300.0, 8.0, 2.0, 0.05, 4), own={"P0", "P1"})
    ev = event_section(net, outs, secs, rd)
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0)
    assert res.candidates[0].outfall == "P0" and res.candidates[0].group == res.candidates[1].group
    assert res.candidates[0].evidence.data > 1 > res.candidates[1].evidence.data
    assert "elevated" in res.candidates[0].evidence.data_reason


# --- serialisation and awkward inputs -----------------------------------------------------------
def _simple():
    net = net_of("confluence")
    ix = net.index
    layout = [(ix["t1"], 0.3, "工业排污口", 0.02, 1), (ix["t2"], 0.5, "城镇污水处理厂排污口", None, 0),
              (ix["m"], 0.1, "", 0.01, 0)]
    outs, secs, rd = scenario(net, layout, (200.0, 6.0, 2.0, 0.05, 9))
    t, v = rd["S_m"]
    return net, outs, secs, rd, ("S_m", float(t[np.argmax(v)]))


def test_result_serialises_to_the_trace_json_contract():
    net, outs, secs, rd, ev = _simple()
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], at_label="2026-05-01T08:00",
                limit=1.0, n_boot=5)
    d = json.loads(json.dumps(res.as_dict()))
    assert list(d) == ["section", "parameter", "at", "observed", "limit", "candidates", "unexplained_share",
                       "sample_next"]
    for p in d["sample_next"]:
        assert set(p) == {"reach", "measure", "lon", "lat", "window_start", "window_end", "expected_split"}
    assert "sample_next" not in trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0,
                                      sample_next=False).as_dict()
    assert d["at"] == "2026-05-01T08:00" and d["limit"] == 1.0
    for c in d["candidates"]:
        assert set(c) == {"outfall", "score", "share", "distance_km", "travel_time_h", "estimated_contribution_mg_l",
                          "evidence", "group"}
        assert {"path", "delivery", "load_feasibility", "data", "type", "history", "share_sd"} <= set(c["evidence"])
    assert d["candidates"][0]["outfall"] == "P0"


def test_awkward_inputs_get_clear_answers():
    net, outs, secs, rd, ev = _simple()
    for kw, text in ((dict(section="NOPE", readings=rd, at=ev[1]), "不在河网上"),
                     (dict(section=ev[0], readings=rd, at=ev[1] + 500), "所问时间没有"),
                     (dict(section=ev[0], readings={}, at=ev[1]), "没有 NH3N 的读数")):
        with pytest.raises(InputError) as e:
            trace(net, outs, secs, kw.pop("readings"), parameter="NH3N", **kw)
        assert text in e.value.user_message
    res = trace(net, outs, secs, rd, section=ev[0], parameter="FCOLI", at=ev[1], n_boot=0)
    assert res.candidates and any("FCOLI" in n for n in res.notes)  # no type emits it: said, still traced
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0)
    assert any("P1" in n and "设计排放量" in n for n in res.notes)  # an outfall with no discharge
    p1 = next(c for c in res.candidates if c.outfall == "P1")
    assert p1.evidence.load_feasibility is None and p1.evidence.expected_contribution_mg_l is None
    assert any("默认" in n for n in res.notes)  # missing velocities/flows named with their source
    upstream_only = SectionSite("S_head", net.index["t1"], 0.0)
    rd2 = dict(rd, S_head=rd[secs[0].code])
    res = trace(net, outs, [*secs, upstream_only], rd2, section="S_head", parameter="NH3N", at=ev[1])
    assert res.candidates == [] and res.unexplained_share == 1.0 and any("没有排污口" in n for n in res.notes)


def test_priors_table_names_its_sources_and_types():
    assert typical("城镇污水处理厂排污口", "NH3N").source.startswith("GB 18918")
    assert "农业排口" not in emitting_types("CR6") and emitting_types("FCOLI") == []


def test_sparsity_keeps_the_answer_and_the_bootstrap_is_seeded():
    net, outs, secs, rd, ev = _simple()
    a = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], sparsity=0.05, n_boot=8, seed=3)
    b = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], sparsity=0.05, n_boot=8, seed=3)
    assert a.as_dict() == b.as_dict() and a.candidates[0].outfall == "P0"


def test_steady_outfalls_alone_leave_the_event_unexplained():
    net = net_of("straight")
    outs = [OutfallSite("P0", 0, 0.5, "工业排污口", 0.01)]
    rd = readings_for(net, [Source("P0", 0, 0.5, 0.01, Steady(2.0))], [Point("S", 2, 1.0)], TIMES, parameter="NH3N",
                      background_mg_l=0.5)
    res = trace(net, outs, [SectionSite("S", 2, 1.0)], rd, section="S", parameter="NH3N", at=10.0, n_boot=0)
    assert res.candidates[0].share < 0.05 and res.unexplained_share > 0.95


@pytest.mark.parametrize(("types", "violations", "parameter"), [
    (("农业排口", "工业排污口"), (0, 0), "CR6"),  # farms do not emit chromium(VI); industry does
    (("工业排污口", "工业排污口"), (0, 5), "NH3N"),  # a record of violations raises the prior
])
def test_type_and_history_move_the_ranking_inside_a_group(types, violations, parameter):
    net = net_of("straight")
    layout = [(0, 0.2, types[0], 0.02, violations[0]), (0, 0.2, types[1], 0.02, violations[1])]  # same place
    outs, secs, rd = scenario(net, layout, (300.0, 8.0, 2.0, 0.0, 4))
    ev = event_section(net, outs, secs, rd)
    res = trace(net, outs, secs, rd, section=ev[0], parameter=parameter, at=ev[1], n_boot=0, decay_per_day=0.0)
    assert [c.outfall for c in res.candidates] == ["P1", "P0"]
    e0, e1 = res.candidates[0].evidence, res.candidates[1].evidence
    assert e0.type * e0.history > e1.type * e1.history


# --- the tracer's physics is the simulator's ------------------------------------------------------
@pytest.mark.parametrize(("name", "source_reach", "others"), [
    ("straight", "a", ("b", "c")), ("confluence", "t1", ("t2", "m")), ("zero_flow", "a", ("b",))])
@pytest.mark.parametrize("dispersion", [0.0, 2.0])
def test_a_noise_free_single_source_event_is_explained_exactly(name, source_reach, others, dispersion):
    """The fitted contribution at the event reading equals the simulated one (within 1 %), with outfall
    discharges large against the river flow: the tracer dilutes in Q + Σ q upstream, as the simulator mixes."""
    net = net_of(name)
    ix = net.index
    secs = [SectionSite(f"S_{net.ids[r]}", r, 0.95) for r in range(net.n)]
    ev = secs[-1]  # the most downstream reach in every toy network here
    src = OutfallSite("P0", ix[source_reach], 0.1, "工业排污口", 0.04)
    outs = [src] + [OutfallSite(f"P{n}", ix[r], 0.5, "城镇污水处理厂排污口", 0.03) for n, r in enumerate(others, 1)]
    tau = min(p.tau_h for p in paths_between(net, src.reach, src.measure, ev.reach, ev.measure))
    start = 10.0 - tau - 0.5  # arrives over [9.5, 11.5): on the tracer's hourly grid of release times
    model = dict(parameter="NH3N", dispersion_m2_s=dispersion, background_mg_l=0.3)
    spill = [Source("P0", src.reach, src.measure, 0.04, Pulse(400.0, start, 2.0, 2.0))]
    steady = [Source(o.code, o.reach, o.measure, o.discharge_m3_s, Steady(2.0)) for o in outs[1:]]
    pts = [Point(s.code, s.reach, s.measure) for s in secs]
    rd = readings_for(net, spill + steady, pts, TIMES, **model)
    t_ev, v_ev = rd[ev.code]
    at = float(t_ev[np.argmax(v_ev)])
    without = simulate(net, [Source("P0", src.reach, src.measure, 0.04, Steady(2.0))] + steady,
                       [Point(ev.code, ev.reach, ev.measure)], [at], **model)[0, 0]
    simulated = float(v_ev[np.argmax(v_ev)]) - without
    res = trace(net, outs, secs, rd, section=ev.code, parameter="NH3N", at=at, dispersion_m2_s=dispersion, n_boot=0)
    fitted = sum(c.estimated_contribution_mg_l for c in res.candidates if c.outfall in res.group_of("P0"))
    assert simulated > 1.0
    assert fitted == pytest.approx(simulated, rel=0.01)


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_mixed_flow_is_the_simulators(name):
    """Q at a section + Σ f·q of the outfalls upstream, the simulator's denominator, on every toy network."""
    net = net_of(name)
    rng = np.random.default_rng(7)
    outs = [OutfallSite(f"P{n}", int(r), float(m), "", float(q) if n % 3 else None)
            for n, (r, m, q) in enumerate(zip(rng.integers(0, net.n, 9), rng.uniform(0, 1, 9), rng.uniform(0.01, 0.2, 9),
                                              strict=True))]
    index = OutfallIndex(net, outs)
    for r in range(net.n):
        for m in (0.0, 0.5, 1.0):
            want = reach_flows(net)[0][r] + sum(p.fraction * (o.discharge_m3_s or 0.0) for o in outs
                                                for p in paths_between(net, o.reach, o.measure, r, m))
            assert index.mixed_flow(r, m) == pytest.approx(want, rel=1e-12)


# --- where to sample next -------------------------------------------------------------------------
def test_sample_points_by_hand_on_a_straight_river():
    """a ──► b ──► c, 1 h each; X (a, 0.2), Y (a, 0.6), Z (b, 0.5, twice the weight); section at c 0.9.
    The end of a splits {X, Y} | {Z} evenly (2 of 4); a 0.4 splits {X} | {Y, Z} (1 of 4); the end of b
    has all three above it, no split. The pulse passes the end of a 1.9 h before the section."""
    net = network_from_arrays([1, 2, -1], [3600.0] * 3, velocity_m_s=[1.0] * 3, ids=["a", "b", "c"])
    pts = sample_points(net, [("X", 0, 0.2, 1.0), ("Y", 0, 0.6, 1.0), ("Z", 1, 0.5, 2.0)], 2, 0.9, (10.0, 12.0),
                        group=3)
    assert [(p.reach, p.measure) for p in pts] == [("a", 1.0), ("a", pytest.approx(0.4))]
    assert pts[0].expected_split == {"group": 3, "upstream": ["X", "Y"], "elsewhere": ["Z"], "upstream_share": 0.5}
    assert pts[1].expected_split["upstream"] == ["X"] and pts[1].expected_split["upstream_share"] == 0.25
    assert (pts[0].window_start, pts[0].window_end) == (pytest.approx(8.1), pytest.approx(10.1))
    assert (pts[0].lon, pts[0].lat) == (None, None)  # no reach geometry given


def test_sample_next_splits_a_confluence_group_with_lon_lat_and_windows():
    """One section below a confluence cannot order an outfall on each tributary: sample each tributary's end."""
    net = net_of("confluence")
    ix = net.index
    layout = [(ix["t1"], 0.3, "工业排污口", 0.02, 0), (ix["t2"], 0.5, "工业排污口", 0.02, 0)]
    outs, secs, rd = scenario(net, layout, (300.0, 8.0, 2.0, 0.0, 1))
    only = [s for s in secs if s.code == "S_m"]
    t, v = rd["S_m"]
    res = trace(net, outs, only, rd, section="S_m", parameter="NH3N", at=float(t[np.argmax(v)]), n_boot=0)
    assert res.group_of("P0") == res.group_of("P1") != []
    got = {p.reach: p for p in res.sample_next}
    assert set(got) == {"t1", "t2"}
    assert got["t1"].expected_split["upstream"] == ["P0"] and got["t2"].expected_split["upstream"] == ["P1"]
    for name, p in got.items():  # the downstream end of the tributary, on its line
        assert p.measure == 1.0 and (p.lon, p.lat) == pytest.approx(net.coords[ix[name]][-1])
        tau = net.point_time_h(ix[name], 1.0) - net.point_time_h(ix["m"], 0.95)
        assert p.window_start < float(t[np.argmax(v)]) - tau < p.window_end


@settings(max_examples=60, deadline=None)
@given(name=toy_network_names, data=st.data())
def test_sample_points_lie_below_the_members_they_list_and_not_below_the_others(name, data):
    net = net_of(name)
    layout = data.draw(outfall_layouts(net.n, max_outfalls=6))
    sec = (data.draw(st.integers(0, net.n - 1)), data.draw(st.floats(0, 1)))
    members = [(f"P{n}", r, m, data.draw(st.floats(0, 1))) for n, (r, m, *_) in enumerate(layout)
               if paths_between(net, r, m, *sec)]
    pts = sample_points(net, members, *sec, (5.0, 9.0), group=1)
    assert len(pts) <= 3 and (len(members) >= 2 or pts == [])
    at = {c: (r, m) for c, r, m, _ in members}
    for p in pts:
        r = net.index[p.reach]
        assert paths_between(net, r, p.measure, *sec)  # on the network, above the section
        up, other = p.expected_split["upstream"], p.expected_split["elsewhere"]
        assert up and other and sorted(up + other) == sorted(at)
        assert all(paths_between(net, *at[c], r, p.measure) for c in up)
        assert not any(paths_between(net, *at[c], r, p.measure) for c in other)
        tau = net.point_time_h(r, p.measure) - net.point_time_h(*sec)
        assert (p.window_start, p.window_end) == (pytest.approx(5.0 - tau), pytest.approx(9.0 - tau))
        assert 0.0 <= p.expected_split["upstream_share"] <= 1.0


@pytest.mark.parametrize("dispersion", [0.0, 3.0])
def test_boxes_from_one_arrival_array_equal_the_responses(dispersion):
    from outfall.core.tracing.model import boxes, pair_paths, response
    net = net_of("braid")
    flows = reach_flows(net)[0]
    pp = pair_paths(net, flows, [0, 1, 2], [0.2, 0.5, 0.1], [3, 3], [0.5, 1.0])
    row_sec, row_t = np.repeat([0, 1], 12), np.tile(np.arange(12.0), 2)
    q = np.array([1.0, 1.2])
    first = np.array([-1.3, 0.2, 2.0])
    got = boxes(pp, q, row_sec, row_t, first, 0.5, 9, (1.0, 2.0, 1.5), 0.2, dispersion)
    grid = first[:, None] + 0.5 * np.arange(9)[None, :]
    for d, R in zip((1.0, 2.0, 1.5), got, strict=True):
        np.testing.assert_allclose(R, response(pp, q, row_sec, row_t, grid, d, 0.2, dispersion), atol=1e-12)
    odd = boxes(pp, q, row_sec, row_t, first, 0.7, 4, (1.0,), 0.2, dispersion)[0]  # not whole steps: response
    np.testing.assert_allclose(odd, response(pp, q, row_sec, row_t, first[:, None] + 0.7 * np.arange(4), 1.0, 0.2,
                                             dispersion), atol=1e-12)


# --- load feasibility and release durations (issue #10, the demo's main event) --------------------------------
def test_the_strongest_effluent_bounds_a_type_without_a_row():
    """``upper_raw`` is the highest untreated concentration over the table's types (the type is not known)."""
    for parameter in ("NH3N", "COD", "CR6"):
        assert upper_raw(parameter).raw_mg_l == max(typical(t, parameter).raw_mg_l for t in emitting_types(parameter))
    assert upper_raw("NH3N").source.startswith("GB 18596")  # manure, untreated
    assert upper_raw("FCOLI") is None


def test_an_outfall_of_unknown_type_that_cannot_carry_the_load_does_not_outrank_one_that_can():
    """At the same point, a big industrial outfall spilling 3× its type's raw NH₃-N against a tiny one of unknown
    type that would need tens of g/L: the unknown one's load feasibility is bounded by the strongest effluent of
    any type (``upper_raw``), so it does not win on its milder type factor."""
    net = net_of("straight")
    layout = [(0, 0.2, "工业排污口", 0.03, 0), (0, 0.2, "暂无法确定", 0.0005, 0)]
    outs, secs, rd = scenario(net, layout, (450.0, 8.0, 2.0, 0.0, 4))
    ev = event_section(net, outs, secs, rd)
    res = trace(net, outs, secs, rd, section=ev[0], parameter="NH3N", at=ev[1], n_boot=0)
    assert [c.outfall for c in res.candidates] == ["P0", "P1"]
    e0, e1 = res.candidates[0].evidence, res.candidates[1].evidence
    assert e1.type_reason == "type unknown" and e1.load_feasibility == MIN_FEASIBILITY
    assert e0.load_feasibility > e1.load_feasibility


@pytest.mark.parametrize("hours", [3.0, 12.0])
def test_a_long_release_near_the_section_is_not_taken_for_a_short_one_far_up(hours):
    """A chain of 12 reaches of 3 km at 0.3 m/s, one section at the bottom read hourly: P0 (≈ 7 h up) releases
    ``hours`` h, P1 (≈ 26 h up) does nothing. A 12 h plateau fitted only with 1–2 h boxes looks like P1's
    dispersed pulse; the release as long as the section saw it is tried too, so P0 ranks first and the load
    it alone needs is its real q·Δc (within 10 %)."""
    net = network_from_arrays(np.arange(-1, 11), np.full(12, 3000.0), velocity_m_s=np.full(12, 0.3))
    q, conc = 0.03, 300.0
    outs = [OutfallSite("P0", 2, 0.5, "工业排污口", q), OutfallSite("P1", 9, 0.5, "工业排污口", q)]
    srcs = [Source("P0", 2, 0.5, q, Pulse(conc, 30.0, hours, 2.0)), Source("P1", 9, 0.5, q, Steady(2.0))]
    rd = readings_for(net, srcs, [Point("S", 0, 0.9)], np.arange(0.0, 96.0), parameter="NH3N", dispersion_m2_s=5.0,
                      background_mg_l=0.3, noise_rel=0.05, seed=3)
    t, v = rd["S"]
    res = trace(net, outs, [SectionSite("S", 0, 0.9)], rd, section="S", parameter="NH3N", at=float(t[np.argmax(v)]),
                n_boot=0, dispersion_m2_s=5.0)
    assert res.candidates[0].outfall == "P0"
    assert res.candidates[0].evidence.alone_load_g_s == pytest.approx(q * (conc - 2.0), rel=0.1)
