"""Map layer: reaches in flow direction (the last vertex is downstream), rivers as lines and lakes and
reservoirs as wider lines, answered by bounding box and zoom.

Per network version (``selectors.network_key``) the process keeps each reach's box and, per zoom
tier, its geometry simplified to about a screen pixel (``shapely.simplify``, done for a reach the
first time a request needs it at that tier); a request is a NumPy box test over those arrays. When the box holds more than ``MAX_LINES`` reaches, the ones with the
most reaches upstream (the main stems: a reach always has more than any reach above it, so what is
kept stays connected) are sent, lakes and reservoirs always.

Feature properties (compact keys): ``id`` reach id, ``n`` name, ``k`` kind (river/lake/reservoir),
``km`` length in km.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely

from outfall.core.viewport import MAX_LINES, tolerance_deg
from outfall.rivers.selectors import current_network, network_key

__all__ = ["rivers", "reach_geometry", "TIERS"]

#: Zoom levels whose pixel size the geometry is simplified to; above the last one, the full geometry.
TIERS = (6, 8, 10, 12, 14)

_lock = threading.Lock()
_cache: dict = {}


class _Geometry:
    """The current network's reaches as arrays: boxes, upstream counts, simplified coordinates."""

    def __init__(self, net):
        self.net = net
        lens = np.fromiter((len(c) for c in net.coords), dtype=np.int64, count=len(net.coords))
        flat = np.array([xy for c in net.coords for xy in c], dtype=float).reshape(-1, 2)
        self.lines = shapely.linestrings(flat, indices=np.repeat(np.arange(lens.size), lens))
        self.bounds = shapely.bounds(self.lines)  # (n, 4) west, south, east, north
        self.size = np.asarray(net.size)
        self.water = np.array([k in ("lake", "reservoir") for k in net.kinds])
        self.names = np.array(net.names, dtype=object)
        self._tol = tolerance_deg
        self._tiers: dict[int, list] = {}

    def coords(self, zoom: int, idx: np.ndarray) -> list:
        """Coordinates of the reaches ``idx`` at ``zoom`` (simplified to the tier at or below it),
        each reach simplified once per tier, when first asked for."""
        tier = max((t for t in TIERS if t <= zoom), default=TIERS[0])
        if zoom > TIERS[-1] + 1:
            tier = 99
        store = self._tiers.get(tier)
        if store is None:
            store = self._tiers.setdefault(tier, np.full(len(self.lines), None, dtype=object))
        missing = idx[np.equal(store[idx], None)]
        if missing.size:
            geoms = self.lines[missing]
            if tier != 99:
                geoms = shapely.simplify(geoms, self._tol(tier), preserve_topology=False)
            xy, owner = shapely.get_coordinates(geoms, return_index=True)
            parts = np.split(np.round(xy, 6 if tier == 99 else 5), np.flatnonzero(np.diff(owner)) + 1)
            for i, part in zip(missing.tolist(), parts, strict=True):
                store[i] = part.tolist()
        return store[idx].tolist()

    def select(self, bbox, zoom: int, *, river: str | None = None, only=None, limit: int) -> np.ndarray:
        """Indices of the reaches to send for a box (and optionally one river's name or a subset)."""
        mask = np.ones(len(self.lines), dtype=bool)
        if bbox:
            w, s, e, n = bbox
            b = self.bounds
            mask &= (b[:, 0] <= e) & (b[:, 2] >= w) & (b[:, 1] <= n) & (b[:, 3] >= s)
        if river:
            mask &= self.names == river
        if only is not None:
            keep = np.zeros_like(mask)
            keep[only] = True
            mask &= keep
        idx = np.flatnonzero(mask)
        if idx.size > limit:
            water = idx[self.water[idx]]
            rest = idx[~self.water[idx]]
            k = max(limit - water.size, 0)
            if k < rest.size:
                rest = rest[np.argpartition(-self.size[rest], k)[:k]] if k else rest[:0]
            idx = np.sort(np.r_[water, rest])
        return idx


def reach_geometry() -> _Geometry:
    """The current network's geometry arrays, built once per network version and process."""
    key = network_key()
    with _lock:
        if _cache.get("key") == key:
            return _cache["geom"]
    geom = _Geometry(current_network())
    with _lock:
        _cache.update(key=key, geom=geom)
    return geom


def features(geom: _Geometry, idx, zoom: int, extra=None) -> list:
    """GeoJSON features of the reaches ``idx`` at ``zoom``; ``extra(i)`` adds properties."""
    net = geom.net
    out = []
    for i, coords in zip(idx.tolist(), geom.coords(zoom, idx), strict=True):
        props = {"id": net.ids[i], "n": net.names[i], "k": net.kinds[i], "km": round(float(net.length_m[i]) / 1000, 2)}
        if extra is not None:
            props.update(extra(i))
        out.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props})
    return out


def rivers(request, view):
    """(version, last modified, build) of the rivers layer for ``view`` (see the module doc)."""
    key = network_key()

    def build() -> dict:
        if not key[1]:
            return {"type": "FeatureCollection", "features": []}
        geom = reach_geometry()
        idx = geom.select(view.bbox, view.zoom, river=view.filters.get("river"), limit=MAX_LINES)
        return {"type": "FeatureCollection", "features": features(geom, idx, view.zoom)}

    return key, None, build
