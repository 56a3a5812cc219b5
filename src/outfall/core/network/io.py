"""Reading river lines: GeoJSON, GeoPackage or Shapefile in any CRS → reaches in lon/lat (WGS84).

Property names are matched case-insensitively: our contract (``id``, ``to_id``, ``from_node``,
``to_node``, ``level_path``, ``divergence``, ``name``, ``velocity_m_s``, ``flow_m3_s``, ``kind``)
and NHDPlus (``COMID``, ``ToNode``, ``FromNode``, ``LevelPathI``, ``Divergence``, ``GNIS_NAME``).
Lines are drawn in flow direction (last vertex downstream). Lengths are geodesic metres (WGS84).
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from outfall.core.errors import FileFormatError, NetworkError
from outfall.core.limits import ImportLimits, check_zip

__all__ = ["ReachInput", "read_reaches", "reaches_from_geojson", "geodesic_length_m", "FIELD_ALIASES"]

FIELD_ALIASES = {
    "id": ("id", "reach_id", "comid", "hydroseq_id", "编号", "河段编号"),
    "to_id": ("to_id", "toid", "downstream_id", "下游编号"),
    "from_node": ("from_node", "fromnode", "fnode", "fnode_"),
    "to_node": ("to_node", "tonode", "tnode", "tnode_"),
    "level_path": ("level_path", "levelpathi", "levelpath", "mainstem"),
    "divergence": ("divergence",),
    "name": ("name", "gnis_name", "river", "河流", "名称"),
    "velocity_m_s": ("velocity_m_s", "velocity", "ve_ma", "流速"),
    "flow_m3_s": ("flow_m3_s", "flow", "qe_ma", "流量"),
    "kind": ("kind", "type", "类型"),
}


@dataclass
class ReachInput:
    """One reach as read: id, coordinates [(lon, lat), …] in flow direction, and attributes."""

    id: str
    coords: list[tuple[float, float]]
    name: str = ""
    to_id: str | None = None
    from_node: str | None = None
    to_node: str | None = None
    level_path: str | None = None
    divergence: int = 0
    velocity_m_s: float | None = None
    flow_m3_s: float | None = None
    kind: str = "river"
    properties: dict = field(default_factory=dict)


def geodesic_length_m(coords) -> float:
    """Length of a lon/lat line on the WGS84 ellipsoid, metres (pyproj.Geod)."""
    from pyproj import Geod

    if len(coords) < 2:
        return 0.0
    lons, lats = zip(*coords, strict=True)
    return float(Geod(ellps="WGS84").line_length(lons, lats))


def _id_text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _pick(props: dict, key: str):
    low = {k.lower(): v for k, v in props.items()}
    for alias in FIELD_ALIASES[key]:
        if alias in low:
            return low[alias]
    return None


def _float(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or f <= 0 else f


def _reach(i: int, props: dict, coords: list, *, where: str) -> ReachInput:
    rid = _id_text(_pick(props, "id"))
    if rid is None:
        rid = str(i + 1)
    if len(coords) < 2:
        raise NetworkError(f"{where}: reach {rid} has {len(coords)} point(s)",
                           user_message=f"{where}: 第 {i + 1} 条线 (id {rid}) 只有 {len(coords)} 个点，至少需要 2 个")
    div = _pick(props, "divergence")
    kind = str(_pick(props, "kind") or "river").lower()
    kind = {"湖泊": "lake", "湖": "lake", "水库": "reservoir", "河流": "river"}.get(kind, kind)
    if kind not in ("river", "lake", "reservoir"):
        kind = "river"
    return ReachInput(
        id=rid, coords=[(float(x), float(y)) for x, y, *_ in coords], name=str(_pick(props, "name") or "").strip(),
        to_id=_id_text(_pick(props, "to_id")), from_node=_id_text(_pick(props, "from_node")),
        to_node=_id_text(_pick(props, "to_node")), level_path=_id_text(_pick(props, "level_path")),
        divergence=int(div) if div not in (None, "") and not (isinstance(div, float) and math.isnan(div)) else 0,
        velocity_m_s=_float(_pick(props, "velocity_m_s")), flow_m3_s=_float(_pick(props, "flow_m3_s")), kind=kind,
        properties={k: v for k, v in props.items() if isinstance(v, (str, int, float, bool)) or v is None})


def _lines(geom_type: str, coords, *, where: str, index: int) -> list:
    if geom_type == "LineString":
        return coords
    if geom_type == "MultiLineString":
        parts = [p for p in coords if len(p) >= 2]
        if len(parts) == 1:
            return parts[0]
        # parts that join end to start are one line
        merged = list(parts[0])
        for p in parts[1:]:
            if tuple(p[0][:2]) != tuple(merged[-1][:2]):
                raise NetworkError(f"{where}: feature {index} multi-part", user_message=(
                    f"{where}: 第 {index + 1} 条要素是由 {len(parts)} 段不相连的线组成的多线，请拆分为单条河段"))
            merged.extend(p[1:])
        return merged
    raise NetworkError(f"{where}: feature {index} is {geom_type}",
                       user_message=f"{where}: 第 {index + 1} 个要素是 {geom_type}，河网只接受线 (LineString)")


def _check_lonlat(reaches: list[ReachInput], where: str) -> None:
    for r in reaches:
        for x, y in r.coords:
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise NetworkError(f"{where}: not lon/lat", user_message=(
                    f"{where}: 坐标 ({x:.1f}, {y:.1f}) 不是经纬度，且文件未声明坐标系；请注明投影 (如 --crs EPSG:5070)"))


def _reproject(reaches: list[ReachInput], crs) -> None:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(crs)
    except CRSError as exc:
        raise NetworkError(f"unknown CRS {crs}", user_message=f"无法识别坐标系「{crs}」") from exc
    if src.equals(CRS.from_epsg(4326), ignore_axis_order=True) or src.equals(CRS.from_epsg(4490), ignore_axis_order=True):
        return
    tr = Transformer.from_crs(src, 4326, always_xy=True)
    for r in reaches:
        xs, ys = zip(*r.coords, strict=True)
        lon, lat = tr.transform(xs, ys)
        r.coords = list(zip(map(float, lon), map(float, lat), strict=True))


def reaches_from_geojson(fc: dict, *, name: str = "rivers.geojson", crs=None) -> list[ReachInput]:
    """Reaches from a GeoJSON FeatureCollection (dict); ``crs`` overrides the file's (default WGS84)."""
    feats = fc.get("features") if isinstance(fc, dict) else None
    if not feats:
        raise NetworkError(f"{name}: no features", user_message=f"{name}: 文件中没有河流线")
    reaches = []
    for i, f in enumerate(feats):
        g = (f or {}).get("geometry") or {}
        reaches.append(_reach(i, f.get("properties") or {}, _lines(g.get("type", "None"), g.get("coordinates"),
                                                                    where=name, index=i), where=name))
    file_crs = crs or ((fc.get("crs") or {}).get("properties") or {}).get("name")
    if file_crs and "CRS84" not in str(file_crs):
        _reproject(reaches, file_crs)
    _check_lonlat(reaches, name)
    return reaches


