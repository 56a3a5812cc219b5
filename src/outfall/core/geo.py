"""Coordinates in one place: WGS84 / CGCS2000 / GCJ-02 / BD-09, area checks (standards.md §6).

Storage is CGCS2000 ≈ WGS84 (EPSG:4490 / EPSG:4326; they differ by centimetres to decimetres,
treated as identical at ledger precision). GCJ-02 and BD-09 are converted with the public
reverse-engineered formulas; the GCJ-02 → WGS84 inverse is iterated to < 1e-7° (about 1 cm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from outfall.core.errors import CoordinateError

__all__ = [
    "CRS_NAMES",
    "normalise_crs",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_wgs84",
    "from_wgs84",
    "BBox",
    "check_in_area",
    "haversine_m",
    "locate",
    "looks_gcj_shifted",
]

_A = 6378245.0
_EE = 0.00669342162296594323
_PI = 3.1415926535897932384626
_X_PI = _PI * 3000.0 / 180.0

#: Accepted names of coordinate systems → canonical name.
CRS_NAMES = {
    "WGS84": "WGS84", "WGS-84": "WGS84", "EPSG:4326": "WGS84", "4326": "WGS84", "GPS": "WGS84",
    "CGCS2000": "CGCS2000", "EPSG:4490": "CGCS2000", "4490": "CGCS2000", "2000": "CGCS2000",
    "国家2000": "CGCS2000", "2000国家大地坐标系": "CGCS2000",
    "GCJ02": "GCJ02", "GCJ-02": "GCJ02", "火星坐标": "GCJ02", "高德": "GCJ02", "AMAP": "GCJ02",
    "BD09": "BD09", "BD-09": "BD09", "百度": "BD09", "BAIDU": "BD09",
}


def normalise_crs(name: str | None) -> str:
    """Canonical CRS name; empty means WGS84 (DESIGN §3).

    >>> normalise_crs("gcj-02"), normalise_crs(""), normalise_crs("EPSG:4490")
    ('GCJ02', 'WGS84', 'CGCS2000')
    """
    if name is None or str(name).strip() == "":
        return "WGS84"
    key = str(name).strip().upper()
    if key in CRS_NAMES:
        return CRS_NAMES[key]
    if str(name).strip() in CRS_NAMES:
        return CRS_NAMES[str(name).strip()]
    raise CoordinateError(f"unknown CRS {name!r}", user_message=f"未知坐标系「{name}」，可用: WGS84、CGCS2000、GCJ02、BD09")


def _out_of_china(lng: float, lat: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * _PI) + 40.0 * math.sin(y / 3.0 * _PI)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * _PI) + 320 * math.sin(y * _PI / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * _PI) + 40.0 * math.sin(x / 3.0 * _PI)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * _PI) + 300.0 * math.sin(x / 30.0 * _PI)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """WGS84 → GCJ-02 in degrees (standards.md §6; identity outside China's box).

    >>> [round(v, 8) for v in wgs84_to_gcj02(120.5265, 36.8870)]
    [120.53133281, 36.8874044]
    """
    if _out_of_china(lng, lat):
        return lng, lat
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * _PI
    magic = math.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * _PI)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * _PI)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, *, tol_deg: float = 1e-9, max_iter: int = 30) -> tuple[float, float]:
    """GCJ-02 → WGS84 by fixed-point iteration of the forward transform, to ``tol_deg`` degrees.

    >>> w = gcj02_to_wgs84(120.53133281, 36.88740440)
    >>> abs(w[0] - 120.5265) < 1e-7 and abs(w[1] - 36.8870) < 1e-7
    True
    """
    if _out_of_china(lng, lat):
        return lng, lat
    wl, wt = lng, lat
    for _ in range(max_iter):
        gl, gt = wgs84_to_gcj02(wl, wt)
        dl, dt = gl - lng, gt - lat
        wl, wt = wl - dl, wt - dt
        if abs(dl) < tol_deg and abs(dt) < tol_deg:
            break
    return wl, wt


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 in degrees (standards.md §6)."""
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02 in degrees, the reference closed form (standards.md §6)."""
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _bd09_to_gcj02_exact(lng: float, lat: float, *, tol_deg: float = 1e-10) -> tuple[float, float]:
    gl, gt = bd09_to_gcj02(lng, lat)
    for _ in range(20):
        bl, bt = gcj02_to_bd09(gl, gt)
        dl, dt = bl - lng, bt - lat
        gl, gt = gl - dl, gt - dt
        if abs(dl) < tol_deg and abs(dt) < tol_deg:
            break
    return gl, gt


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """WGS84 → BD-09 (via GCJ-02).

    >>> [round(v, 8) for v in wgs84_to_bd09(120.5265, 36.8870)]
    [120.53794399, 36.89308299]
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS84, both steps inverted iteratively (< 1e-7°)."""
    return gcj02_to_wgs84(*_bd09_to_gcj02_exact(lng, lat))


def to_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a point given in ``crs`` to WGS84/CGCS2000 degrees."""
    crs = normalise_crs(crs)
    if crs in ("WGS84", "CGCS2000"):
        return float(lng), float(lat)
    if crs == "GCJ02":
        return gcj02_to_wgs84(lng, lat)
    return bd09_to_wgs84(lng, lat)


def from_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    crs = normalise_crs(crs)
    if crs in ("WGS84", "CGCS2000"):
        return float(lng), float(lat)
    if crs == "GCJ02":
        return wgs84_to_gcj02(lng, lat)
    return wgs84_to_bd09(lng, lat)


@dataclass(frozen=True)
class BBox:
    """A lon/lat box in degrees: west, south, east, north."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """'120.15,36.35,120.85,37.20' → BBox."""
        parts = [float(p) for p in str(text).replace(" ", "").split(",")]
        if len(parts) != 4 or parts[0] >= parts[2] or parts[1] >= parts[3]:
            raise ValueError(f"bbox must be west,south,east,north: {text!r}")
        return cls(*parts)

    def contains(self, lng: float, lat: float) -> bool:
        return self.west <= lng <= self.east and self.south <= lat <= self.north

    @property
    def centre(self) -> tuple[float, float]:
        return (self.west + self.east) / 2, (self.south + self.north) / 2


def check_in_area(lng: float, lat: float, area: BBox, *, area_name: str = "") -> None:
    """Refuse a point outside the configured area, saying when lon/lat look swapped.

    >>> box = BBox(120.15, 36.35, 120.85, 37.20)
    >>> try:
    ...     check_in_area(36.9, 120.5, box, area_name="莱西市")
    ... except CoordinateError as e:
    ...     print(e.user_message)
    经纬度可能颠倒: 经度 36.9、纬度 120.5 不在莱西市范围内，交换后在范围内
    """
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        if area.contains(lat, lng):
            raise CoordinateError(f"swapped lon/lat {lng},{lat}",
                                  user_message=f"经纬度可能颠倒: 经度 {lng}、纬度 {lat} 不在{area_name}范围内，交换后在范围内")
        raise CoordinateError(f"invalid lon/lat {lng},{lat}", user_message=f"经纬度无效: 经度 {lng}、纬度 {lat}")
    if area.contains(lng, lat):
        return
    if area.contains(lat, lng):
        raise CoordinateError(f"swapped lon/lat {lng},{lat}",
                              user_message=f"经纬度可能颠倒: 经度 {lng}、纬度 {lat} 不在{area_name}范围内，交换后在范围内")
    raise CoordinateError(
        f"point {lng},{lat} outside area",
        user_message=f"坐标 ({lng}, {lat}) 不在{area_name}范围内 "
        f"(经度 {area.west}–{area.east}，纬度 {area.south}–{area.north})")


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6 371 008.8 m."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def locate(lng: float, lat: float, crs: str | None, *, area: BBox, area_name: str = "") -> tuple[float, float, str]:
    """A point as entered (any supported CRS) → (lon, lat) in WGS84/CGCS2000 and the canonical CRS
    name, after checking it lies in the area (raises CoordinateError, swapped lon/lat named).

    ``area`` is a :class:`BBox`, or an object with a ``box`` and a ``check(lon, lat, area_name=)``
    (``outfall.core.towns.TownArea``): the box is checked as entered, the converted point then
    against the towns' boundaries."""
    crs = normalise_crs(crs)
    check_in_area(lng, lat, getattr(area, "box", area), area_name=area_name)
    wl, wt = to_wgs84(lng, lat, crs)
    if hasattr(area, "check"):
        area.check(wl, wt, area_name=area_name)
    return wl, wt, crs


#: A stored point re-entered this close (m) to its own GCJ-02 image, and moved more than
#: ``GCJ_MIN_SHIFT_M``, was most likely read off a GCJ-02 (Amap/Tencent) map by mistake.
GCJ_SUSPECT_M = 15.0
GCJ_MIN_SHIFT_M = 100.0


def looks_gcj_shifted(old: tuple[float, float], new: tuple[float, float]) -> float | None:
    """The shift in metres when ``new`` (WGS84) sits where ``old``'s GCJ-02 image would, else None.

    >>> round(looks_gcj_shifted((120.5265, 36.8870), wgs84_to_gcj02(120.5265, 36.8870)))
    432
    >>> looks_gcj_shifted((120.5265, 36.8870), (120.5300, 36.8870)) is None
    True
    """
    moved = haversine_m(old[0], old[1], new[0], new[1])
    glon, glat = wgs84_to_gcj02(*old)
    if moved > GCJ_MIN_SHIFT_M and haversine_m(glon, glat, new[0], new[1]) < GCJ_SUSPECT_M:
        return moved
    return None
