"""The forward water-quality model: mixing, decay, travel time, dispersion, splits, noise, precision."""

from __future__ import annotations

import numpy as np
import pytest
from networks import ALL, braid, confluence, straight, zero_flow

from outfall.core.errors import InputError
from outfall.core.network import build_network
from outfall.core.network.graph import network_from_arrays
from outfall.core.simulate import (
    Point,
    Pulse,
    Source,
    Steady,
    decay_rate,
    delivered_loads,
    paths_between,
    reach_flows,
    simulate,
)
from outfall.core.simulate.scenario import readings_for


def test_mass_balance_at_a_confluence():
    net = build_network(confluence())
    ix = net.index
    s1 = Source("P1", ix["t1"], 0.2, 0.03, Steady(20.0))
    s2 = Source("P2", ix["t2"], 0.7, 0.01, Steady(50.0))
    sec = Point("S", ix["m"], 0.5)
    c = simulate(net, [s1, s2], [sec], [0.0], decay_per_day=0.0, background_mg_l=0.4)[0, 0]
    q_m = reach_flows(net)[0][ix["m"]]
    # mass in = mass out: Q_m c_b + q1 c1 + q2 c2 = (Q_m + q1 + q2) c
    assert c * (q_m + 0.04) == pytest.approx(0.4 * q_m + 0.03 * 20 + 0.01 * 50, rel=1e-12)


def test_decay_is_exp_minus_k_tau_along_the_path():
    net = build_network(straight())
    ix = net.index
    src = Source("P", ix["a"], 0.0, 0.01, Steady(100.0))
    sec = Point("S", ix["c"], 1.0)
    tau_h = float(net.travel_h.sum())
    q = reach_flows(net)[0][ix["c"]]
    for k in (0.0, 0.2, 1.5):
        c = simulate(net, [src], [sec], [0.0], decay_per_day=k)[0, 0]
        assert c == pytest.approx(0.01 * 100 * np.exp(-k * tau_h / 24) / (q + 0.01), rel=1e-12)


def test_a_pulse_arrives_after_the_travel_time_and_not_before():
    net = network_from_arrays([1, -1], [3600.0, 7200.0], velocity_m_s=[1.0, 2.0])  # 1 h + 1 h
    net.flow_m3_s[:] = 1.0
    src = Source("P", 0, 0.0, 0.1, Pulse(10.0, 5.0, 2.0))
    t = np.arange(0, 12, 0.25)
    c = simulate(net, [src], [Point("S", 1, 1.0)], t, decay_per_day=0.0)[0]
    seen = t[c > 0]
    assert seen.min() == pytest.approx(7.0) and seen.max() == pytest.approx(8.75)  # [5 + 2, 5 + 2 + 2)
    assert c.max() == pytest.approx(0.1 * 10 / 1.1)


def test_dilution_is_inverse_to_river_flow():
    net = network_from_arrays([-1], [1000.0])
    out = []
    for q in (1.0, 4.0):
        net.flow_m3_s[:] = q
        out.append(simulate(net, [Source("P", 0, 0.0, 0.001, Steady(10.0))], [Point("S", 0, 1.0)], [0.0],
                            decay_per_day=0)[0, 0])
    assert out[0] / out[1] == pytest.approx(4.001 / 1.001)


def test_dispersion_spreads_a_pulse_but_keeps_its_mass():
    net = network_from_arrays([-1], [20_000.0], velocity_m_s=[0.5])
    net.flow_m3_s[:] = 2.0
    src = Source("P", 0, 0.0, 0.01, Pulse(100.0, 2.0, 1.0))
    t = np.arange(0, 40, 0.05)
    sharp = simulate(net, [src], [Point("S", 0, 1.0)], t, decay_per_day=0)[0]
    wide = simulate(net, [src], [Point("S", 0, 1.0)], t, decay_per_day=0, dispersion_m2_s=20.0)[0]
    assert wide.max() < sharp.max()
    assert np.trapezoid(wide, t) == pytest.approx(np.trapezoid(sharp, t), rel=1e-3)


def test_flow_splits_at_a_divergence_and_rejoins():
    net = build_network(braid())
    ix = net.index
    src = Source("P", ix["u"], 0.5, 0.01, Steady(10.0))
    ps = paths_between(net, ix["u"], 0.5, ix["d"], 0.5)
    assert len(ps) == 2 and sum(p.fraction for p in ps) == pytest.approx(1.0)
    q = reach_flows(net)[0]
    on_s2 = simulate(net, [src], [Point("S2", ix["s2"], 1.0)], [0.0], decay_per_day=0)[0, 0]
    share = q[ix["s2"]] / (q[ix["s1"]] + q[ix["s2"]])
    assert on_s2 == pytest.approx(share * 0.1 / (q[ix["s2"]] + share * 0.01))


