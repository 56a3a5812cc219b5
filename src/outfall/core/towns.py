"""Towns (镇街) of the area: reading their boundaries, checking them, and finding a point's town.

A towns file is a GeoJSON, GeoPackage or Shapefile (also zipped) of town polygons with a ``code``
and a ``name`` property, in any CRS (reprojected to WGS84 lon/lat with pyproj), or a CSV/XLSX of
``code, name`` without geometry. :func:`read_towns` reads one into :class:`TownInput` rows;
:func:`check_towns` lists every problem (missing column, empty or non-polygon geometry, duplicate
code or name, towns overlapping by more than the tolerance) as :class:`RowError`; nothing is
written here. ``outfall.core.town_area.TownArea`` finds the town of a point.

Areas are geodesic square metres on the WGS84 ellipsoid (pyproj.Geod); distances are metres.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from outfall.core.errors import FileFormatError, RowError

__all__ = [
    "TownInput",
    "FIELD_ALIASES",
    "OVERLAP_TOLERANCE",
    "read_towns",
    "towns_from_geojson",
    "check_towns",
    "check_against_stored",
    "geodesic_area_m2",
]

#: Property / column names accepted for each town attribute (case-insensitive).
FIELD_ALIASES = {
    "code": ("code", "代码", "编码", "区划代码", "镇街代码", "xzqdm", "town_code", "adcode"),
    "name": ("name", "名称", "镇街", "镇街名称", "所属镇街", "xzqmc", "town_name", "town"),
    "kind": ("kind", "类别", "类型", "type"),
}

#: Two towns may overlap by at most this fraction of the smaller one's area (digitising slivers).
OVERLAP_TOLERANCE = 0.005

_KIND_WORDS = {"街道": "subdistrict", "镇": "town", "乡": "township", "功能区": "zone", "开发区": "zone"}


@dataclass
class TownInput:
    """One town as read: ``row`` (feature number, or sheet row with the header as 1), code, name,
    kind (subdistrict/town/township/zone or empty) and its GeoJSON geometry in lon/lat (None for
    a CSV)."""

    row: int
    code: str
    name: str
    kind: str = ""
    geometry: dict | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TownFile:
    """What :func:`read_towns` returns: the file name, whether it carries geometry, the towns and
    the problems found while reading (column, message) that belong to no row."""

    file: str
    has_geometry: bool
    towns: list[TownInput]
    missing: list[tuple[str, str]] = field(default_factory=list)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _keys(props_keys) -> dict[str, str]:
    """attribute → the file's property name that carries it."""
    low = {str(k).strip().lower(): k for k in props_keys}
    out = {}
    for attr, aliases in FIELD_ALIASES.items():
        for a in aliases:
            if a.lower() in low:
                out[attr] = low[a.lower()]
                break
    return out


def _missing(keys: dict[str, str]) -> list[tuple[str, str]]:
    return [(attr, f"缺少列「{attr}」(可用: {'、'.join(FIELD_ALIASES[attr])}) / missing column {attr}")
            for attr in ("code", "name") if attr not in keys]