def read_reaches(path: str | Path, *, layer: str | None = None, crs=None,
                 limits: ImportLimits | None = None) -> list[ReachInput]:
    """Read a GeoJSON, GeoPackage or Shapefile (or a .zip holding one) of river lines into lon/lat reaches.

    ``crs`` overrides the CRS the file declares (needed for a GeoJSON in projected metres without a
    ``crs`` member). A .zip is refused before it is read when it would expand beyond ``limits``.
    """
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            fc = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"{path.name}: 不是有效的 GeoJSON ({exc})") from exc
        return reaches_from_geojson(fc, name=path.name, crs=crs)
    import pyogrio
    import shapely

    if path.suffix.lower() == ".zip":  # GDAL reads a zipped shapefile in place: check what it would inflate
        try:
            with zipfile.ZipFile(path) as z:
                check_zip(z, name=path.name, limits=limits or ImportLimits())
        except (zipfile.BadZipFile, OSError) as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"{path.name}: ZIP 文件已损坏 / damaged ZIP") from exc
    try:
        meta, _fids, geoms, fields = pyogrio.raw.read(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError and GDAL errors
        raise FileFormatError(f"{path}: {exc}", user_message=f"{path.name}: 无法读取 ({exc})") from exc
    if geoms is None or len(geoms) == 0:
        raise NetworkError(f"{path}: empty", user_message=f"{path.name}: 文件中没有河流线")
    names = list(meta["fields"])
    reaches = []
    for i, wkb in enumerate(geoms):
        g = shapely.from_wkb(wkb) if wkb is not None else None
        if g is None:
            raise NetworkError(f"{path}: feature {i} has no geometry",
                               user_message=f"{path.name}: 第 {i + 1} 个要素没有几何")
        gj = shapely.geometry.mapping(g)
        props = {n: (fields[k][i].item() if hasattr(fields[k][i], "item") else fields[k][i])
                 for k, n in enumerate(names)}
        reaches.append(_reach(i, props, _lines(gj["type"], gj["coordinates"], where=path.name, index=i),
                              where=path.name))
    file_crs = crs or meta.get("crs")
    if file_crs:
        _reproject(reaches, file_crs)
    _check_lonlat(reaches, path.name)
    return reaches
