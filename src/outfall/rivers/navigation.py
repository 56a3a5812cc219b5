"""Navigation from what a user names: a reach id, a section code, an outfall code, or "lon,lat"."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from outfall.core.errors import CoordinateError, NotFoundError
from outfall.core.network import navigate, snap_points
from outfall.rivers.models import Snap
from outfall.rivers.selectors import current_network


def resolve_start(net, start: str) -> tuple[int, float, str]:
    """(reach index, measure, description) of a start given as reach id, site code or lon,lat."""
    text = start.strip()
    if text in net.index:
        return net.index[text], None, _("河段 %(id)s") % {"id": text}
    snap = (Snap.objects.filter(section__code=text).select_related("reach", "section").first()
            or Snap.objects.filter(outfall__code=text).select_related("reach", "outfall").first())
    if snap is not None:
        site = snap.section or snap.outfall
        return net.reach(snap.reach.reach_id), snap.measure, str(site)
    if "," in text:
        try:
            lon, lat = (float(x) for x in text.split(",", 1))
        except ValueError:
            pass
        else:
            if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
                raise CoordinateError(f"start {start}: not a finite lon,lat in range",
                                      user_message=_("起点坐标「%(start)s」无效: 经度须在 -180～180、纬度须在 -90～90 之间")
                                      % {"start": start})
            r = snap_points(net, [lon], [lat])
            return int(r.reach[0]), float(r.measure[0]), _("点 %(lon)s,%(lat)s (距河 %(m).0f 米)") % {
                "lon": lon, "lat": lat, "m": r.distance_m[0]}
    raise NotFoundError(f"start {start}", user_message=_("「%(start)s」不是河段编号、断面或排污口编码，也不是 经度,纬度")
                        % {"start": start})


def navigate_from(start: str, *, mode: str = "UT", max_km=None, max_hours=None):
    """(network, description, steps) for a navigation asked in the user's terms; ``steps`` is the
    core's NavResult (arrays, a sequence of NavStep), answered from the stored interval index."""
    net = current_network()
    reach, measure, desc = resolve_start(net, start)
    steps = navigate(net, (reach, measure) if measure is not None else reach, mode=mode, max_km=max_km,
                     max_hours=max_hours)
    return net, desc, steps


def steps_geojson(net, steps) -> dict:
    """Ordered GeoJSON features of a navigation result, each with distance and travel time."""
    ids, names, coords = net.ids, net.names, net.coords
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords[i]]},
         "properties": {"order": k, "reach": ids[i], "name": names[i], "distance_km": d, "travel_time_h": t,
                        "fraction": f}}
        for k, (i, d, t, f) in enumerate(zip(steps.index.tolist(), steps.distance_km.round(4).tolist(),
                                             steps.travel_time_h.round(4).tolist(), steps.fraction.round(4).tolist(),
                                             strict=True))]}


#: Reaches of a navigation result whose sites are fetched in one query.
SITE_CHUNK = 5000


@dataclass(frozen=True)
class SiteStep:
    """An outfall or section on a navigated reach: ``kind`` "outfall" | "section", its page's ``pk``,
    distance (km) and travel time (h) from the start point along the network, its reach."""

    kind: str
    pk: int
    code: str
    name: str
    reach: str
    distance_km: float
    travel_time_h: float


def sites_along(net, steps, start: str, *, mode: str, max_km=None, max_hours=None, offset: int = 0,
                limit: int = 50) -> tuple[list[SiteStep], bool]:
    """One page of the outfalls and sections snapped to the reaches of ``steps`` (a NavResult of
    :func:`navigate_from` for ``start`` and ``mode``), nearest first: (sites, whether more follow).

    A site's distance is its reach's distance plus the part of the reach between the reach's near
    end (or the start point, on the start reach) and the site's measure (km, h; L and L/u of the
    reach). Sites on the far side of the start point, or beyond ``max_km`` / ``max_hours``, are left
    out. The reaches are read in result order, ``SITE_CHUNK`` per query, and reading stops once the
    page is certain (no later reach can hold a nearer site), so the cost follows the page asked
    for, not the size of the network or of the ledger.
    """
    start_i, start_m = resolve_start(net, start)[:2]
    upstream = mode.upper().startswith("U")
    need = offset + limit + 1
    found: list[SiteStep] = []
    n = len(steps)
    pos = 0
    while pos < n:
        if len(found) >= need:
            found.sort(key=lambda s: (s.distance_km, s.kind, s.code))
            if steps.distance_km[pos] > found[need - 1].distance_km:
                break
        idx = steps.index[pos:pos + SITE_CHUNK].tolist()
        at = {i: k for k, i in enumerate(idx, start=pos)}
        rows = (Snap.objects.filter(reach__reach_id__in=[net.ids[i] for i in idx])
                .values_list("reach__reach_id", "measure", "outfall_id", "outfall__code", "outfall__name",
                             "section_id", "section__code", "section__name"))
        for rid, m, o_pk, o_code, o_name, s_pk, s_code, s_name in rows:
            i = net.index[rid]
            k = at[i]
            near = (1.0 if upstream else 0.0) if (i != start_i or start_m is None) else start_m
            part = (near - m) if upstream else (m - near)
            if part < -1e-9:
                continue  # on the start reach, on the other side of the start point
            part = max(part, 0.0)
            d = float(steps.distance_km[k] + part * net.length_km[i])
            t = float(steps.travel_time_h[k] + part * net.travel_h[i])
            if (max_km is not None and d > max_km + 1e-9) or (max_hours is not None and t > max_hours + 1e-9):
                continue
            if o_pk is not None:
                found.append(SiteStep("outfall", o_pk, o_code, o_name, rid, d, t))
            else:
                found.append(SiteStep("section", s_pk, s_code, s_name, rid, d, t))
        pos += SITE_CHUNK
    found.sort(key=lambda s: (s.distance_km, s.kind, s.code))
    return found[offset:offset + limit], len(found) > offset + limit
