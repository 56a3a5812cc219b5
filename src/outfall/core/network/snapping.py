"""Snapping points (outfalls, sections) to the nearest reach: reach, measure, distance.

Reaches and points are projected to a local azimuthal equidistant projection centred on the
network (metres), so distances are true to within centimetres over a county; a shapely STRtree
finds the nearest reach for every point at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outfall.core.network.graph import Network

__all__ = ["SnapResult", "snap_points", "DEFAULT_MAX_DISTANCE_M"]

DEFAULT_MAX_DISTANCE_M = 500.0


@dataclass(frozen=True)
class SnapResult:
    reach: np.ndarray  # int: reach index
    measure: np.ndarray  # fraction of the reach from its upstream end, 0..1
    distance_m: np.ndarray
    far: np.ndarray  # bool: farther than max_distance_m


def _projector(net: Network):
    from pyproj import Transformer

    pts = np.array([c for cs in net.coords for c in cs])
    lon0, lat0 = float(pts[:, 0].mean()), float(pts[:, 1].mean())
    return Transformer.from_crs(4326, f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84", always_xy=True)


def snap_points(net: Network, lons, lats, *, max_distance_m: float = DEFAULT_MAX_DISTANCE_M) -> SnapResult:
    """Nearest reach of each lon/lat point, with its measure and distance (m); far snaps flagged."""
    import shapely

    lons, lats = np.asarray(lons, float), np.asarray(lats, float)
    cache = net.__dict__.setdefault("_snap_cache", {})
    if "tree" not in cache:
        tr = _projector(net)
        lines = []
        for cs in net.coords:
            x, y = tr.transform([c[0] for c in cs], [c[1] for c in cs])
            lines.append(shapely.linestrings(np.column_stack([x, y])))
        cache.update(tr=tr, lines=np.array(lines, dtype=object), tree=shapely.STRtree(lines))
    if lons.size == 0:
        e = np.array([], dtype=float)
        return SnapResult(np.array([], dtype=np.int64), e, e, np.array([], dtype=bool))
    x, y = cache["tr"].transform(lons, lats)
    pts = shapely.points(np.column_stack([x, y]))
    (pi, li), dist = cache["tree"].query_nearest(pts, return_distance=True, all_matches=False)
    reach = np.empty(len(pts), dtype=np.int64)
    reach[pi] = li
    d = np.empty(len(pts))
    d[pi] = dist
    measure = shapely.line_locate_point(cache["lines"][reach], pts, normalized=True)
    return SnapResult(reach, np.asarray(measure, float), d, d > max_distance_m)
