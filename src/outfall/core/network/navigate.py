"""Navigation on the network (NLDI vocabulary): UT upstream with tributaries, UM upstream main
stem, DM downstream main path, DD downstream with divergences — answered from the interval index.

Every step carries the distance (km) and travel time (h) from the start point to the reach's
nearest end (its downstream end going upstream, its upstream end going downstream) and comes
ordered by distance (ties: lower reach index first; the start reach first). A limit cuts a reach
at its measure: ``fraction`` is the part inside. Distance is the shortest path distance from the
start (ties: the shorter travel time), so a tributary is limited by its own path (the "shortcut"
rule of EPA's navigation tests); a reach is in the result when its near end is within every limit.

How (no per-reach Python): the upstream set is the pre-order slices of ``Network.upstream_intervals``;
inside the main-path subtree of an entry reach ``e`` the distance to reach x is ``D[x] − D[e] + c``
(the cumulative labels, O(1) per reach). Without divergences in the set there is one entry (the
start) and the order is read off a precomputed global order of D (``Network.rank_pre``), so a
283,000-reach set is ordered without a comparison sort. A divergence whose lower end is in the set
adds its upper reach as another entry; a reach reachable from several entries takes the shortest.
Downstream, the main path is the chain of ``main_down``; each minor path adds a chain.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from outfall.core.errors import NetworkError
from outfall.core.network.graph import Network

__all__ = ["NavStep", "NavResult", "navigate", "navigate_arrays", "MODES"]

MODES = ("UT", "UM", "DM", "DD")


@dataclass(frozen=True)
class NavStep:
    reach: str
    index: int
    distance_km: float
    travel_time_h: float
    fraction: float = 1.0  # part of the reach inside the limits (trimmed at its measure)

    def as_dict(self) -> dict:
        return {"reach": self.reach, "distance_km": round(float(self.distance_km), 4),
                "travel_time_h": round(float(self.travel_time_h), 4)}


class NavResult(Sequence):
    """A navigation result as arrays (reach index, km, h, fraction), in order; a sequence of NavStep."""

    def __init__(self, net: Network, index, distance_km, travel_time_h, fraction):
        self.net = net
        self.index = np.asarray(index, dtype=np.int64)
        self.distance_km = np.asarray(distance_km, dtype=float)
        self.travel_time_h = np.asarray(travel_time_h, dtype=float)
        self.fraction = np.asarray(fraction, dtype=float)

    def __len__(self) -> int:
        return int(self.index.size)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        i = int(self.index[k])
        return NavStep(self.net.ids[i], i, float(self.distance_km[k]), float(self.travel_time_h[k]),
                       float(self.fraction[k]))

    @property
    def reaches(self) -> list[str]:
        ids = self.net.ids
        return [ids[i] for i in self.index.tolist()]

    def as_dicts(self) -> list[dict]:
        """[{reach, distance_km, travel_time_h}] rounded to 4 decimals (the CLI's JSON)."""
        return [{"reach": r, "distance_km": d, "travel_time_h": t} for r, d, t in
                zip(self.reaches, np.round(self.distance_km, 4).tolist(), np.round(self.travel_time_h, 4).tolist(),
                    strict=True)]


def _fractions(d, t, length_km, tt_h, max_km, max_hours):
    """Vectorised part of each reach inside the limits, its near end at (d km, t h)."""
    f = np.ones_like(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        if max_km is not None:
            f = np.where(length_km > 0, np.minimum(f, np.maximum(0.0, (max_km - d) / length_km)), f)
        if max_hours is not None:
            f = np.where(tt_h > 0, np.minimum(f, np.maximum(0.0, (max_hours - t) / tt_h)), f)
    return f


def _within(d, t, max_km, max_hours):
    keep = np.ones(d.shape, bool)
    if max_km is not None:
        keep &= d < max_km
    if max_hours is not None:
        keep &= t < max_hours
    return keep


def _upstream_main_child(net: Network, i: int) -> int | None:
    ups = net.up_all[i]
    if not ups:
        return None
    lp = net.level_path[i]
    same = [u for u in ups if lp and net.level_path[u] == lp]
    if same:
        return same[0]
    arb = net.longest_up_km
    return max(ups, key=lambda u: (arb[u], -u))


def _better(a: tuple, b: tuple | None) -> bool:
    return b is None or a < b


def _ut(net: Network, s: int, m: float, max_km, max_hours):
    """(index, km, h) of every reach upstream of point (s, m), s excluded, ordered."""
    L, tt, D, T = net.length_km, net.travel_h, net.D_km, net.T_h
    pd, pt = D[s] + (1.0 - m) * L[s], T[s] + (1.0 - m) * tt[s]
    intervals = net.upstream_intervals(s)
    lo, hi = int(net.pre[s]), int(net.pre[s] + net.size[s])
    md = net.minor_rows[1]
    if intervals == [(lo, hi)] and np.searchsorted(md, lo) == np.searchsorted(md, hi):
        # no divergence ends in the set: one entry (the start), the global D order
        ranks = net.rank_pre[lo + 1:hi]
        if max_km is not None or max_hours is not None:
            keep = np.ones(hi - lo - 1, bool)
            if max_km is not None:
                keep &= net.D_pre[lo + 1:hi] < pd + max_km
            if max_hours is not None:
                keep &= net.T_pre[lo + 1:hi] < pt + max_hours
            ranks = ranks[keep]
        ranks = np.sort(ranks)  # ascending: the gathers below read memory in order
        return net.by_D[ranks], net.D_byD[ranks] - pd, net.T_byD[ranks] - pt
    # entries: reach → (distance, time) at its downstream end; x in subtree(e): D[x] − D[e] + that
    # Dijkstra over the entries (the start and the upper reaches of minor paths), by the distance at
    # their downstream end; a minor path a → d is found from an entry e whose subtree holds d
    entries: dict[int, tuple[float, float]] = {}
    first = (float(-(1.0 - m) * L[s]), float(-(1.0 - m) * tt[s]))
    heap, seen = [(*first, s)], {s: first}
    rows, md_pre = net.minor_rows
    while heap:
        de, te, e = heapq.heappop(heap)
        if e in entries:
            continue
        entries[e] = (de, te)
        pe = int(net.pre[e])
        k0, k1 = np.searchsorted(md_pre, [pe, pe + int(net.size[e])]).tolist()
        base_d, base_t = de - float(D[e]), te - float(T[e])  # Python floats: a fast inner loop
        for a, d, d_up_km, d_up_h in rows[k0:k1]:  # minor path a → d, d's upstream-end labels
            if a in entries or (d == s and e != s):
                continue
            cand = (base_d + d_up_km, base_t + d_up_h)
            if _better(cand, seen.get(a)):
                seen[a] = cand
                heapq.heappush(heap, (*cand, a))
    pos = np.concatenate([np.arange(a, b) for a, b in intervals])
    starts = np.cumsum([0] + [b - a for a, b in intervals])
    dist = np.full(pos.size, np.inf)
    time = np.full(pos.size, np.inf)
    for e, (de, te) in entries.items():
        pe = int(net.pre[e])
        k = next(j for j, (a, b) in enumerate(intervals) if a <= pe < b)
        o = int(starts[k] + pe - intervals[k][0])
        sl = slice(o, o + int(net.size[e]))
        cd, ct = net.D_pre[pe:pe + int(net.size[e])] - D[e] + de, net.T_pre[pe:pe + int(net.size[e])] - T[e] + te
        take = (cd < dist[sl]) | ((cd == dist[sl]) & (ct < time[sl]))
        dist[sl] = np.where(take, cd, dist[sl])
        time[sl] = np.where(take, ct, time[sl])
    idx = net.order[pos]
    keep = _within(dist, time, max_km, max_hours) & (idx != s)
    idx, dist, time = idx[keep], dist[keep], time[keep]
    o = np.lexsort((idx, dist))
    return idx[o], dist[o], time[o]


def _chain(net: Network, e: int) -> list[int]:
    """e and its main-path downstream reaches to the outlet."""
    down = net.main_down_list
    out = [e]
    j = down[e]
    while j >= 0:
        out.append(j)
        j = down[j]
    return out


def _dd(net: Network, s: int, m: float, max_km, max_hours, *, main_only: bool):
    """(index, km, h) of the reaches downstream of point (s, m), s excluded, ordered."""
    L, tt, D, T = net.length_km, net.travel_h, net.D_km, net.T_h
    # entry e: x on chain(e) is at  off − (D + L)[x]  from the start. Dijkstra over the entries (the
    # start and the lower reaches of minor paths leaving a chain), by distance to their upper end.
    first = (float(D[s] + (1.0 - m) * L[s]), float(T[s] + (1.0 - m) * tt[s]))
    entries: dict[int, tuple[float, float]] = {}
    heap, seen = [(0.0, 0.0, s, first)], {s: (0.0, 0.0)}
    minor_from = net.minor_from if not main_only else {}
    while heap:
        _d, _t, e, (de, te) = heapq.heappop(heap)
        if e in entries:
            continue
        entries[e] = (de, te)
        if not minor_from:
            continue
        for x in _chain(net, e):
            for c in minor_from.get(x, ()):
                if c in entries or c == s:
                    continue
                far = (de - float(D[x]), te - float(T[x]))  # at x's downstream end = c's upper end
                if _better(far, seen.get(c)):
                    seen[c] = far
                    heapq.heappush(heap, (*far, c, (far[0] + float(D[c] + L[c]), far[1] + float(T[c] + tt[c]))))
    parts = []
    for e, (de, te) in entries.items():
        ch = np.array(_chain(net, e)[1:] if e == s else _chain(net, e), dtype=np.int64)
        parts.append((ch, de - (D[ch] + L[ch]), te - (T[ch] + tt[ch])))
    idx = np.concatenate([p[0] for p in parts])
    dist = np.concatenate([p[1] for p in parts])
    time = np.concatenate([p[2] for p in parts])
    if len(parts) > 1:
        o = np.lexsort((time, dist, idx))
        idx, dist, time = idx[o], dist[o], time[o]
        first = np.r_[True, idx[1:] != idx[:-1]]
        idx, dist, time = idx[first], dist[first], time[first]
        idx, dist, time = idx[idx != s], dist[idx != s], time[idx != s]
    keep = _within(dist, time, max_km, max_hours)
    idx, dist, time = idx[keep], dist[keep], time[keep]
    if not main_only:
        o = np.lexsort((idx, dist))
        idx, dist, time = idx[o], dist[o], time[o]
    return idx, dist, time


def _um(net: Network, s: int, m: float, max_km, max_hours):
    """The upstream main stem: the same level path, else the longest upstream path (ties: lower index)."""
    L, tt = net.length_km, net.travel_h
    chain, i = [], s
    d, t = m * L[s], m * tt[s]
    while True:
        if (max_km is not None and d >= max_km) or (max_hours is not None and t >= max_hours):
            break
        j = _upstream_main_child(net, i)
        if j is None:
            break
        chain.append(j)
        d, t, i = d + L[j], t + tt[j], j
    idx = np.array(chain, dtype=np.int64)
    prev = np.r_[m * L[s], L[idx[:-1]]] if idx.size else np.zeros(0)
    prev_t = np.r_[m * tt[s], tt[idx[:-1]]] if idx.size else np.zeros(0)
    return idx, np.cumsum(prev), np.cumsum(prev_t)


def navigate_arrays(net: Network, start: str | int | tuple, *, mode: str = "UT", max_km: float | None = None,
                    max_hours: float | None = None) -> NavResult:
    """Navigate from ``start``: a reach id, a reach index, or (reach id or index, measure 0..1 from
    the upstream end). Limits in km and hours (None: unlimited). Returns a NavResult (arrays)."""
    mode = mode.upper()
    if mode not in MODES:
        raise NetworkError(f"mode {mode}", user_message=f"未知导航模式「{mode}」；可用: UT、UM、DM、DD")
    rid, measure = start if isinstance(start, tuple) else (start, None)
    s = int(rid) if isinstance(rid, (int, np.integer)) else net.reach(str(rid))
    upstream = mode in ("UT", "UM")
    m = (1.0 if upstream else 0.0) if measure is None else float(measure)
    L, tt = net.length_km, net.travel_h
    part = m if upstream else (1.0 - m)
    f0 = part if part > 0 else 0.0
    if max_km is not None or max_hours is not None:
        f0 = part * _fractions(np.zeros(1), np.zeros(1), np.array([part * L[s]]), np.array([part * tt[s]]),
                               max_km, max_hours)[0]
    if mode == "UT":
        idx, dist, time = _ut(net, s, m, max_km, max_hours)
    elif mode == "UM":
        idx, dist, time = _um(net, s, m, max_km, max_hours)
    else:
        idx, dist, time = _dd(net, s, m, max_km, max_hours, main_only=mode == "DM")
    frac = _fractions(dist, time, L[idx], tt[idx], max_km, max_hours) if (max_km is not None or max_hours is not None) \
        else np.ones(idx.size)
    return NavResult(net, np.r_[s, idx], np.r_[0.0, dist], np.r_[0.0, time], np.r_[f0, frac])


def navigate(net: Network, start: str | int | tuple, *, mode: str = "UT", max_km: float | None = None,
             max_hours: float | None = None) -> NavResult:
    """Same as :func:`navigate_arrays` (kept name): the result is a sequence of NavStep."""
    return navigate_arrays(net, start, mode=mode, max_km=max_km, max_hours=max_hours)
