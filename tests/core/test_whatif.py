"""What-if of bans and merges: hand-worked mass balances on toy networks, and the properties
(a ban never worsens a section; a merge downstream improves the sections above the new point)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networks import ALL
from strategies import outfall_layouts, toy_network_names

from outfall.core.errors import InputError
from outfall.core.network import build_network
from outfall.core.network.graph import network_from_arrays
from outfall.core.simulate import Point, Source, Steady, simulate
from outfall.core.tracing import OutfallSite
from outfall.core.tracing.whatif import OutfallLoad, SectionState, current_load, whatif


@cache
def net_of(name):
    return build_network(ALL[name]())


def chain():
    """a ──► b ──► c, 1 h per reach, river flow 1 m³/s everywhere."""
    net = network_from_arrays([1, 2, -1], [3600.0] * 3, velocity_m_s=[1.0] * 3, ids=["a", "b", "c"])
    net.flow_m3_s[:] = 1.0
    return net


def test_a_ban_by_hand():
    # P (0.1 m³/s × 10 mg/L = 1 g/s) at the top of a; S at the end of b, 2 h down; k = 0.24 /d → δ = exp(−0.02)
    net = chain()
    p = OutfallLoad(OutfallSite("P", 0, 0.0, "", 0.1), 10.0)
    s = SectionState("S", 1, 1.0, 2.0, "2026-05")
    (row,) = whatif(net, [p], [s], parameter="NH3N", ban=["P"], decay_per_day=0.24)
    assert row.predicted_mg_l == pytest.approx(2.0 - np.exp(-0.02) / 1.1, rel=1e-12)  # Q = 1 + 0.1 mixed
    assert (row.current_class, row.predicted_class) == ("V", "IV")  # 2.0 → 1.11 mg/L (GB 3838 NH3N: V ≤ 2, IV ≤ 1.5)
    assert row.as_dict()["period"] == "2026-05"


def test_a_merge_downstream_improves_the_section_above_the_new_point():
    # P on a merged into T at the middle of c: S_b (above T) loses P's load; S_c (below T) gets it less decayed
    net = chain()
    p = OutfallLoad(OutfallSite("P", 0, 0.0, "工业排污口", 0.1), 20.0)  # 2 g/s
    t = OutfallLoad(OutfallSite("T", 2, 0.5, "城镇污水处理厂排污口", 0.2))
    secs = [SectionState("S_b", 1, 1.0, 3.0), SectionState("S_c", 2, 1.0, 3.0)]
    rows = {r.section: r for r in whatif(net, [p, t], secs, parameter="NH3N", merge={"P": "T"}, decay_per_day=0.24)}
    assert rows["S_b"].predicted_mg_l == pytest.approx(3.0 - 2.0 * np.exp(-0.02) / 1.1, rel=1e-12)
    # at S_c: −2·exp(−0.03) + 2·exp(−0.005) in 1 + 0.1 + 0.2 m³/s: slightly worse (less decay on the way)
    assert rows["S_c"].predicted_mg_l == pytest.approx(3.0 + 2.0 * (np.exp(-0.005) - np.exp(-0.03)) / 1.3, rel=1e-12)
    assert rows["S_b"].predicted_mg_l < 3.0 < rows["S_c"].predicted_mg_l


def test_matches_the_simulator_without_decay_when_the_load_is_all_there_is():
    net = net_of("confluence")
    ix = net.index
    sites = [OutfallSite("P1", ix["t1"], 0.3, "", 0.05), OutfallSite("P2", ix["t2"], 0.6, "", 0.02)]
    conc = {"P1": 12.0, "P2": 30.0}
    srcs = [Source(o.code, o.reach, o.measure, o.discharge_m3_s, Steady(conc[o.code])) for o in sites]
    sec = Point("S", ix["m"], 0.9)
    now = simulate(net, srcs, [sec], [0.0], decay_per_day=0.0)[0, 0]
    after = simulate(net, srcs[1:], [sec], [0.0], decay_per_day=0.0)[0, 0]
    (row,) = whatif(net, [OutfallLoad(o, conc[o.code]) for o in sites], [SectionState("S", ix["m"], 0.9, now)],
                    parameter="TP", ban=["P1"], decay_per_day=0.0)
    # the ban keeps P1's water in the dilution (no credit for lost dilution): (M − L)/Q, not (M − L)/(Q − q)
    q_mix = (0.05 * 12.0 + 0.02 * 30.0) / now  # no background: the mixed flow from the mass balance
    assert row.predicted_mg_l == pytest.approx((now * q_mix - 0.05 * 12.0) / q_mix, rel=1e-9)
    assert row.predicted_mg_l <= after


def test_unaffected_sections_are_left_out_and_loads_come_from_own_data_or_type():
    net = net_of("confluence")
    ix = net.index
    p = OutfallLoad(OutfallSite("P", ix["t1"], 0.5, "城镇污水处理厂排污口", 0.1))
    rows = whatif(net, [p], [SectionState("S_t2", ix["t2"], 1.0, 1.0), SectionState("S_m", ix["m"], 1.0, 1.0)],
                  parameter="NH3N", ban=["P"])
    assert [r.section for r in rows] == ["S_m"]
    assert current_load(p, "NH3N") == (pytest.approx(0.5), "typical")  # 0.1 m³/s × 5 mg/L (GB 18918 一级A)
    assert current_load(OutfallLoad(p.site, 2.0), "NH3N") == (pytest.approx(0.2), "own data")
    assert current_load(OutfallLoad(OutfallSite("F", 0, 0.5, "农业排口", 0.1)), "CR6")[0] == 0.0


def test_bad_requests_get_clear_answers():
    net = chain()
    outs = [OutfallLoad(OutfallSite("P", 0, 0.0, "", 0.1), 1.0), OutfallLoad(OutfallSite("T", 1, 0.0, "", 0.1), 1.0)]
    sec = [SectionState("S", 2, 1.0, 1.0)]
    for kw, text in ((dict(ban=["NOPE"]), "NOPE"), (dict(merge={"P": "P"}), "合并目标"),
                     (dict(ban=["T"], merge={"P": "T"}), "合并目标")):
        with pytest.raises(InputError) as e:
            whatif(net, outs, sec, parameter="NH3N", **kw)
        assert text in e.value.user_message
    with pytest.raises(InputError):
        whatif(net, outs, [SectionState("S", 2, 1.0, -1.0)], parameter="NH3N", ban=["P"])


@settings(max_examples=40, deadline=None)
@given(name=toy_network_names, data=st.data())
def test_a_ban_never_worsens_any_section(name, data):
    net = net_of(name)
    layout = data.draw(outfall_layouts(net.n, max_outfalls=5))
    outs = [OutfallLoad(OutfallSite(f"P{n}", r, m, typ, q, v), data.draw(st.one_of(st.none(), st.floats(0, 100))))
            for n, (r, m, typ, q, v) in enumerate(layout)]
    secs = [SectionState(f"S{r}", r, data.draw(st.floats(0, 1)), data.draw(st.floats(0, 5))) for r in range(net.n)]
    banned = data.draw(st.lists(st.sampled_from([o.site.code for o in outs]), unique=True))
    for row in whatif(net, outs, secs, parameter="NH3N", ban=banned):
        assert row.predicted_mg_l <= row.current_mg_l
        assert (row.predicted_class is None) or row.predicted_class == row.current_class or \
            ["I", "II", "III", "IV", "V", "劣V"].index(row.predicted_class) < \
            ["I", "II", "III", "IV", "V", "劣V"].index(row.current_class)
