"""Where to sample next (下一步采样点) to split a group of candidates the data cannot tell apart
(shared/DESIGN.md §3 ``sample_next``, §4 "beyond ranking").

A point p = (reach, measure) splits a group into the members whose water passes p (upstream of it,
divergences included) and the others. Candidate points are, on the main downstream path of every
member to the section, the downstream end of each reach and, on a reach holding several members,
the midpoints between them. Of the points giving the same split the lowest (closest to the section)
is kept. Points are ranked by how evenly they split the group's weight (the members' scores):
|w_up − w_total/2| / w_total, then by the travel time to the section.

A pulse from an upstream member passes p τ(p→s) hours before it passes the section s, so the window
at p is the event's window at the section moved back by τ(p→s) = T(p) − T(s) (cumulative labels,
main path), in the hours of the readings.

Examples
--------
Two tributaries t1, t2 join into m; one member on each: sampling the end of t1 splits them.

>>> from outfall.core.network.graph import network_from_arrays
>>> net = network_from_arrays([2, 2, -1], [3600.0] * 3, velocity_m_s=[1.0] * 3, ids=["t1", "t2", "m"])
>>> pts = sample_points(net, [("A", 0, 0.5, 0.5), ("B", 1, 0.5, 0.5)], 2, 1.0, (10.0, 12.0), group=1)
>>> [(p.reach, p.measure, p.window_start, p.window_end, p.expected_split["upstream"]) for p in pts]
[('t1', 1.0, 9.0, 11.0, ['A']), ('t2', 1.0, 9.0, 11.0, ['B'])]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outfall.core.network.graph import Network

__all__ = ["SamplePoint", "sample_points", "point_lonlat", "MAX_POINTS"]

#: Points suggested per group.
MAX_POINTS = 3


@dataclass(frozen=True)
class SamplePoint:
    """A place and time to sample: reach id, measure (0 upstream end … 1 downstream end), lon/lat (WGS84
    degrees, None without reach geometry), the window (h, readings' time base) the pulse would pass, and
    the expected split: {group, upstream, elsewhere (outfall codes), upstream_share (of the group's weight)}."""

    reach: str
    measure: float
    lon: float | None
    lat: float | None
    window_start: float
    window_end: float
    expected_split: dict

    def as_dict(self) -> dict:
        return {"reach": self.reach, "measure": round(self.measure, 4),
                "lon": None if self.lon is None else round(self.lon, 6),
                "lat": None if self.lat is None else round(self.lat, 6),
                "window_start": round(self.window_start, 3), "window_end": round(self.window_end, 3),
                "expected_split": self.expected_split}


def point_lonlat(net: Network, reach: int, measure: float) -> tuple[float | None, float | None]:
    """(lon, lat) at ``measure`` along the reach's line (linear in degrees, east-west scaled by cos φ),
    or (None, None) when the network has no geometry for it."""
    coords = net.coords[reach] if reach < len(net.coords) else []
    if not coords:
        return None, None
    xy = np.asarray(coords, float)
    if len(xy) == 1:
        return float(xy[0, 0]), float(xy[0, 1])
    scale = np.cos(np.radians(xy[:, 1].mean()))
    seg = np.hypot(np.diff(xy[:, 0]) * scale, np.diff(xy[:, 1]))
    cum = np.r_[0.0, np.cumsum(seg)]
    if cum[-1] <= 0:
        return float(xy[0, 0]), float(xy[0, 1])
    d = float(np.clip(measure, 0.0, 1.0)) * cum[-1]
    return float(np.interp(d, cum, xy[:, 0])), float(np.interp(d, cum, xy[:, 1]))


def _passes(net: Network, reach: int, measure: float, r: int, m: float, intervals: dict) -> bool:
    """Does water from point (reach, measure) pass point (r, m)? (divergences included; the pre-order
    intervals of r's upstream set are computed once per r in ``intervals``)"""
    if reach == r:
        return measure <= m
    iv = intervals.get(r)
    if iv is None:
        iv = intervals[r] = net.upstream_intervals(r)
    p = net.pre[reach]
    return any(lo <= p < hi for lo, hi in iv)


def sample_points(net: Network, members: list[tuple[str, int, float, float]], sec_reach: int, sec_measure: float,
                  window: tuple[float, float], *, group: int, max_points: int = MAX_POINTS) -> list[SamplePoint]:
    """Points that split one group: ``members`` as (code, reach index, measure, weight ≥ 0), the section
    at (``sec_reach``, ``sec_measure``), ``window`` (h) the event's window at the section."""
    if len(members) < 2:
        return []
    T_s = net.point_time_h(sec_reach, sec_measure)
    weights = np.array([max(w, 0.0) for *_, w in members])
    total = float(weights.sum())
    if total <= 0:
        weights, total = np.ones(len(members)), float(len(members))
    cands: set[tuple[int, float]] = set()
    for _, reach, _, _ in members:
        r, steps = int(reach), 0
        while r >= 0 and steps < 10_000:
            on = sorted({float(m) for _, rr, m, _ in members if rr == r})
            ends = [(a + b) / 2 for a, b in zip(on, on[1:], strict=False)]
            if r == sec_reach:
                cands.update((r, m) for m in ends if m <= sec_measure)
                break
            cands.update((r, m) for m in [*ends, 1.0])
            r, steps = int(net.main_down[r]), steps + 1
    best: dict[tuple[int, ...], tuple[float, int, float]] = {}
    intervals: dict[int, list] = {}
    for r, m in cands:
        if not _passes(net, r, m, sec_reach, sec_measure, intervals):
            continue
        up = tuple(n for n, (_, rr, mm, _) in enumerate(members) if _passes(net, int(rr), float(mm), r, m, intervals))
        if not up or len(up) == len(members):
            continue
        tau = net.point_time_h(r, m) - T_s
        if up not in best or tau < best[up][2]:
            best[up] = (r, m, tau)
    ranked = sorted(best.items(), key=lambda kv: (abs(weights[list(kv[0])].sum() - total / 2) / total, kv[1][2],
                                                  net.ids[kv[1][0]], kv[1][1]))
    out = []
    for up, (r, m, tau) in ranked[:max_points]:
        lon, lat = point_lonlat(net, r, m)
        codes_up = [members[n][0] for n in up]
        split = {"group": group, "upstream": codes_up,
                 "elsewhere": [c for c, *_ in members if c not in set(codes_up)],
                 "upstream_share": round(float(weights[list(up)].sum() / total), 4)}
        out.append(SamplePoint(net.ids[r], float(m), lon, lat, float(window[0] - tau), float(window[1] - tau), split))
    return out
