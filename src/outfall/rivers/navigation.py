"""Navigation from what a user names: a reach id, a section code, an outfall code, or "lon,lat"."""

from __future__ import annotations

import math

from outfall.core.errors import CoordinateError, NotFoundError
from outfall.core.network import navigate, snap_points
from outfall.rivers.models import Snap
from outfall.rivers.selectors import current_network


def resolve_start(net, start: str) -> tuple[int, float, str]:
    """(reach index, measure, description) of a start given as reach id, site code or lon,lat."""
    text = start.strip()
    if text in net.index:
        return net.index[text], None, f"河段 {text}"
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
                                      user_message=f"起点坐标「{start}」无效: 经度须在 -180～180、纬度须在 -90～90 之间"
                                                   " (invalid lon,lat: must be finite, lon -180..180, lat -90..90)")
            r = snap_points(net, [lon], [lat])
            return int(r.reach[0]), float(r.measure[0]), f"点 {lon},{lat} (距河 {r.distance_m[0]:.0f} 米)"
    raise NotFoundError(f"start {start}", user_message=f"「{start}」不是河段编号、断面或排污口编码，也不是 经度,纬度")


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
