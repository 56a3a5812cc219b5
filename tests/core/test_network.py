"""The river network: building (to_id, node ids, end points), the interval index, navigation,
snapping and validation, on canonical toy networks and the real NHDPlus networks."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from conftest_shared import shared_data
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from networks import ALL, braid, confluence, straight

from outfall.core.errors import NetworkError
from outfall.core.network import (
    ReachInput,
    build_network,
    navigate,
    reaches_from_geojson,
    read_reaches,
    snap_points,
    validate,
)


def bfs_upstream(net, b):
    seen, stack = {b}, [b]
    while stack:
        i = stack.pop()
        for u in net.up_all[i]:
            if u not in seen:
                seen.add(u)
                stack.append(u)
    return seen


@pytest.mark.parametrize("name", sorted(ALL))
def test_upstream_set_equals_a_plain_walk_and_excludes_downstream(name):
    net = build_network(ALL[name]())
    for b in range(net.n):
        up = set(net.upstream_set(b).tolist())
        assert up == bfs_upstream(net, b), (name, net.ids[b])
        for a in range(net.n):
            assert net.is_upstream(a, b) == (a in up)
        down = {j for j in range(net.n) if j != b and b in bfs_upstream(net, j)}
        assert not (up - {b}) & down


def test_topology_from_end_points_equals_to_id():
    a = build_network(confluence())
    b = build_network([ReachInput(r.id, r.coords) for r in confluence()])
    assert [a.ids[i] if i >= 0 else None for i in a.main_down] == [b.ids[i] if i >= 0 else None for i in b.main_down]


def test_braid_main_and_minor_path():
    net = build_network(braid())
    u, s1, s2, d = (net.reach(x) for x in ("u", "s1", "s2", "d"))
    assert net.main_down[u] == s1 and net.minor.tolist() == [[u, s2]]
    assert net.is_upstream(u, s2) and net.is_upstream(u, d) and not net.is_upstream(s2, s1)
    steps = navigate(net, "d", mode="UT")
    assert [s.reach for s in steps][0] == "d" and {s.reach for s in steps} == {"d", "s1", "s2", "u"}
    dd = [s.reach for s in navigate(net, "u", mode="DD")]
    assert set(dd) == {"u", "s1", "s2", "d"}
    assert [s.reach for s in navigate(net, "u", mode="DM")] == ["u", "s1", "d"]


def test_distances_travel_times_and_trimming():
    net = build_network([ReachInput(r.id, r.coords, to_id=r.to_id, velocity_m_s=1.0, flow_m3_s=1.0)
                         for r in straight()])
    L = net.length_m / 1000  # each ≈ 1.11 km
    steps = navigate(net, "c", mode="UT")
    assert [s.reach for s in steps] == ["c", "b", "a"]
    assert steps[1].distance_km == pytest.approx(L[2], rel=1e-9)  # from c's downstream end to b's
    assert steps[2].travel_time_h == pytest.approx((L[2] + L[1]) * 1000 / 3600)
    # start half-way up c, limit 1.5 km: c's upper half (0.55 km), b whole, nothing of a beyond 1.5 km
    steps = navigate(net, ("c", 0.5), mode="UT", max_km=1.5)
    assert [s.reach for s in steps] == ["c", "b"]
    assert steps[1].distance_km == pytest.approx(L[2] / 2)
    assert steps[1].fraction == pytest.approx(min(1.0, (1.5 - L[2] / 2) / L[1]))
    steps = navigate(net, ("c", 0.5), mode="UT", max_km=0.3)
    assert [s.reach for s in steps] == ["c"] and steps[0].fraction == pytest.approx(0.3 / L[2])
    assert net.delivery(net.reach("a"), 0.0, net.reach("c"), 1.0, k_per_day=0.0) == 1.0


def test_shortcut_rule_tributary_limited_by_its_own_path():
    # main stem m1 ◄ m2 ◄ m3 (1.1 km each); tributary t joins m1's upstream end; limit 2 km from m1's end
    X = 120.4
    rs = [ReachInput("m1", [(X, 36.92), (X, 36.91)]), ReachInput("m2", [(X, 36.93), (X, 36.92)], to_id="m1"),
          ReachInput("m3", [(X, 36.94), (X, 36.93)], to_id="m2"),
          ReachInput("t", [(X + 0.03, 36.92), (X, 36.92)], to_id="m1")]
    rs[0].to_id = None
    net = build_network(rs)
    steps = {s.reach: s for s in navigate(net, "m1", mode="UT", max_km=2.0)}
    assert set(steps) == {"m1", "m2", "t"}  # m3 starts 2.2 km away
    assert steps["t"].fraction == pytest.approx((2.0 - net.length_m[0] / 1000) / (net.length_m[3] / 1000))


def test_upstream_main_follows_the_longest_path():
    net = build_network(confluence())  # t2 is longer than t1
    assert [s.reach for s in navigate(net, "m", mode="UM")] == ["m", "t2"]


@pytest.mark.parametrize("bad,expect", [
    ([ReachInput("a", [(120.4, 36.9), (120.4, 36.8)], to_id="zz")], "不存在"),
    ([ReachInput("a", [(120.4, 36.9), (120.4, 36.8)], to_id="b"),
      ReachInput("b", [(120.4, 36.8), (120.4, 36.7)], to_id="a")], "环路"),
    ([ReachInput("a", [(120.4, 36.9), (120.4, 36.8)]), ReachInput("a", [(120.4, 36.8), (120.4, 36.7)])], "重复"),
    ([], "没有河段"),
])
def test_bad_networks_are_refused_with_a_reason(bad, expect):
    with pytest.raises(NetworkError) as exc:
        build_network(bad)
    assert expect in exc.value.user_message


@pytest.mark.parametrize("fc,expect", [
    ({"type": "FeatureCollection", "features": []}, "没有河流线"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "a"},
                                                 "geometry": {"type": "LineString", "coordinates": [[120, 36]]}}]},
     "只有 1 个点"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "a"},
                                                 "geometry": {"type": "Point", "coordinates": [120, 36]}}]}, "Point"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "a"},
                                                 "geometry": {"type": "LineString",
                                                              "coordinates": [[1.5e6, 1.6e6], [1.5e6, 1.7e6]]}}]},
     "不是经纬度"),
])
def test_bad_files_are_refused(fc, expect):
    with pytest.raises(NetworkError) as exc:
        reaches_from_geojson(fc)
    assert expect in exc.value.user_message


def test_validation_report():
    rep = validate(ALL["disconnected"]())
    assert rep.ok and rep.outlets == 2 and rep.components == 2
    assert rep.count("outlets") == 1 and rep.count("disconnected") == 1
    rep = validate([ReachInput("a", [(120.4, 36.9), (120.4, 36.8)], to_id="b"),
                    ReachInput("b", [(120.4, 36.8), (120.4, 36.7)], to_id="a")])
    assert not rep.ok and rep.count("cycle") == 1
    rep = validate([ReachInput("a", [(120.4, 36.9), (120.4, 36.8)], to_id="b"),
                    ReachInput("b", [(120.4, 36.7), (120.4, 36.8)])])  # b drawn upstream
    assert rep.count("reversed") == 1
    assert validate(braid()).count("divergence") == 1
    json.dumps(rep.as_dict())


def test_zero_flow_gets_a_documented_default():
    net = build_network(ALL["zero_flow"]())
    assert net.flow_m3_s[0] > 0 and net.defaulted[0] and not net.defaulted[1]


def test_snapping():
    net = build_network(straight())
    r = snap_points(net, [120.401, 120.40, 120.5], [36.925, 36.905, 36.905], max_distance_m=500)
    assert [net.ids[i] for i in r.reach] == ["a", "c", "c"]
    assert r.measure[0] == pytest.approx(0.5, abs=0.01) and r.distance_m[0] == pytest.approx(89, abs=2)
    assert r.far.tolist() == [False, False, True]


# --- the real NHDPlus networks (shared/data/nhdplus; skip when missing, fail in CI) -------------

def _attrs(name):
    with open(shared_data("nhdplus", f"{name}_flowlines.csv"), encoding="utf-8") as fh:
        return {r["COMID"]: r for r in csv.DictReader(fh)}


@pytest.mark.parametrize("name", ["new_hope", "walker"])
def test_nhdplus_accumulated_area_equals_total_drainage_area(name):
    """Σ AreaSqKM over each main-path upstream set = TotDASqKM (within 0.5 %) where no divergence
    lies upstream; GeoPackage import (new_hope in projected metres, walker in lon/lat)."""
    net = build_network(read_reaches(shared_data("nhdplus", f"{name}.gpkg")))
    attrs = _attrs(name)
    area = np.array([float(attrs[i]["AreaSqKM"]) for i in net.ids])
    tot = np.array([float(attrs[i]["TotDASqKM"]) for i in net.ids])
    div = np.array([attrs[i]["Divergence"] != "0" for i in net.ids])
    checked, worst = 0, 0.0
    for b in range(net.n):
        up = net.order[net.pre[b]:net.pre[b] + net.size[b]]
        if div[up].any() or tot[b] <= 0:
            continue
        worst = max(worst, abs(area[up].sum() - tot[b]) / tot[b])
        checked += 1
    print(f"\n{name}: {checked} reaches checked, worst relative error {worst:.2e}")
    assert checked > 0.5 * net.n * (0.5 if name == "new_hope" else 1) and worst < 0.005
    nhd_km = sum(float(a["LENGTHKM"]) for a in attrs.values())
    print(f"{name}: geodesic length {net.length_m.sum() / 1000:.1f} km, NHDPlus LENGTHKM {nhd_km:.1f} km")


def test_nhdplus_geojson_in_projected_metres_needs_its_crs():
    path = shared_data("nhdplus", "new_hope_flowlines.geojson")
    with pytest.raises(NetworkError):
        read_reaches(path)
    import pyogrio

    crs = pyogrio.read_info(shared_data("nhdplus", "new_hope.gpkg"))["crs"]
    a = build_network(read_reaches(path, crs=crs))
    b = build_network(read_reaches(shared_data("nhdplus", "new_hope.gpkg")))
    assert a.ids == b.ids and np.allclose(a.length_m, b.length_m, rtol=1e-6)
    assert (a.pre == b.pre).all()


def test_nhdplus_walker_geojson_and_divergences_found():
    a = build_network(read_reaches(shared_data("nhdplus", "walker_flowlines.geojson")))
    assert a.n == 62 and len(a.roots) == 1
    nh = build_network(read_reaches(shared_data("nhdplus", "new_hope.gpkg")))
    attrs = _attrs("new_hope")
    minor_heads = {nh.ids[d] for _s, d in nh.minor}
    assert minor_heads == {c for c, r in attrs.items() if r["Divergence"] == "2"}


def test_petapsco_attributes_only_from_node_ids():
    with open(shared_data("nhdplus", "petapsco_network.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rs = [ReachInput(str(int(float(r["COMID"]))), [(0.0, 0.0), (0.0, 0.001)], from_node=r["FromNode"],
                     to_node=r["ToNode"], divergence=int(float(r["Divergence"]))) for r in rows]
    net = build_network(rs)
    assert net.n == len(rows) and len(net.roots) >= 1
    for b in range(0, net.n, 37):
        assert set(net.upstream_set(b).tolist()) == bfs_upstream(net, b)


# --- property tests ----------------------------------------------------------------------------

@st.composite
def random_dags(draw):
    """A random river: each reach drains to an earlier one (a tree), plus a few minor paths."""
    n = draw(st.integers(2, 40))
    parents = [draw(st.integers(0, i - 1)) for i in range(1, n)]
    extra = draw(st.lists(st.tuples(st.integers(1, n - 1), st.integers(0, n - 1)), max_size=4, unique=True))
    rs = []
    for i in range(n):
        rs.append(ReachInput(str(i), [(120.4 + i * 1e-3, 36.9), (120.4 + i * 1e-3, 36.89)],
                             from_node=f"n{i}", to_node=f"n{parents[i - 1]}" if i else "outlet"))
    # a divergence: a second channel leaving the node where reach i ends, into reach j's start node
    for i, j in extra:
        if parents[i - 1] != j:
            rs.append(ReachInput(f"m{i}-{j}", [(120.5, 36.9), (120.5, 36.89)], from_node=f"n{parents[i - 1]}",
                                 to_node=f"n{j}", divergence=2))
    return rs


def build_or_skip(rs):
    """A random divergence may close a loop; such draws are not rivers."""
    try:
        return build_network(rs)
    except NetworkError:
        assume(False)


@settings(max_examples=40, deadline=None)
@given(random_dags())
def test_property_upstream_set_is_exact_and_never_holds_downstream(rs):
    net = build_or_skip(rs)
    for b in range(net.n):
        up = set(net.upstream_set(b).tolist())
        assert up == bfs_upstream(net, b)
        j = int(net.main_down[b])
        while j >= 0:
            assert j not in up or j == b
            j = int(net.main_down[j])


@settings(max_examples=30, deadline=None)
@given(random_dags(), st.integers(0, 1000))
def test_property_adding_a_reach_never_removes_an_upstream_result(rs, seed):
    net = build_or_skip(rs)
    target = rs[seed % len(rs)]
    new = ReachInput("new", [(121.0, 36.9), (121.0, 36.89)], from_node="fresh", to_node=target.from_node)
    net2 = build_network(rs + [new])
    for b in range(net.n):
        before = {net.ids[i] for i in net.upstream_set(b)}
        after = {net2.ids[i] for i in net2.upstream_set(net2.reach(net.ids[b]))}
        assert before <= after
