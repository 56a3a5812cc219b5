"""Navigation on the network (NLDI vocabulary): UT upstream with tributaries, UM upstream main
stem, DM downstream main path, DD downstream with divergences.

Every step carries the distance (km) and travel time (h) from the start point to the reach's
nearest end (its downstream end going upstream, its upstream end going downstream) and comes
ordered by distance. A limit cuts a reach at its measure: ``fraction`` is the part inside.
Distance is the path distance from the start, so a tributary is limited by its own path (the
"shortcut" rule of EPA's navigation tests). UT and DD are pruned Dijkstra walks: O(window).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from outfall.core.errors import NetworkError
from outfall.core.network.graph import Network

__all__ = ["NavStep", "navigate", "MODES"]

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


def _fraction(d0: float, t0: float, length_km: float, tt_h: float, max_km, max_hours) -> float:
    f = 1.0
    if max_km is not None and length_km > 0:
        f = min(f, max(0.0, (max_km - d0) / length_km))
    if max_hours is not None and tt_h > 0:
        f = min(f, max(0.0, (max_hours - t0) / tt_h))
    return f


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


def _longest_up(net: Network) -> np.ndarray:
    """km of the longest path from each reach's downstream end to a source (on the main-path tree)."""
    n = net.n
    out = net.length_m / 1000.0
    out = out.copy()
    parent = net.main_down
    order = np.argsort(-net.pre)  # children before parents in reverse pre-order
    for i in order:
        p = parent[i]
        if p >= 0:
            cand = out[i] + net.length_m[p] / 1000.0
            if cand > out[p]:
                out[p] = cand
    return out if n else out


def navigate(net: Network, start: str | int | tuple, *, mode: str = "UT", max_km: float | None = None,
             max_hours: float | None = None) -> list[NavStep]:
    """Navigate from ``start``: a reach id, a reach index, or (reach id, measure 0..1 from the upstream end)."""
    mode = mode.upper()
    if mode not in MODES:
        raise NetworkError(f"mode {mode}", user_message=f"未知导航模式「{mode}」；可用: UT、UM、DM、DD")
    if isinstance(start, tuple):
        rid, measure = start
    else:
        rid, measure = start, None
    s = rid if isinstance(rid, (int, np.integer)) else net.reach(str(rid))
    if "longest_up_km" not in net.__dict__:
        net.__dict__["longest_up_km"] = _longest_up(net)
    L = net.length_m / 1000.0
    tt = net.travel_h
    upstream = mode in ("UT", "UM")
    m = (1.0 if upstream else 0.0) if measure is None else float(measure)
    # the start reach: the part between the start point and the end we walk away from
    part = m if upstream else (1.0 - m)
    first = NavStep(net.ids[s], int(s), 0.0, 0.0, part if part > 0 else 0.0)
    steps = [first]
    # distance / time at the far end of the start reach's part
    d_first, t_first = part * L[s], part * tt[s]
    if max_km is not None or max_hours is not None:
        f = _fraction(0.0, 0.0, d_first, t_first, max_km, max_hours)
        steps[0] = NavStep(net.ids[s], int(s), 0.0, 0.0, part * f)
    if mode in ("UM", "DM"):
        i, d, t = s, d_first, t_first
        while True:
            if (max_km is not None and d >= max_km) or (max_hours is not None and t >= max_hours):
                break
            j = _upstream_main_child(net, i) if upstream else (int(net.main_down[i]) if net.main_down[i] >= 0 else None)
            if j is None:
                break
            steps.append(NavStep(net.ids[j], j, float(d), float(t), _fraction(d, t, L[j], tt[j], max_km, max_hours)))
            d, t, i = d + L[j], t + tt[j], j
        return steps
    nbrs = net.up_all if upstream else net.down_all
    best = {s: 0.0}
    heap = [(d_first, t_first, s)]
    out = {}
    while heap:
        d, t, i = heapq.heappop(heap)
        if (max_km is not None and d >= max_km) or (max_hours is not None and t >= max_hours):
            continue
        for j in nbrs[i]:
            if j in out or j == s:
                continue
            if d < best.get(j, np.inf):
                best[j] = d
                out[j] = NavStep(net.ids[j], j, float(d), float(t), _fraction(d, t, L[j], tt[j], max_km, max_hours))
                heapq.heappush(heap, (d + L[j], t + tt[j], j))
    steps.extend(sorted(out.values(), key=lambda st: (st.distance_km, st.index)))
    return steps
