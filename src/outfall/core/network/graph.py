"""Build the network and its index: main-path tree, DFS pre-order intervals, and the cumulative
labels T (hours from a reach's downstream end to the outlet) and D (km), all NumPy arrays.

Main downstream at a divergence: the downstream reach whose ``divergence`` is not 2 (NHDPlus main
path); else the one on the same ``level_path``; else the one with the larger given flow; else the
first listed. The other downstream reaches are minor paths, kept as an exception list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from outfall.core.errors import NetworkError
from outfall.core.network.hydraulics import fill_hydraulics
from outfall.core.network.io import ReachInput, geodesic_length_m

__all__ = ["Network", "build_network", "downstream_lists", "network_from_arrays"]


def _csr(parent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """children of each node as (offsets, items) for a parent array (−1 = none)."""
    has = parent >= 0
    kids = np.flatnonzero(has)
    order = kids[np.argsort(parent[kids], kind="stable")]
    counts = np.bincount(parent[has], minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, order


def downstream_lists(reaches: list[ReachInput], *, tolerance_m: float = 5.0) -> tuple[list[list[int]], list[str]]:
    """Downstream reach indices of every reach, from ``to_id``, node ids, or shared end points.

    Returns (lists, problems): ``to_id`` values that name no reach are problems, not edges.
    """
    index = {r.id: i for i, r in enumerate(reaches)}
    n = len(reaches)
    down: list[list[int]] = [[] for _ in range(n)]
    problems = []
    if any(r.to_id for r in reaches):
        for i, r in enumerate(reaches):
            if r.to_id:
                j = index.get(r.to_id)
                if j is None:
                    problems.append(f"河段 {r.id} 的下游 to_id「{r.to_id}」不存在")
                else:
                    down[i].append(j)
    elif any(r.from_node and r.to_node for r in reaches):
        by_from = defaultdict(list)
        for i, r in enumerate(reaches):
            if r.from_node:
                by_from[r.from_node].append(i)
        for i, r in enumerate(reaches):
            if r.to_node:
                down[i] = [j for j in by_from.get(r.to_node, []) if j != i]
    elif reaches:  # topology from shared end points (none to find in an empty network)
        from pyproj import Transformer
        from scipy.spatial import cKDTree

        lon0 = float(np.mean([r.coords[0][0] for r in reaches]))
        lat0 = float(np.mean([r.coords[0][1] for r in reaches]))
        tr = Transformer.from_crs(4326, f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84", always_xy=True)
        sx, sy = tr.transform([r.coords[0][0] for r in reaches], [r.coords[0][1] for r in reaches])
        ex, ey = tr.transform([r.coords[-1][0] for r in reaches], [r.coords[-1][1] for r in reaches])
        tree = cKDTree(np.column_stack([sx, sy]))
        for i, near in enumerate(tree.query_ball_point(np.column_stack([ex, ey]), r=tolerance_m)):
            down[i] = sorted(j for j in near if j != i)
    return down, problems


@dataclass(eq=False)
class Network:
    """An immutable river network; reach *i* is ``ids[i]``; arrays are indexed by reach."""

    ids: list[str]
    names: list[str]
    kinds: list[str]
    coords: list[list[tuple[float, float]]]
    level_path: list[str | None]
    length_m: np.ndarray
    velocity_m_s: np.ndarray
    flow_m3_s: np.ndarray
    defaulted: np.ndarray  # True where velocity or flow is a default
    main_down: np.ndarray  # int32, −1 at an outlet
    minor: np.ndarray  # (k, 2) int32 pairs (from, to) of minor downstream paths
    pre: np.ndarray = field(init=False)
    size: np.ndarray = field(init=False)
    order: np.ndarray = field(init=False)
    T_h: np.ndarray = field(init=False)  # hours from the reach's downstream end to its outlet
    D_km: np.ndarray = field(init=False)  # km from the reach's downstream end to its outlet

    @cached_property
    def index(self) -> dict[str, int]:
        return {r: i for i, r in enumerate(self.ids)}

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def length_km(self) -> np.ndarray:
        return self.length_m / 1000.0

    @cached_property
    def travel_h(self) -> np.ndarray:
        """Travel time through each reach, hours: L / u."""
        return self.length_m / self.velocity_m_s / 3600.0

    @cached_property
    def up_main(self) -> tuple[np.ndarray, np.ndarray]:
        return _csr(self.main_down, self.n)

    @cached_property
    def up_all(self) -> list[list[int]]:
        ups: list[list[int]] = [[] for _ in range(self.n)]
        for i in np.flatnonzero(self.main_down >= 0):
            ups[self.main_down[i]].append(int(i))
        for a, b in self.minor:
            ups[b].append(int(a))
        return ups

    @cached_property
    def down_all(self) -> list[list[int]]:
        downs = [[int(d)] if d >= 0 else [] for d in self.main_down]
        for a, b in self.minor:
            downs[a].append(int(b))
        return downs

    @cached_property
    def main_down_list(self) -> list[int]:
        return self.main_down.tolist()

    # --- navigation arrays (derived from the index; stored with it, see ``index_arrays``) ---------
    @cached_property
    def D_pre(self) -> np.ndarray:
        """D_km in pre-order: the labels of a subtree are one contiguous slice."""
        return self.D_km[self.order]

    @cached_property
    def T_pre(self) -> np.ndarray:
        return self.T_h[self.order]

    @cached_property
    def by_D(self) -> np.ndarray:
        """Reach indices ordered by (D_km, index): the global distance order."""
        return np.argsort(self.D_km, kind="stable").astype(np.int32)

    @cached_property
    def D_byD(self) -> np.ndarray:
        """D_km in ``by_D`` order (ascending)."""
        return self.D_km[self.by_D]

    @cached_property
    def T_byD(self) -> np.ndarray:
        return self.T_h[self.by_D]

    @cached_property
    def rank_pre(self) -> np.ndarray:
        """Rank of each reach in ``by_D``, in pre-order: sorting a slice of it orders a subtree by distance."""
        rank = np.empty(self.n, dtype=np.int32)
        rank[self.by_D] = np.arange(self.n, dtype=np.int32)
        return rank[self.order]

    @cached_property
    def minor_from(self) -> dict[int, list[int]]:
        """Lower reaches of the minor paths leaving each reach (reaches without one are absent)."""
        out: dict[int, list[int]] = {}
        for a, d in self.minor.tolist():
            out.setdefault(a, []).append(d)
        return out

    @cached_property
    def minor_rows(self) -> tuple[list[tuple], np.ndarray]:
        """The minor paths as (from, to, D + L of to, T + travel of to) ordered by the pre-order
        position of their lower end, and those positions: the minor paths ending in a subtree are
        one searchsorted range."""
        if not len(self.minor):
            return [], np.zeros(0, dtype=np.int64)
        p = self.pre[self.minor[:, 1]]
        o = np.argsort(p, kind="stable")
        a, d = self.minor[o, 0], self.minor[o, 1]
        rows = list(zip(a.tolist(), d.tolist(), (self.D_km[d] + self.length_km[d]).tolist(),
                        (self.T_h[d] + self.travel_h[d]).tolist(), strict=True))
        return rows, p[o]

    @cached_property
    def longest_up_km(self) -> np.ndarray:
        """km of the longest path from each reach's downstream end to a source (on the main-path tree)."""
        L = self.length_m / 1000.0
        out = L.copy()
        parent = self.main_down.astype(np.int64)
        for lv in reversed(_levels(self.n, self.roots, *self.up_main)[1:]):
            np.maximum.at(out, parent[lv], out[lv] + L[parent[lv]])
        return out

    @property
    def roots(self) -> np.ndarray:
        return np.flatnonzero(self.main_down < 0)

    def reach(self, rid: str) -> int:
        try:
            return self.index[rid]
        except KeyError:
            raise NetworkError(f"no reach {rid}", user_message=f"河网中没有河段「{rid}」") from None

    # --- the interval index -------------------------------------------------------------------
    def in_subtree(self, a, b):
        """Vectorised: is ``a`` in the main-path subtree of ``b`` (upstream of or equal to b)?"""
        pb = self.pre[b]
        return (pb <= self.pre[a]) & (self.pre[a] < pb + self.size[b])

    def upstream_intervals(self, b: int) -> list[tuple[int, int]]:
        """Pre-order intervals [lo, hi) that together hold every reach upstream of ``b`` (and b),
        exact with divergences: a minor path s → d with d upstream of b brings s's upstream too."""
        iv = [(int(self.pre[b]), int(self.pre[b] + self.size[b]))]
        if len(self.minor) == 0:
            return iv
        done = set()
        changed = True
        while changed:
            changed = False
            for k, (s, d) in enumerate(self.minor):
                if k in done:
                    continue
                pd = self.pre[d]
                if any(lo <= pd < hi for lo, hi in iv):
                    done.add(k)
                    lo, hi = int(self.pre[s]), int(self.pre[s] + self.size[s])
                    if not any(a <= lo and hi <= c for a, c in iv):
                        iv.append((lo, hi))
                        changed = True
        iv.sort()
        merged = [iv[0]]
        for lo, hi in iv[1:]:
            if lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        return merged

    def upstream_set(self, b: int) -> np.ndarray:
        """Every reach upstream of ``b`` (b included), as reach indices (contiguous slices of ``order``)."""
        parts = [self.order[lo:hi] for lo, hi in self.upstream_intervals(b)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def is_upstream(self, a: int, b: int) -> bool:
        """Does water from reach ``a`` reach ``b``? O(1) without divergences upstream of b."""
        pa = self.pre[a]
        return any(lo <= pa < hi for lo, hi in self.upstream_intervals(b))

    def point_time_h(self, i: int, measure: float) -> float:
        """Hours from a point (reach, measure 0 = upstream end … 1 = downstream end) to the outlet."""
        return float(self.T_h[i] + (1.0 - measure) * self.travel_h[i])

    def point_km(self, i: int, measure: float) -> float:
        return float(self.D_km[i] + (1.0 - measure) * self.length_m[i] / 1000.0)

    def delivery(self, a: int, ma: float, b: int, mb: float, *, k_per_day: float) -> float:
        """Fraction of a first-order-decaying load at point a that reaches point b on its main path:
        exp(−k τ), τ = T(a) − T(b) (shared/DESIGN.md §4)."""
        tau_h = self.point_time_h(a, ma) - self.point_time_h(b, mb)
        return float(np.exp(-k_per_day * tau_h / 24.0))


def _levels(n: int, roots: np.ndarray, offsets: np.ndarray, items: np.ndarray) -> list[np.ndarray]:
    levels = []
    frontier = roots.astype(np.int64)
    seen = 0
    while frontier.size:
        levels.append(frontier)
        seen += frontier.size
        starts, ends = offsets[frontier], offsets[frontier + 1]
        counts = ends - starts
        if counts.sum() == 0:
            break
        idx = np.repeat(starts, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
        frontier = items[idx]
    if seen != n:
        raise NetworkError("cycle in main path", user_message="河网存在环路 (主干流向形成闭环)")
    return levels


def _index(net: Network) -> None:
    n = net.n
    offsets, items = net.up_main
    roots = net.roots
    levels = _levels(n, roots, offsets, items)
    parent = net.main_down.astype(np.int64)
    size = np.ones(n, dtype=np.int64)
    arb = net.length_m / 1000.0
    arb = arb.copy()
    for lv in reversed(levels[1:]):
        np.add.at(size, parent[lv], size[lv])
        np.add.at(arb, parent[lv], arb[lv])
    # sibling offsets: exclusive cumulative size within each parent's children (CSR order)
    sib = np.zeros(n, dtype=np.int64)
    if items.size:
        cs = np.cumsum(size[items])
        group_start = np.repeat(offsets[:-1], np.diff(offsets))
        first_cs = np.where(group_start > 0, cs[np.maximum(group_start - 1, 0)], 0)
        sib[items] = cs - size[items] - first_cs
    pre = np.zeros(n, dtype=np.int64)
    rs = size[roots]
    pre[roots] = np.cumsum(rs) - rs
    T = np.zeros(n)
    D = np.zeros(n)
    for lv in levels[1:]:
        p = parent[lv]
        pre[lv] = pre[p] + 1 + sib[lv]
        T[lv] = T[p] + net.travel_h[p]
        D[lv] = D[p] + net.length_m[p] / 1000.0
    order = np.empty(n, dtype=np.int64)
    order[pre] = np.arange(n)
    net.pre, net.size, net.order, net.T_h, net.D_km = pre, size, order, T, D
    for name in ("D_pre", "T_pre", "by_D", "D_byD", "T_byD", "rank_pre", "longest_up_km", "minor_rows"):
        net.__dict__.pop(name, None)
    net.__dict__["arbolate_km"] = arb


def build_network(reaches: list[ReachInput], *, tolerance_m: float = 5.0) -> Network:
    """Build the network from reaches (``to_id``, node ids, or end points within ``tolerance_m``).

    Raises NetworkError listing every repeated id, dangling ``to_id`` and cycle.
    """
    from outfall.core.network.validate import structural_problems

    if not reaches:
        raise NetworkError("no reaches", user_message="河网为空: 没有河段")
    down, problems = downstream_lists(reaches, tolerance_m=tolerance_m)
    problems += structural_problems(reaches, down)
    if problems:
        raise NetworkError("; ".join(problems[:20]), user_message="河网数据有误: " + "；".join(problems[:20]) +
                           (f"；另有 {len(problems) - 20} 处" if len(problems) > 20 else ""))
    n = len(reaches)
    main = np.full(n, -1, dtype=np.int32)
    minor = []
    for i, ds in enumerate(down):
        if not ds:
            continue
        r = reaches[i]
        ranked = sorted(ds, key=lambda j: (reaches[j].divergence == 2,
                                           not (r.level_path and reaches[j].level_path == r.level_path),
                                           -(reaches[j].flow_m3_s or 0.0), ds.index(j)))
        main[i] = ranked[0]
        minor.extend((i, j) for j in ranked[1:])
    length = np.array([geodesic_length_m(r.coords) for r in reaches])
    vel = np.array([r.velocity_m_s if r.velocity_m_s else np.nan for r in reaches], dtype=float)
    flow = np.array([r.flow_m3_s if r.flow_m3_s else np.nan for r in reaches], dtype=float)
    kinds = [r.kind for r in reaches]
    net = Network(ids=[r.id for r in reaches], names=[r.name for r in reaches], kinds=kinds,
                  coords=[r.coords for r in reaches], level_path=[r.level_path for r in reaches], length_m=length,
                  velocity_m_s=np.where(np.isnan(vel), 0.3, vel), flow_m3_s=flow, defaulted=np.zeros(n, bool),
                  main_down=main, minor=np.array(minor, dtype=np.int32).reshape(-1, 2))
    _index(net)  # with provisional velocities, for the arbolate sums
    v, q, defaulted = fill_hydraulics(vel, flow, kinds, net.__dict__["arbolate_km"])
    net.velocity_m_s, net.flow_m3_s, net.defaulted = v, q, defaulted
    net.__dict__.pop("travel_h", None)
    net.__dict__.pop("length_km", None)
    _index(net)
    return net


def network_from_arrays(main_down: np.ndarray, length_m: np.ndarray, *, velocity_m_s: np.ndarray | None = None,
                        ids: list[str] | None = None, minor: np.ndarray | None = None) -> Network:
    """A network straight from arrays (no geometry): for stored networks and benchmarks.

    ``main_down[i]`` is the main downstream reach of reach i (−1 at an outlet).
    """
    n = len(main_down)
    vel = np.full(n, 0.3) if velocity_m_s is None else np.asarray(velocity_m_s, float)
    net = Network(ids=ids or [str(i) for i in range(n)], names=[""] * n, kinds=["river"] * n, coords=[[]] * n,
                  level_path=[None] * n, length_m=np.asarray(length_m, float), velocity_m_s=vel,
                  flow_m3_s=np.full(n, np.nan), defaulted=np.zeros(n, bool),
                  main_down=np.asarray(main_down, dtype=np.int32),
                  minor=np.zeros((0, 2), np.int32) if minor is None else np.asarray(minor, np.int32).reshape(-1, 2))
    _index(net)
    return net
