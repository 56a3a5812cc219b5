"""What a trace page draws besides the table: observed against explained concentration at each
section in the model, and the map of the upstream network with the candidates.

Explained concentration at section j, time t (mg/L):

    ĉ_j(t) = b_j + Σ_i s_i · d_ij(t) / Q_j

with d_ij the load of candidate i delivered at j (``outfall.core.simulate.delivered_loads``: a unit
box pulse of one reading interval, decay k, dispersion D, every path and its flow fraction), Q_j the
section's flow, s_i scaled so that candidate i gives its estimated contribution (the trace's
``estimated_contribution_mg_l``) at the event section at the time traced, and b_j the 20th
percentile of the section's readings in the window (its background). It is the trace's answer
propagated with the simulator to every section with readings, so a reader sees where it fits.
"""

from __future__ import annotations

import numpy as np

from outfall.core.simulate import Point, Pulse, Source, delivered_loads, paths_between, reach_flows
from outfall.core.simulate.model import decay_rate
from outfall.traces.inputs import TraceInputs, from_hours

#: At most this many candidates (best first, share > 0) are propagated; at most this many sections drawn.
MAX_SOURCES = 10
MAX_SECTIONS = 12
MAX_MAP_REACHES = 4000


def _iso(h: float) -> str:
    return from_hours(h).isoformat()


def series(inp: TraceInputs, result: dict, *, decay_per_day=None, dispersion_m2_s: float) -> list[dict]:
    """[{section, times (ISO), observed, explained}] for the event section and every section with
    readings in the window that a contributing candidate reaches (module docstring)."""
    net, sec = inp.net, inp.section
    k = decay_rate(inp.parameter, decay_per_day)
    lo, hi = inp.at_h - inp.window_h, inp.at_h + inp.window_h
    by_code = {o.code: o for o in inp.outfalls}
    cands = [c for c in result["candidates"] if c["share"] and c["share"] > 0 and c["outfall"] in by_code][:MAX_SOURCES]
    t_e = inp.readings.get(sec.code, (np.zeros(0), np.zeros(0)))[0]
    interval = float(np.median(np.diff(t_e))) if t_e.size > 1 else 1.0
    interval = interval if interval > 0 else 1.0
    flows = reach_flows(net)[0]
    sources = []
    for c in cands:
        o = by_code[c["outfall"]]
        start = inp.at_h - float(c["travel_time_h"]) - interval / 2.0
        sources.append(Source(o.code, o.reach, o.measure, 1.0, Pulse(1.0, start, interval)))
    event = Point(sec.code, sec.reach, sec.measure)
    scale = np.zeros(len(sources))
    if sources:
        unit = delivered_loads(net, sources, event, [inp.at_h], k_per_day=k, dispersion_m2_s=dispersion_m2_s)[:, 0]
        unit = unit / max(float(flows[sec.reach]), 1e-12)
        want = np.array([float(c["estimated_contribution_mg_l"] or 0.0) for c in cands])
        scale = np.where(unit > 1e-12, want / np.where(unit > 1e-12, unit, 1.0), 0.0)
    rows = []
    for s in [sec, *[s for s in inp.sections if s.code != sec.code]]:
        t, v = inp.readings.get(s.code, (np.zeros(0), np.zeros(0)))
        w = (t >= lo) & (t <= hi)
        if not w.any():
            continue
        if s is not sec and not any(paths_between(net, src.reach, src.measure, s.reach, s.measure, flows=flows)
                                    for src in sources):
            continue
        t, v = t[w], v[w]
        bg = float(np.percentile(v, 20))
        expl = np.full(t.shape, bg)
        if sources:
            d = delivered_loads(net, sources, Point(s.code, s.reach, s.measure), t, k_per_day=k,
                                dispersion_m2_s=dispersion_m2_s)
            expl = expl + (scale[:, None] * d).sum(axis=0) / max(float(flows[s.reach]), 1e-12)
        rows.append({"section": s.code, "times": [_iso(x) for x in t], "observed": np.round(v, 6).tolist(),
                     "explained": np.round(expl, 6).tolist()})
        if len(rows) >= MAX_SECTIONS:
            break
    return rows


def map_data(inp: TraceInputs, result: dict, drawn_sections: list[str]) -> dict:
    """Reaches upstream of the section (``upstream`` true) and the main path below it to the outlet
    (false), the sections drawn in the chart and the candidates with their shares (lon/lat WGS84)."""
    net, sec = inp.net, inp.section
    up = [int(r) for r in net.upstream_set(sec.reach)][:MAX_MAP_REACHES]
    down, r = [], int(net.main_down[sec.reach])
    while r >= 0 and len(down) < 500:
        down.append(r)
        r = int(net.main_down[r])
    reaches = [{"id": net.ids[i], "coords": [[round(x, 6), round(y, 6)] for x, y in net.coords[i]], "upstream": True}
               for i in up]
    reaches += [{"id": net.ids[i], "coords": [[round(x, 6), round(y, 6)] for x, y in net.coords[i]],
                 "upstream": False} for i in down]
    codes = list(dict.fromkeys([sec.code, *drawn_sections]))
    sections = [{"code": c, "name": inp.section_info[c].name, "lon": inp.section_info[c].lon,
                 "lat": inp.section_info[c].lat} for c in codes if c in inp.section_info]
    outfalls = [{"code": c["outfall"], "lon": inp.outfall_info[c["outfall"]].lon,
                 "lat": inp.outfall_info[c["outfall"]].lat, "share": c["share"]}
                for c in result["candidates"] if c["outfall"] in inp.outfall_info]
    return {"reaches": reaches, "sections": sections, "outfalls": outfalls}
