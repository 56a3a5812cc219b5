"""Towns files (outfall.core.towns): reading every format in any CRS, every error listed, and the
town of a point. The three-town file is tests/data/deploy/towns.geojson (made for these tests)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from outfall.core.errors import CoordinateError, FileFormatError
from outfall.core.geo import BBox, locate
from outfall.core.town_area import TownArea
from outfall.core.towns import check_towns, read_towns, towns_from_geojson

TOWNS = Path(__file__).resolve().parents[1] / "data" / "deploy" / "towns.geojson"


def _fc() -> dict:
    return json.loads(TOWNS.read_text(encoding="utf-8"))


def _projected(fc: dict, epsg: int = 4549):
    """The towns' geometries (shapely) in a projected CRS (CGCS2000 / 3-degree Gauss-Kruger CM 120E)."""
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, epsg, always_xy=True)
    return [shapely.transform(shapely.geometry.shape(f["geometry"]),
                              lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))) for f in fc["features"]]


def _write_ogr(path: Path, fc: dict, *, driver: str | None = None) -> None:
    from pyogrio.raw import write

    geoms = np.array([shapely.to_wkb(g) for g in _projected(fc)], dtype=object)
    fields = [np.array([f["properties"][k] for f in fc["features"]], dtype=object) for k in ("code", "name")]
    kw = {"driver": driver} if driver else {"encoding": "UTF-8"}
    write(str(path), geoms, fields, fields=["code", "name"], geometry_type="Polygon", crs="EPSG:4549", **kw)


def test_geojson_reads_codes_names_kinds_and_polygons():
    tf = read_towns(TOWNS)
    assert [(t.code, t.name, t.kind) for t in tf.towns] == [
        ("370299001", "东岭街道", "subdistrict"), ("370299101", "南河镇", "town"), ("370299102", "西坡镇", "town")]
    errors, polys = check_towns(tf)
    assert errors == [] and len(polys) == 3


@pytest.mark.parametrize("kind", ["gpkg", "shp", "zip", "geojson-crs"])
def test_projected_files_are_reprojected_to_lonlat(tmp_path, kind):
    fc = _fc()
    if kind == "gpkg":
        path = tmp_path / "towns.gpkg"
        _write_ogr(path, fc, driver="GPKG")
    elif kind in ("shp", "zip"):
        path = tmp_path / "towns.shp"
        _write_ogr(path, fc)
        if kind == "zip":
            zpath = tmp_path / "towns.zip"
            with zipfile.ZipFile(zpath, "w") as z:
                for p in tmp_path.glob("towns.*"):
                    if p.suffix != ".zip":
                        z.write(p, p.name)
            path = zpath
    else:
        projected = _projected(fc)
        out = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4549"}},
               "features": [{"type": "Feature", "properties": f["properties"], "geometry": shapely.geometry.mapping(g)}
                            for f, g in zip(fc["features"], projected, strict=True)]}
        path = tmp_path / "towns_4549.geojson"
        path.write_text(json.dumps(out), encoding="utf-8")
    tf = read_towns(path)
    errors, polys = check_towns(tf)
    assert errors == []
    minx, miny, maxx, maxy = shapely.total_bounds(list(polys.values()))
    assert (minx, miny, maxx, maxy) == pytest.approx((120.30, 36.70, 120.60, 36.90), abs=1e-6)


def test_csv_of_code_and_name(tmp_path):
    p = tmp_path / "towns.csv"
    p.write_text("代码,名称\n370299001,东岭街道\n370299101,南河镇\n", encoding="utf-8")
    tf = read_towns(p)
    assert not tf.has_geometry and [t.name for t in tf.towns] == ["东岭街道", "南河镇"]
    assert check_towns(tf) == ([], {})