@pytest.mark.parametrize("name", sorted(ALL))
def test_a_conservative_load_reaches_every_outlet_undiminished(name):
    net = build_network(ALL[name]())
    for a in range(net.n):
        src = Source("P", a, 0.0, 0.01, Steady(10.0))
        for b in net.roots:
            load = delivered_loads(net, [src], Point("O", int(b), 1.0), [0.0])[0, 0]
            assert load == pytest.approx(0.1 if net.is_upstream(a, int(b)) else 0.0)


def test_removing_a_source_never_raises_another_delivered_load():
    net = build_network(confluence())
    ix = net.index
    srcs = [Source("P1", ix["t1"], 0.1, 0.02, Steady(30.0)), Source("P2", ix["t2"], 0.1, 0.05, Steady(10.0)),
            Source("P3", ix["m"], 0.1, 0.01, Pulse(80.0, 1.0, 2.0))]
    t = np.arange(0, 10, 0.5)
    full = delivered_loads(net, srcs, Point("S", ix["m"], 1.0), t, k_per_day=0.3, dispersion_m2_s=5)
    for drop in range(3):
        rest = [s for n, s in enumerate(srcs) if n != drop]
        part = delivered_loads(net, rest, Point("S", ix["m"], 1.0), t, k_per_day=0.3, dispersion_m2_s=5)
        assert (part <= np.delete(full, drop, axis=0) + 1e-15).all()


def test_zero_flow_reach_uses_the_default_and_disconnected_sees_nothing():
    net = build_network(zero_flow())
    q, defaulted = reach_flows(net)
    assert q[net.index["a"]] > 0 and defaulted[net.index["a"]]
    net2 = build_network(ALL["disconnected"]())
    c = simulate(net2, [Source("P", net2.index["x"], 0.0, 0.1, Steady(9.0))], [Point("S", net2.index["b"], 1.0)],
                 [0.0], background_mg_l=0.2)
    assert c[0, 0] == pytest.approx(0.2)


def test_noise_is_seeded_and_reports_are_rounded_half_even():
    net = network_from_arrays([-1], [1000.0])
    net.flow_m3_s[:] = 1.0
    args = ([Source("P", 0, 0.0, 0.1, Steady(2.5))], [Point("S", 0, 1.0)], np.arange(5.0))
    a = simulate(net, *args, noise_rel=0.1, seed=7)
    assert np.array_equal(a, simulate(net, *args, noise_rel=0.1, seed=7))
    assert not np.array_equal(a, simulate(net, *args, noise_rel=0.1, seed=8))
    net.flow_m3_s[:] = 0.9
    exact = simulate(net, [Source("P", 0, 0.0, 0.1, Steady(0.25))], [Point("S", 0, 1.0)], [0.0], decay_per_day=0)
    assert exact[0, 0] == pytest.approx(0.025)
    assert simulate(net, [Source("P", 0, 0.0, 0.1, Steady(0.25))], [Point("S", 0, 1.0)], [0.0], decay_per_day=0,
                    decimals=2)[0, 0] == 0.02


def test_readings_for_gives_own_data_only_where_asked():
    net = build_network(straight())
    srcs = [Source("P1", 0, 0.5, 0.01, Pulse(50.0, 2.0, 1.0, 5.0)), Source("P2", 1, 0.5, 0.01, Steady(5.0))]
    rd = readings_for(net, srcs, [Point("S", 2, 1.0)], np.arange(0, 6.0), own_data={"P1"}, seed=1)
    assert set(rd) == {"S", "P1"} and rd["P1"][1][2] == 50.0 and rd["P1"][1][0] == 5.0


def test_bad_model_inputs_are_refused():
    with pytest.raises(InputError):
        decay_rate("NH3N", -1.0)
    net = network_from_arrays([-1], [1000.0])
    with pytest.raises(InputError):
        simulate(net, [], [Point("S", 0, 1.0)], [0.0], dispersion_m2_s=-1)
    assert decay_rate("nh3n") == 0.2 and decay_rate("CU") == 0.0


def test_a_background_that_varies_in_time_and_by_section():
    """A background array: with no source each section reads its own background at each time; a
    source adds the same mixed load whatever the background (the model is linear in it)."""
    net = network_from_arrays([1, -1], [3600.0, 3600.0], velocity_m_s=[1.0, 1.0])
    net.flow_m3_s[:] = 1.0
    t = np.arange(4.0)
    bg = np.array([[0.1, 0.2, 0.3, 0.4], [1.0, 1.0, 2.0, 2.0]])
    secs = [Point("A", 0, 1.0), Point("B", 1, 1.0)]
    assert np.allclose(simulate(net, [], secs, t, background_mg_l=bg), bg)
    src = [Source("P", 0, 0.0, 0.1, Steady(5.0))]
    with_src = simulate(net, src, secs, t, background_mg_l=bg, decay_per_day=0)
    # (c_b Q + q c) / (Q + q) at every section and time
    assert np.allclose(with_src, (bg * 1.0 + 0.1 * 5.0) / 1.1)
    assert np.allclose(simulate(net, [], secs, t, background_mg_l=bg[1]), np.vstack([bg[1], bg[1]]))
    with pytest.raises(InputError):
        simulate(net, [], secs, t, background_mg_l=-bg)
