"""Flow paths between two points of the network: travel time, distance and the fraction of the
flow that takes each path (flow split at divergences), plus the flows used for dilution.

A point is (reach index, measure), measure 0 = the reach's upstream end, 1 = its downstream end.
Travel time through a part-reach is (fraction of the reach) × L/u (shared/DESIGN.md §4).
Without divergences there is one path and its time is T(a) − T(b) on the cumulative labels (O(1)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outfall.core.network.graph import Network
from outfall.core.network.hydraulics import FLOW_PER_UPSTREAM_KM, MIN_FLOW_M3_S

__all__ = ["Path", "paths_between", "reach_flows", "inflow_from_upstream", "FLOW_SOURCE", "MAX_PATHS"]

#: At most this many distinct paths are followed between two points (braids multiply paths).
MAX_PATHS = 64

#: Where a missing flow comes from (named in every result that used one).
FLOW_SOURCE = (f"默认流量: 上游河长每公里 {FLOW_PER_UPSTREAM_KM} m³/s, 至少 {MIN_FLOW_M3_S} m³/s "
               "(outfall.core.network.hydraulics)")


@dataclass(frozen=True)
class Path:
    """One way water takes from a to b: hours, km, and the fraction of a's water that takes it."""

    tau_h: float
    km: float
    fraction: float


def reach_flows(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Flow of every reach, m³/s, and a mask of the reaches whose flow is a default (``FLOW_SOURCE``).

    Networks built from arrays carry no flows: they get the hydraulics default from their arbolate sum.
    """
    q = np.asarray(net.flow_m3_s, float).copy()
    missing = ~np.isfinite(q) | (q <= 0)
    if missing.any():
        arb = net.__dict__.get("arbolate_km")
        if arb is None:
            arb = net.length_m / 1000.0
        q[missing] = np.maximum(MIN_FLOW_M3_S, FLOW_PER_UPSTREAM_KM * np.asarray(arb)[missing])
    return q, missing | np.asarray(net.defaulted, bool)


def inflow_from_upstream(net: Network, flows: np.ndarray, reach: np.ndarray, q_m3_s: np.ndarray) -> np.ndarray:
    """Discharge (m³/s) of point inflows (outfalls at ``reach`` with ``q_m3_s``) arriving at the upstream
    end of every reach, split at divergences like the river flow (Q_d / Σ Q_d), as the simulator mixes it.

    One pass in topological order over every reach, O(reaches + inflows).

    Examples
    --------
    >>> from outfall.core.network.graph import network_from_arrays
    >>> net = network_from_arrays([2, 2, -1], [1000.0] * 3)
    >>> inflow_from_upstream(net, reach_flows(net)[0], np.array([0, 1, 2]), np.array([0.1, 0.2, 0.4])).tolist()
    [0.0, 0.0, 0.30000000000000004]
    """
    n = net.n
    own = np.bincount(np.asarray(reach, np.int64), weights=np.asarray(q_m3_s, float), minlength=n)
    inflow = np.zeros(n)
    downs = net.down_all
    indeg = np.zeros(n, np.int64)
    for ds in downs:
        for d in ds:
            indeg[d] += 1
    ready = [int(r) for r in np.flatnonzero(indeg == 0)]
    while ready:
        r = ready.pop()
        out = inflow[r] + own[r]
        for d, w in _split(net, flows, r):
            inflow[d] += out * w
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    return inflow


def _upstream_of(net: Network, b: int):
    """A test "is reach r upstream of b" with b's pre-order intervals computed once per network and b."""
    cache = net.__dict__.setdefault("_upstream_iv_cache", {})
    iv = cache.get(b)
    if iv is None:
        if len(cache) > 10_000:
            cache.clear()
        iv = cache[b] = net.upstream_intervals(b)
    pre = net.pre
    return lambda r: any(lo <= pre[r] < hi for lo, hi in iv)


def _split(net: Network, q: np.ndarray, r: int) -> list[tuple[int, float]]:
    downs = net.down_all[r]
    if len(downs) <= 1:
        return [(d, 1.0) for d in downs]
    w = [float(q[d]) for d in downs]
    total = sum(w)
    return [(d, x / total) for d, x in zip(downs, w, strict=True)]


def paths_between(net: Network, a: int, ma: float, b: int, mb: float, *, flows: np.ndarray | None = None) -> list[Path]:
    """Every path (up to ``MAX_PATHS``) water takes from point (a, ma) to point (b, mb); [] when none.

    Examples
    --------
    A point upstream on the same reach: one path, part of the reach.

    >>> from outfall.core.network.graph import network_from_arrays
    >>> net = network_from_arrays([-1], [3600.0], velocity_m_s=[1.0])
    >>> paths_between(net, 0, 0.0, 0, 0.5)
    [Path(tau_h=0.5, km=1.8, fraction=1.0)]
    """
    L, tt = net.length_m, net.travel_h
    if a == b:
        if ma <= mb:
            return [Path(float((mb - ma) * tt[a]), float((mb - ma) * L[a] / 1000.0), 1.0)]
        if len(net.minor) == 0:
            return []
    if len(net.minor) == 0:
        if a == b or not net.in_subtree(a, b):
            return []
        tau = net.point_time_h(a, ma) - net.point_time_h(b, mb)
        km = net.point_km(a, ma) - net.point_km(b, mb)
        return [Path(float(tau), float(km), 1.0)]
    upstream_of_b = _upstream_of(net, b)
    if not upstream_of_b(a):
        return []
    memo = _memo_to(net, b, mb, reach_flows(net)[0] if flows is None else flows, upstream_of_b)
    t0, k0 = (1.0 - ma) * tt[a], (1.0 - ma) * L[a] / 1000.0
    return [Path(float(t0 + t), float(k0 + k), float(f)) for t, k, f in memo(a)]


def _memo_to(net: Network, b: int, mb: float, q: np.ndarray, upstream_of_b):
    """r ↦ paths (hours, km, fraction) from the downstream end of reach r to point (b, mb), memoised per
    (b, mb) on the network, so each reach upstream of b is resolved once (braids stay linear)."""
    caches = net.__dict__.setdefault("_paths_cache", {})
    if len(caches) > 2_000:
        caches.clear()
    memo = caches.setdefault((b, round(mb, 9)), {})
    L, tt = net.length_m, net.travel_h

    def nexts(x):
        return [(d, w) for d, w in _split(net, q, x) if d == b or upstream_of_b(d)]

    def get(r: int):
        stack = [r]
        while stack:
            x = stack[-1]
            if x in memo:
                stack.pop()
                continue
            nx = nexts(x)
            pending = [d for d, _ in nx if d != b and d not in memo]
            if pending:
                stack.extend(pending)
                continue
            out = []
            for d, w in nx:
                if d == b:
                    out.append((mb * tt[b], mb * L[b] / 1000.0, w))
                else:
                    out.extend((tt[d] + t, L[d] / 1000.0 + k, w * f) for t, k, f in memo[d])
            memo[x] = out[:MAX_PATHS]
            stack.pop()
        return memo[r]

    return get