def test_every_error_is_listed():
    fc = _fc()
    feats = fc["features"]
    # row 2 overlaps row 1 by a large part; row 3 has the code of row 1; row 4 has no geometry
    feats[1]["geometry"]["coordinates"][0] = [[120.35, 36.70], [120.50, 36.70], [120.50, 36.90], [120.35, 36.90],
                                              [120.35, 36.70]]
    feats[2]["properties"]["code"] = feats[0]["properties"]["code"]
    feats.append({"type": "Feature", "properties": {"code": "370299103", "name": "北山镇"}, "geometry": None})
    feats.append({"type": "Feature", "properties": {"code": "370299104", "name": ""},
                  "geometry": {"type": "Point", "coordinates": [120.5, 36.8]}})
    errors, _ = check_towns(towns_from_geojson(fc, name="bad.geojson"))
    text = "\n".join(str(e) for e in errors)
    assert "第3行 列「code」: 代码 / code「370299001」与第 1 行重复" in text
    assert "第2行 列「geometry」: 镇街「南河镇」与第 1 行「东岭街道」重叠" in text
    assert "第4行 列「geometry」: 镇街「北山镇」几何为空" in text
    assert "第5行 列「name」: 名称 / name 为空" in text
    assert "第5行 列「geometry」: 镇街边界须为面 (Polygon)，此处是 Point" in text
    assert len(errors) == 5


def test_a_sliver_overlap_within_tolerance_is_accepted():
    fc = _fc()
    # town 2 starts 5 m (~0.00006°) inside town 1: a digitising sliver, far below 0.5 % of the area
    ring = fc["features"][1]["geometry"]["coordinates"][0]
    fc["features"][1]["geometry"]["coordinates"][0] = [[x - 0.00006 if x == 120.40 else x, y] for x, y in ring]
    errors, _ = check_towns(towns_from_geojson(fc))
    assert errors == []


def test_missing_columns_are_named():
    fc = _fc()
    for f in fc["features"]:
        f["properties"] = {"名字": f["properties"]["name"]}
    errors, _ = check_towns(towns_from_geojson(fc, name="x.geojson"))
    assert [e.column for e in errors] == ["code", "name"]
    assert all(e.row == 1 for e in errors)


def test_unknown_suffix_and_empty_file(tmp_path):
    with pytest.raises(FileFormatError) as e:
        read_towns(tmp_path / "towns.pdf")
    assert "不支持的文件类型「.pdf」" in e.value.user_message
    with pytest.raises(FileFormatError) as e:
        towns_from_geojson({"type": "FeatureCollection", "features": []})
    assert "没有镇街要素" in e.value.user_message


def _l_shape_area() -> TownArea:
    """Two towns forming an L; the box's north-east quarter belongs to no town."""
    sq = lambda x0, y0: {"type": "Polygon", "coordinates": [[(x0, y0), (x0 + .1, y0), (x0 + .1, y0 + .1),  # noqa: E731
                                                              (x0, y0 + .1), (x0, y0)]]}
    return TownArea([("001", "甲镇", sq(120.0, 36.0)), ("002", "乙镇", sq(120.1, 36.0)), ("003", "丙镇", sq(120.0, 36.1))])


def test_point_in_the_box_but_outside_every_town_names_the_nearest():
    area = _l_shape_area()
    assert area.box == BBox(120.0, 36.0, 120.2, 36.2)
    assert area.check(120.05, 36.05) == ("001", "甲镇")
    with pytest.raises(CoordinateError) as e:
        locate(120.19, 36.11, "WGS84", area=area, area_name="示范县")
    assert "不在示范县任何镇街边界内；最近的镇街是「乙镇」，相距 1112 米" in e.value.user_message
    # within the edge tolerance (30 m) the point still belongs to its town
    assert area.town_at(120.15, 36.1002) == ("002", "乙镇")
    # outside the box: the box message, as before
    with pytest.raises(CoordinateError) as e:
        locate(121.0, 36.05, None, area=area, area_name="示范县")
    assert "不在示范县范围内" in e.value.user_message
