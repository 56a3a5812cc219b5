"""The reference navigation: the pruned Dijkstra walk the app used before the interval index
(reach by reach, in Python). Kept only to check ``outfall.core.network.navigate`` against it."""

from __future__ import annotations

import heapq

import numpy as np

from outfall.core.network.navigate import NavStep, _upstream_main_child


def _fraction(d0, t0, length_km, tt_h, max_km, max_hours) -> float:
    f = 1.0
    if max_km is not None and length_km > 0:
        f = min(f, max(0.0, (max_km - d0) / length_km))
    if max_hours is not None and tt_h > 0:
        f = min(f, max(0.0, (max_hours - t0) / tt_h))
    return f


def walk(net, start, *, mode="UT", max_km=None, max_hours=None) -> list[NavStep]:
    rid, measure = start if isinstance(start, tuple) else (start, None)
    s = rid if isinstance(rid, (int, np.integer)) else net.reach(str(rid))
    L = net.length_m / 1000.0
    tt = net.travel_h
    upstream = mode in ("UT", "UM")
    m = (1.0 if upstream else 0.0) if measure is None else float(measure)
    part = m if upstream else (1.0 - m)
    steps = [NavStep(net.ids[s], int(s), 0.0, 0.0, part if part > 0 else 0.0)]
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
