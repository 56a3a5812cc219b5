"""Navigation through the interval index equals the reference walk (tests/core/nav_reference.py):
same reaches, distances, travel times, fractions and order, on the toy networks, random rivers with
divergences and the real NHDPlus networks."""

from __future__ import annotations

import numpy as np
import pytest
from conftest_shared import shared_data
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nav_reference import walk
from networks import ALL

from outfall.core.errors import NetworkError
from outfall.core.network import ReachInput, build_network, navigate, read_reaches
from outfall.core.network.navigate import NavResult

TOL = 1e-9


def _near(x, limit):
    return limit is not None and abs(x - limit) <= TOL * max(1.0, abs(limit))


def assert_same(net, got, ref, label="", max_km=None, max_hours=None):
    """Equal within float tolerance; a reach whose near end lies within tolerance of a limit may be
    in one result and not the other (labels subtract, the walk adds)."""
    assert isinstance(got, NavResult)
    g = list(got)
    assert [s.index for s in g][:1] == [ref[0].index], label
    edge = {s.index for s in g[1:] + ref[1:] if _near(s.distance_km, max_km) or _near(s.travel_time_h, max_hours)}
    g = [s for k, s in enumerate(g) if k == 0 or s.index not in edge]
    ref = [s for k, s in enumerate(ref) if k == 0 or s.index not in edge]
    assert sorted(s.index for s in g) == sorted(s.index for s in ref), label
    by = {s.index: s for s in ref}
    for s in g:
        r = by[s.index]
        assert abs(s.distance_km - r.distance_km) <= TOL * max(1.0, r.distance_km), (label, s, r)
        assert abs(s.travel_time_h - r.travel_time_h) <= TOL * max(1.0, r.travel_time_h), (label, s, r)
        assert abs(s.fraction - r.fraction) <= 1e-6, (label, s, r)
    # order: the same distance at every position; exact ties broken by the lower reach index
    for a, r in zip(g, ref, strict=True):
        assert abs(by[a.index].distance_km - r.distance_km) <= TOL * max(1.0, r.distance_km), label
    for a, b in zip(g[1:], g[2:], strict=False):
        assert a.distance_km <= b.distance_km + TOL
        if a.distance_km == b.distance_km:
            assert a.index < b.index or label.startswith(("UM", "DM")), label


def check_all(net, starts, *, limits=((None, None),), measures=(None,)):
    for s in starts:
        for mode in ("UT", "UM", "DM", "DD"):
            for mk, mh in limits:
                for m in measures:
                    start = s if m is None else (s, m)
                    label = f"{mode} {net.ids[s]} m={m} km={mk} h={mh}"
                    assert_same(net, navigate(net, start, mode=mode, max_km=mk, max_hours=mh),
                                walk(net, start, mode=mode, max_km=mk, max_hours=mh), label, mk, mh)


@pytest.mark.parametrize("name", sorted(ALL))
def test_toy_networks_every_start_mode_and_limit(name):
    net = build_network(ALL[name]())
    check_all(net, range(net.n), limits=((None, None), (0.0, None), (0.5, None), (1.7, None), (None, 0.5),
                                         (2.0, 1.5)), measures=(None, 0.0, 0.3, 1.0))


@st.composite
def random_rivers(draw):
    """A random river: each reach drains to an earlier one, a few minor paths (divergences),
    random lengths, some lakes (slow) and some given velocities."""
    n = draw(st.integers(2, 30))
    parents = [draw(st.integers(0, i - 1)) for i in range(1, n)]
    extra = draw(st.lists(st.tuples(st.integers(1, n - 1), st.integers(0, n - 1)), max_size=4, unique=True))
    lengths = draw(st.lists(st.sampled_from([0.002, 0.005, 0.01, 0.013, 0.02]), min_size=n + 4, max_size=n + 4))
    kinds = draw(st.lists(st.sampled_from(["river", "river", "river", "lake"]), min_size=n + 4, max_size=n + 4))
    rs = []
    for i in range(n):
        x = 120.4 + i * 1e-3
        rs.append(ReachInput(str(i), [(x, 36.9 + lengths[i]), (x, 36.9)], kind=kinds[i], from_node=f"n{i}",
                             to_node=f"n{parents[i - 1]}" if i else "outlet"))
    for k, (i, j) in enumerate(extra):
        if parents[i - 1] != j:
            rs.append(ReachInput(f"m{i}-{j}", [(120.5, 36.9 + lengths[n + k]), (120.5, 36.9)], kind=kinds[n + k],
                                 from_node=f"n{parents[i - 1]}", to_node=f"n{j}", divergence=2))
    return rs


@settings(max_examples=80, deadline=None)
@given(random_rivers(), st.data())
def test_property_index_navigation_equals_the_walk(rs, data):
    try:
        net = build_network(rs)
    except NetworkError:
        assume(False)
    s = data.draw(st.integers(0, net.n - 1), label="start")
    mode = data.draw(st.sampled_from(["UT", "UM", "DM", "DD"]), label="mode")
    m = data.draw(st.one_of(st.none(), st.floats(0.0, 1.0)), label="measure")
    mk = data.draw(st.one_of(st.none(), st.floats(0.0, 20.0)), label="max_km")
    mh = data.draw(st.one_of(st.none(), st.floats(0.0, 50.0)), label="max_hours")
    start = s if m is None else (s, m)
    assert_same(net, navigate(net, start, mode=mode, max_km=mk, max_hours=mh),
                walk(net, start, mode=mode, max_km=mk, max_hours=mh), f"{mode} {s} {m} {mk} {mh}", mk, mh)


@pytest.mark.parametrize("name", ["new_hope", "walker"])
def test_nhdplus_networks_equal_the_walk(name):
    net = build_network(read_reaches(shared_data("nhdplus", f"{name}.gpkg")))
    rng = np.random.default_rng(7)
    starts = sorted(set(rng.integers(0, net.n, 25).tolist()) | set(net.roots.tolist()[:2])
                    | {int(d) for _s, d in net.minor[:5]})
    check_all(net, starts, limits=((None, None), (5.0, None), (None, 12.0)), measures=(None, 0.4))


def test_stored_index_round_trip_and_refusals():
    from outfall.core.network.store import index_bytes, network_from_index

    net = build_network(read_reaches(shared_data("nhdplus", "walker.gpkg")))
    data = index_bytes(net)
    fields = {"names": net.names, "kinds": net.kinds, "coords": net.coords, "level_path": net.level_path}
    back = network_from_index(data, ids=net.ids, **fields)
    for s in range(0, net.n, 7):
        for mode in ("UT", "UM", "DM", "DD"):
            a, b = navigate(net, (s, 0.3), mode=mode, max_km=8.0), navigate(back, (s, 0.3), mode=mode, max_km=8.0)
            assert a.reaches == b.reaches and np.array_equal(a.distance_km, b.distance_km)
    assert network_from_index(data, ids=net.ids[::-1], **fields) is None  # built for other reaches
    assert network_from_index(b"not an npz", ids=net.ids, **fields) is None
    assert network_from_index(data[: len(data) // 2], ids=net.ids, **fields) is None
