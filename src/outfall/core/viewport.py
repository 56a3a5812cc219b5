"""What a layer request asks for: a bounding box, a zoom level and the map's filters.

Every layer endpoint takes ``bbox=west,south,east,north`` (degrees, WGS84) and ``z`` (the Leaflet
zoom level, 0–22); without them a layer answers for the whole area at zoom 10. Point layers answer
with points while the box holds at most :data:`MAX_POINTS` of them and with grid clusters
(``{"n": count}``) above that; line layers are simplified to about one screen pixel at the zoom
(:func:`tolerance_deg`), so no answer grows with the database, only with the screen.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from outfall.core.errors import InputError

__all__ = ["Viewport", "MAX_POINTS", "MAX_LINES", "tolerance_deg", "cell_deg", "etag_of", "parse_viewport"]

#: Point features sent as points in one answer; more are sent as grid clusters.
MAX_POINTS = 800
#: Line features sent in one answer; above it the reaches with the fewest upstream reaches are left out.
MAX_LINES = 2500
#: Filters the map understands (query parameter → meaning); each layer applies those it knows.
FILTERS = ("type", "status", "town", "river", "class", "alerting")


def tolerance_deg(zoom: int) -> float:
    """Size of one screen pixel in degrees of longitude at ``zoom`` (Web Mercator, 256-px tiles).

    Examples
    --------
    >>> round(tolerance_deg(10), 6)
    0.001373
    """
    return 360.0 / (256 * 2 ** zoom)


def cell_deg(zoom: int, *, pixels: int = 48) -> float:
    """Cluster grid cell in degrees: ``pixels`` screen pixels at ``zoom``."""
    return tolerance_deg(zoom) * pixels


@dataclass(frozen=True)
class Viewport:
    """bbox (west, south, east, north) in degrees, a zoom level and the filters (name → value)."""

    bbox: tuple[float, float, float, float] | None
    zoom: int
    filters: dict = field(default_factory=dict)
    alert_outfalls: frozenset = frozenset()
    alert_sections: frozenset = frozenset()

    def key(self) -> str:
        """The part of an ETag that depends on what was asked (bbox rounded to the metre)."""
        box = ",".join(f"{v:.5f}" for v in self.bbox) if self.bbox else "-"
        return f"{box}|{self.zoom}|" + "&".join(f"{k}={self.filters[k]}" for k in sorted(self.filters))


def _number(text: str, name: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{name}={text!r}", user_message=f"「{text}」不是数字 ({name})") from None
    if not math.isfinite(v):
        raise InputError(f"{name}={text!r}", user_message=f"「{text}」不是有限的数 ({name})")
    return v


def parse_viewport(params) -> Viewport:
    """A Viewport from query parameters (``bbox``, ``z`` and the filters); bad input raises
    InputError with a message naming the parameter."""
    bbox = None
    if params.get("bbox"):
        parts = params["bbox"].split(",")
        if len(parts) != 4:
            raise InputError("bbox", user_message="bbox 须为 西,南,东,北 四个数 (bbox=west,south,east,north)")
        w, s, e, n = (_number(p, "bbox") for p in parts)
        w, e = max(w, -180.0), min(e, 180.0)
        s, n = max(s, -90.0), min(n, 90.0)
        if w > e or s > n:
            raise InputError("bbox", user_message="bbox 的西须小于东、南须小于北 (west < east, south < north)")
        bbox = (w, s, e, n)
    zoom = 10
    if params.get("z"):
        zoom = int(min(max(_number(params["z"], "z"), 0), 22))
    filters = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    return Viewport(bbox=bbox, zoom=zoom, filters=filters)


def etag_of(*parts) -> str:
    """A strong ETag (quoted) of the given parts' text."""
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'