def infer_kind(name: str, given: str = "") -> str:
    """The town's kind from the file, else from its name's ending.

    >>> infer_kind("水集街道"), infer_kind("院上镇"), infer_kind("某乡"), infer_kind("经济开发区")
    ('subdistrict', 'town', 'township', 'zone')
    """
    given = (given or "").strip()
    if given in ("subdistrict", "town", "township", "zone"):
        return given
    if given in _KIND_WORDS:
        return _KIND_WORDS[given]
    for word, kind in sorted(_KIND_WORDS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(word):
            return kind
    return "town"


def _reproject_geometries(towns: list[TownInput], crs, where: str) -> None:
    import shapely
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(crs)
    except CRSError as exc:
        raise FileFormatError(f"unknown CRS {crs}", user_message=f"{where}: 无法识别坐标系「{crs}」") from exc
    if src.equals(CRS.from_epsg(4326), ignore_axis_order=True) or src.equals(CRS.from_epsg(4490),
                                                                              ignore_axis_order=True):
        return
    tr = Transformer.from_crs(src, 4326, always_xy=True)
    for t in towns:
        if t.geometry:
            g = shapely.geometry.shape(t.geometry)
            g = shapely.transform(g, lambda xy: _xy(tr, xy))
            t.geometry = shapely.geometry.mapping(g)


def _xy(tr, xy):
    import numpy as np

    lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _from_features(features: list[tuple[dict, dict | None]], *, name: str) -> TownFile:
    keys = _keys({k for props, _g in features for k in props})
    towns = []
    for i, (props, geom) in enumerate(features):
        towns.append(TownInput(row=i + 1, code=_text(props.get(keys.get("code"))),
                               name=_text(props.get(keys.get("name"))),
                               kind=infer_kind(_text(props.get(keys.get("name"))), _text(props.get(keys.get("kind")))),
                               geometry=geom))
    return TownFile(file=name, has_geometry=True, towns=towns, missing=_missing(keys))


def towns_from_geojson(fc: dict, *, name: str = "towns.geojson", crs=None) -> TownFile:
    """Towns from a GeoJSON FeatureCollection; ``crs`` overrides the file's (default lon/lat)."""
    feats = fc.get("features") if isinstance(fc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise FileFormatError(f"{name}: no features", user_message=f"{name}: 文件中没有镇街要素 / no features")
    out = _from_features([((f or {}).get("properties") or {}, (f or {}).get("geometry")) for f in feats], name=name)
    file_crs = crs or ((fc.get("crs") or {}).get("properties") or {}).get("name")
    if file_crs and "CRS84" not in str(file_crs):
        _reproject_geometries(out.towns, file_crs, name)
    return out


def _read_ogr(path: Path, *, crs=None) -> TownFile:
    import pyogrio
    import shapely

    try:
        meta, _fids, geoms, fields = pyogrio.raw.read(path)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError and GDAL errors
        raise FileFormatError(f"{path}: {exc}", user_message=f"{path.name}: 无法读取 / unreadable ({exc})") from exc
    if geoms is None or len(geoms) == 0:
        raise FileFormatError(f"{path}: empty", user_message=f"{path.name}: 文件中没有镇街要素 / no features")
    names = list(meta["fields"])
    feats = []
    for i, wkb in enumerate(geoms):
        g = shapely.from_wkb(wkb) if wkb is not None else None
        props = {n: (fields[k][i].item() if hasattr(fields[k][i], "item") else fields[k][i])
                 for k, n in enumerate(names)}
        feats.append((props, shapely.geometry.mapping(g) if g is not None and not g.is_empty else None))
    out = _from_features(feats, name=path.name)
    file_crs = crs or meta.get("crs")
    if file_crs:
        _reproject_geometries(out.towns, file_crs, path.name)
    return out


def _read_tabular(source, name: str) -> TownFile:
    from outfall.core.tabular import read_table

    table = read_table(source, name=name)[0]
    keys = _keys(table.header)
    towns = []
    for rownum, rec in table.records():
        towns.append(TownInput(row=rownum, code=_text(rec.get(keys.get("code"))), name=_text(rec.get(keys.get("name"))),
                               kind=infer_kind(_text(rec.get(keys.get("name"))), _text(rec.get(keys.get("kind"))))))
    return TownFile(file=table.file, has_geometry=False, towns=towns, missing=_missing(keys))


def read_towns(path: str | Path, *, crs=None, name: str | None = None) -> TownFile:
    """Read a towns file (.geojson/.json, .gpkg, .shp, .zip of a Shapefile, .csv, .xlsx)."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        try:
            fc = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FileFormatError(f"{path}: {exc}", user_message=f"{name}: 不是有效的 GeoJSON / not GeoJSON ({exc})") \
                from exc
        return towns_from_geojson(fc, name=name, crs=crs)
    if suffix in (".csv", ".xlsx"):
        return _read_tabular(path, name)
    if suffix in (".gpkg", ".shp", ".zip"):
        return _read_ogr(path, crs=crs)
    raise FileFormatError(f"{path}: suffix {suffix}", user_message=(
        f"{name}: 不支持的文件类型「{suffix or '无扩展名'}」；可用 .geojson .gpkg .shp .zip .csv .xlsx"))


def geodesic_area_m2(geom) -> float:
    """Area of a lon/lat (shapely) polygon on the WGS84 ellipsoid, square metres."""
    from pyproj import Geod

    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0])


def _polygon(t: TownInput, file: str) -> tuple[object | None, list[RowError]]:
    import shapely

    col = "geometry"
    if not t.geometry:
        return None, [RowError(file, "", t.row, col, f"镇街「{t.name or t.code}」几何为空 / empty geometry")]
    try:
        g = shapely.geometry.shape(t.geometry)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        return None, [RowError(file, "", t.row, col, f"几何无法识别 / unreadable geometry ({exc})")]
    if g.is_empty:
        return None, [RowError(file, "", t.row, col, f"镇街「{t.name or t.code}」几何为空 / empty geometry")]
    if g.geom_type not in ("Polygon", "MultiPolygon"):
        return None, [RowError(file, "", t.row, col, f"镇街边界须为面 (Polygon)，此处是 {g.geom_type} / not a polygon")]
    minx, miny, maxx, maxy = g.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None, [RowError(file, "", t.row, col, (
            f"坐标 ({minx:.1f}, {miny:.1f}) 不是经纬度且文件未声明坐标系 (用 --crs 指定，如 --crs EPSG:4549) / "
            "not lon/lat and no CRS declared"))]
    if not g.is_valid:
        reason = shapely.is_valid_reason(g)
        fixed = shapely.make_valid(g)
        polys = [p for p in getattr(fixed, "geoms", [fixed]) if p.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.unary_union(polys) if polys else None
        if fixed is None or fixed.is_empty or abs(fixed.area - g.area) > 0.01 * max(g.area, 1e-12):
            return None, [RowError(file, "", t.row, col, f"镇街「{t.name}」边界无效 / invalid polygon: {reason}")]
        g = fixed
    return g, []


def check_towns(tf: TownFile, *, overlap_tolerance: float = OVERLAP_TOLERANCE) -> tuple[list[RowError], dict]:
    """Every problem of a towns file, and the cleaned shapely polygon of each row (row → polygon).

    Checks: both columns present; code and name non-empty and unique; with geometry, each one a
    non-empty (valid, or repairable within 1 % of its area) polygon in lon/lat, and no two towns
    overlapping by more than ``overlap_tolerance`` of the smaller one's area.
    """
    import shapely

    file = tf.file
    errors = [RowError(file, "", 1, c, m) for c, m in tf.missing]
    if errors:
        return errors, {}
    seen = {"code": {}, "name": {}}
    polys: dict[int, object] = {}
    for t in tf.towns:
        for attr, label in (("code", "代码 / code"), ("name", "名称 / name")):
            v = getattr(t, attr)
            if not v:
                errors.append(RowError(file, "", t.row, attr, f"{label} 为空 / empty"))
            elif v in seen[attr]:
                errors.append(RowError(file, "", t.row, attr,
                                       f"{label}「{v}」与第 {seen[attr][v]} 行重复 / duplicate"))
            else:
                seen[attr][v] = t.row
        if len(t.code) > 12:
            errors.append(RowError(file, "", t.row, "code", f"代码「{t.code}」超过 12 个字符 / longer than 12"))
        if len(t.name) > 50:
            errors.append(RowError(file, "", t.row, "name", f"名称「{t.name}」超过 50 个字符 / longer than 50"))
        if tf.has_geometry:
            g, errs = _polygon(t, file)
            errors.extend(errs)
            if g is not None:
                polys[t.row] = g
    rows = sorted(polys)
    geoms = [polys[r] for r in rows]
    if len(geoms) > 1:
        tree = shapely.STRtree(geoms)
        by_row = {t.row: t for t in tf.towns}
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            area = _excess_overlap(geoms[i], geoms[j], overlap_tolerance)
            if area is not None:
                a, b = by_row[rows[i]], by_row[rows[j]]
                errors.append(RowError(file, "", b.row, "geometry", (
                    f"镇街「{b.name}」与第 {a.row} 行「{a.name}」重叠 {area / 1e4:.2f} 公顷 "
                    f"(超过较小者面积的 {overlap_tolerance:.1%}) / overlaps {a.name} by {area:.0f} m²")))
    return errors, polys


def _excess_overlap(g1, g2, tolerance: float) -> float | None:
    """The overlap of two lon/lat polygons in m² when it exceeds ``tolerance`` of the smaller one."""
    import shapely

    inter = shapely.intersection(g1, g2)
    if inter.is_empty or inter.area == 0:
        return None
    area = geodesic_area_m2(inter)
    return area if area > tolerance * min(geodesic_area_m2(g1), geodesic_area_m2(g2)) else None


def check_against_stored(tf: TownFile, polys: dict, stored: list[tuple[str, str, dict]], *,
                         overlap_tolerance: float = OVERLAP_TOLERANCE) -> list[RowError]:
    """Overlaps of the file's towns with stored towns the file does not replace ((code, name, geometry))."""
    import shapely

    codes = {t.code for t in tf.towns}
    others = [(n, shapely.geometry.shape(g)) for c, n, g in stored if g and c not in codes]
    if not others or not polys:
        return []
    tree = shapely.STRtree([g for _n, g in others])
    errors = []
    for t in tf.towns:
        g = polys.get(t.row)
        if g is None:
            continue
        for k in tree.query(g, predicate="intersects").tolist():
            name, other = others[k]
            area = _excess_overlap(g, other, overlap_tolerance)
            if area is not None:
                errors.append(RowError(tf.file, "", t.row, "geometry", (
                    f"镇街「{t.name}」与已有镇街「{name}」重叠 {area / 1e4:.2f} 公顷 / overlaps the stored town {name}")))
    return errors
