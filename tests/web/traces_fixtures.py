"""A small network with a simulated illegal discharge, for the traces tests (web and browser).

    t1 (P1 spills) ─┐ S1
                    ├── m (P3) ── SM
    t2 (P2)        ─┘ S2

Three reaches with velocities and flows, three outfalls (P1 and P2 on the tributaries, P3 on the
main stem), three sections. P1 releases 300 mg/L for two hours at its design discharge; the
readings at the sections are the core simulator's (``outfall.core.simulate``), hourly over two days.
S1 and SM see the pulse, S2 does not: the data place the source on t1.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from factories import make_outfall
from outfall.core.simulate import Point, Pulse, Source, Steady
from outfall.core.simulate.scenario import readings_for
from outfall.monitoring.models import OutfallReading, SectionReading
from outfall.monitoring.services import create_section
from outfall.rivers.selectors import current_network
from outfall.rivers.services import import_rivers
from outfall.traces.inputs import from_hours, outfall_sites, section_sites, to_hours

T0 = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
HOURS = np.arange(0.0, 48.0, 1.0)
SPILL_H = 10.0


def rivers(*, hydraulics: bool = True) -> dict:
    def f(rid, to, coords, q):
        props = {"id": rid, "name": {"m": "大沽河"}.get(rid, f"支流{rid}"), "to_id": to}
        if hydraulics:
            props |= {"velocity_m_s": 0.5, "flow_m3_s": q}
        return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}

    return {"type": "FeatureCollection", "features": [
        f("t1", "m", [[120.45, 36.95], [120.50, 36.90]], 1.0),
        f("t2", "m", [[120.55, 36.95], [120.50, 36.90]], 1.0),
        f("m", None, [[120.50, 36.90], [120.50, 36.80]], 2.0)]}


def section_data(code, lon, lat, town):
    return {"code": code, "name": f"断面{code}", "lon": lon, "lat": lat, "original_lon": lon, "original_lat": lat,
            "original_crs": "WGS84", "target_class": "III", "water_type": "river", "level": "municipal",
            "river": "大沽河", "town": town}


def build(town, actor, *, hydraulics: bool = True, spill: bool = True, other_town=None) -> dict:
    """The network, outfalls, sections and readings; returns {"P1": outfall, ..., "S1": section, ...,
    "peak": time of the largest reading at SM}."""
    import_rivers(rivers(hydraulics=hydraulics), actor=actor, name="traces.geojson")
    w = {}
    for code, lon, lat, typ, town_ in (("P1", 120.475, 36.925, "工业排污口", town),
                                       ("P2", 120.525, 36.925, "工业排污口", other_town or town),
                                       ("P3", 120.50, 36.88, "城镇污水处理厂排污口", town)):
        w[code] = make_outfall(town_, actor, name=f"排口{code}", lon=lon, lat=lat, original_lon=lon, original_lat=lat,
                               type_l1=typ, type_l2="", type_l3="", design_discharge_m3_d=1728.0)
    for code, lon, lat in (("S1", 120.49, 36.91), ("S2", 120.51, 36.91), ("SM", 120.50, 36.81)):
        w[code] = create_section(section_data(f"TS{code}", lon, lat, town), actor=actor)
    net = current_network()
    outs, oinfo, _ = outfall_sites(net)
    secs, _ = section_sites(net)
    h0 = to_hours(T0)
    srcs = []
    for o in outs:
        conc = Pulse(300.0, h0 + SPILL_H, 2.0, 2.0) if (spill and o.code == w["P1"].code) else Steady(2.0)
        srcs.append(Source(o.code, o.reach, o.measure, o.discharge_m3_s or 0.01, conc))
    rd = readings_for(net, srcs, [Point(s.code, s.reach, s.measure) for s in secs], h0 + HOURS, noise_rel=0.03,
                      seed=7, parameter="NH3N", dispersion_m2_s=2.0, background_mg_l=0.3)
    rows = []
    for s in secs:
        t, v = rd[s.code]
        section = next(w[k] for k in ("S1", "S2", "SM") if w[k].code == s.code)
        rows += [SectionReading(section=section, time=from_hours(x), parameter="NH3N", value=round(float(y), 4),
                                unit="mg/L", raw=f"{y:.4f}") for x, y in zip(t, v, strict=True)]
    SectionReading.objects.bulk_create(rows)
    t, v = rd[w["SM"].code]
    w["peak"] = from_hours(float(t[int(np.argmax(v))]))
    w["rd"] = rd
    return w


def add_outfall_readings(outfall, values, *, start=T0, parameter="NH3N"):
    OutfallReading.objects.bulk_create([
        OutfallReading(outfall=outfall, time=start + dt.timedelta(hours=i), parameter=parameter, value=v, unit="mg/L",
                       raw=str(v)) for i, v in enumerate(values)])
