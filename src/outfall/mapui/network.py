"""Upstream/downstream at a click: the reaches of a navigation from a section or an outfall (through
``outfall.rivers.navigation``, the stored interval index), drawn at the map's zoom, with the outfalls
and sections on them listed by distance, one page at a time.

A site's distance and travel time are measured along the network from the start to its snap point
(its reach's distance plus the part of the reach between the reach end and the snap).
"""

from __future__ import annotations

import math

import numpy as np

from outfall.core.viewport import MAX_LINES
from outfall.rivers.layers import features, reach_geometry
from outfall.rivers.models import Reach, Snap
from outfall.rivers.navigation import navigate_from, resolve_start

__all__ = ["navigation", "PAGE_SIZE"]

#: Sites listed per page.
PAGE_SIZE = 20
#: Above this many reaches the snaps are read whole and matched in NumPy instead of an IN list.
_IN_LIMIT = 2000


def _reach_pks(geom) -> np.ndarray:
    """Reach pks in network index order (the network is built from the rows in pk order)."""
    pks = getattr(geom, "reach_pks", None)
    if pks is None:
        pks = np.fromiter(Reach.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
        geom.reach_pks = pks
    return pks


def _sites(user, net, steps, upstream: bool, start_measure, start: str):
    """(kind, pk, km, h) of the visible outfalls and sections on the navigated reaches, nearest
    first; the start site itself is left out."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    geom = reach_geometry()
    pks = _reach_pks(geom)
    pos = {int(i): k for k, i in enumerate(steps.index.tolist())}
    step_pks = pks[steps.index]
    qs = Snap.objects.values_list("reach_id", "measure", "outfall_id", "section_id")
    rows = qs.filter(reach_id__in=step_pks.tolist()) if len(step_pks) <= _IN_LIMIT else qs
    index_of = {int(p): i for i, p in enumerate(pks.tolist())} if len(step_pks) > _IN_LIMIT else \
        {int(pks[i]): int(i) for i in steps.index.tolist()}
    L, tt = net.length_km, net.travel_h
    first = int(steps.index[0])
    m0 = 1.0 if start_measure is None and upstream else (0.0 if start_measure is None else start_measure)
    own = set(Snap.objects.filter(section__code=start).values_list("pk", flat=True)) | \
        set(Snap.objects.filter(outfall__code=start).values_list("pk", flat=True))
    if own:
        rows = rows.exclude(pk__in=own)
    out = []
    for reach_pk, measure, outfall_id, section_id in rows:
        i = index_of.get(reach_pk)
        k = pos.get(i) if i is not None else None
        if k is None:
            continue
        if i == first:
            part = (m0 - measure) if upstream else (measure - m0)
            if part < 0:
                continue
        else:
            part = (1.0 - measure) if upstream else measure
        km = float(steps.distance_km[k] + part * L[i])
        h = float(steps.travel_time_h[k] + part * tt[i])
        out.append(("outfall" if outfall_id else "section", outfall_id or section_id, km, h))
    ok_outfalls = set(Outfall.objects.visible_to(user).filter(pk__in=[s[1] for s in out if s[0] == "outfall"])
                      .values_list("pk", flat=True))
    ok_sections = set(Section.objects.visible_to(user).filter(pk__in=[s[1] for s in out if s[0] == "section"])
                      .values_list("pk", flat=True))
    out = [s for s in out if s[1] in (ok_outfalls if s[0] == "outfall" else ok_sections)]
    out.sort(key=lambda s: (s[2], s[0], s[1]))
    return out


def _describe(page_rows):
    """Code, name, position and page URL of the listed sites (two queries)."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    info = {}
    for kind, model, url in (("outfall", Outfall, "/ledger/{}/"), ("section", Section, "/sections/{}/")):
        ids = [r[1] for r in page_rows if r[0] == kind]
        for pk, code, name, lon, lat in model.objects.filter(pk__in=ids).values_list("pk", "code", "name", "lon", "lat"):
            info[(kind, pk)] = {"c": code, "n": name, "lon": lon, "lat": lat, "u": url.format(pk)}
    return [{"kind": k, "id": pk, "km": round(km, 2), "h": round(h, 2), **info.get((k, pk), {})}
            for k, pk, km, h in page_rows]


def navigation(user, start: str, *, mode: str, zoom: int, page: int = 1, max_km=None) -> dict:
    """The navigation from ``start`` (a section or outfall code, a reach id or lon,lat) as the map
    draws it: ``lines`` (GeoJSON, at most ``MAX_LINES`` reaches, simplified to ``zoom``, each with
    ``d`` km and ``h`` hours from the start), ``bounds`` of the whole result (west, south, east,
    north, degrees), ``summary`` (reaches, km of river, farthest km and hours) and ``sites`` (one
    page of the outfalls and sections on it, nearest first, with km and hours)."""
    net, desc, steps = navigate_from(start, mode=mode, max_km=max_km)
    upstream = mode.upper() in ("UT", "UM")
    _reach, measure, _desc = resolve_start(net, start)
    geom = reach_geometry()
    idx = geom.select(None, zoom, only=steps.index, limit=MAX_LINES)
    where = {int(i): k for k, i in enumerate(steps.index.tolist())}
    lines = features(geom, idx, zoom, extra=lambda i: {"d": round(float(steps.distance_km[where[i]]), 2),
                                                        "h": round(float(steps.travel_time_h[where[i]]), 2)})
    b = geom.bounds[steps.index]
    sites = _sites(user, net, steps, upstream, measure, start)
    pages = max(1, math.ceil(len(sites) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = sites[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    lengths = net.length_km[steps.index] * steps.fraction
    return {"start": desc, "mode": mode.upper(),
            "summary": {"reaches": len(steps), "river_km": round(float(lengths.sum()), 2),
                        "far_km": round(float((steps.distance_km + net.length_km[steps.index]).max()), 2),
                        "far_h": round(float((steps.travel_time_h + net.travel_h[steps.index]).max()), 2),
                        "drawn": int(idx.size)},
            "bounds": [float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())],
            "lines": {"type": "FeatureCollection", "features": lines},
            "sites": {"total": len(sites), "page": page, "pages": pages, "items": _describe(shown)}}
