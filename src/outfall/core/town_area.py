"""The area as the union of its towns' polygons: which town a point lies in, the nearest town of a
point outside every town, and the refusal message for such a point (``geo.locate`` calls
:meth:`TownArea.check`). Distances are metres on the sphere (``geo.haversine_m``).
"""

from __future__ import annotations

import math

from outfall.core.errors import CoordinateError
from outfall.core.geo import BBox, haversine_m

__all__ = ["TownArea", "EDGE_TOLERANCE_M"]

#: A point this close (m) outside the nearest town still belongs to it (boundary generalisation).
EDGE_TOLERANCE_M = 30.0


class TownArea:
    """The union of the towns' polygons: the area the system covers when towns have boundaries.

    Parameters
    ----------
    towns : list of (code, name, GeoJSON geometry in lon/lat)
    edge_tolerance_m : a point at most this far (m) outside its nearest town still belongs to it.

    Examples
    --------
    >>> sq = lambda x0: {"type": "Polygon", "coordinates": [[(x0, 36.0), (x0 + .1, 36.0), (x0 + .1, 36.1),
    ...                                                     (x0, 36.1), (x0, 36.0)]]}
    >>> area = TownArea([("001", "甲镇", sq(120.0)), ("002", "乙镇", sq(120.1))])
    >>> area.town_at(120.15, 36.05), area.town_at(120.5, 36.05)
    (('002', '乙镇'), None)
    >>> area.box
    BBox(west=120.0, south=36.0, east=120.2, north=36.1)
    >>> area.nearest(120.25, 36.05)[1], round(area.nearest(120.25, 36.05)[2] / 1000, 1)
    ('乙镇', 4.5)
    """

    def __init__(self, towns: list[tuple[str, str, dict]], *, edge_tolerance_m: float = EDGE_TOLERANCE_M):
        import shapely

        self.codes = [c for c, _n, _g in towns]
        self.names = [n for _c, n, _g in towns]
        self.geoms = [shapely.geometry.shape(g) for _c, _n, g in towns]
        for g in self.geoms:
            shapely.prepare(g)
        self.tree = shapely.STRtree(self.geoms)
        self.edge_tolerance_m = edge_tolerance_m
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms).tolist()
        self.box = BBox(round(minx, 9), round(miny, 9), round(maxx, 9), round(maxy, 9))

    def __len__(self) -> int:
        return len(self.geoms)

    def _inside(self, lon: float, lat: float) -> int | None:
        import shapely

        pt = shapely.Point(lon, lat)
        # boxes from the tree, then the towns' own prepared polygons (faster than a tree predicate)
        for k in sorted(self.tree.query(pt).tolist()):
            if shapely.intersects(self.geoms[k], pt):
                return k
        return None

    def nearest(self, lon: float, lat: float) -> tuple[str, str, float]:
        """(code, name, distance in m) of the town nearest to the point (0 inside it)."""
        import shapely
        from shapely.ops import nearest_points

        pt = shapely.Point(lon, lat)
        inside = self._inside(lon, lat)
        if inside is not None:
            return self.codes[inside], self.names[inside], 0.0
        # The planar (degree) nearest town bounds the search: a town nearer in metres lies within
        # d0 / cos(lat) degrees, since a degree of longitude is cos(lat) of a degree of latitude.
        k0 = int(self.tree.query_nearest(pt)[0])
        d0 = float(shapely.distance(self.geoms[k0], pt))
        reach = d0 / max(math.cos(math.radians(lat)), 0.05) * 1.000001
        candidates = sorted(set(self.tree.query(pt, predicate="dwithin", distance=reach).tolist()) | {k0})
        best = None
        for k in candidates:
            q = nearest_points(self.geoms[k], pt)[0]
            d = haversine_m(lon, lat, q.x, q.y)
            if best is None or d < best[1]:
                best = (k, d)
        k, d = best
        return self.codes[k], self.names[k], d

    def town_at(self, lon: float, lat: float) -> tuple[str, str] | None:
        """(code, name) of the town the point lies in (or within the edge tolerance of); else None."""
        code, name, d = self.nearest(lon, lat)
        return (code, name) if d <= self.edge_tolerance_m else None

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies in a town (within the edge tolerance)."""
        return self.box.contains(lon, lat) and self.town_at(lon, lat) is not None

    def check(self, lon: float, lat: float, *, area_name: str = "") -> tuple[str, str]:
        """The point's town, or CoordinateError naming the nearest town and the distance to it."""
        code, name, d = self.nearest(lon, lat)
        if d <= self.edge_tolerance_m:
            return code, name
        raise CoordinateError(f"point {lon},{lat} outside every town; nearest {name} {d:.0f} m", user_message=(
            f"坐标 ({lon:.6f}, {lat:.6f}) 不在{area_name}任何镇街边界内；最近的镇街是「{name}」，相距 {d:.0f} 米 / "
            f"outside every town of the area; nearest: {name}, {d:.0f} m"))
