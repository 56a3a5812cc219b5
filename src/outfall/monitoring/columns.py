"""Section file columns (shared/DESIGN.md §3: code, name, lon, lat, crs, target_class, water_type, …)."""

from __future__ import annotations

from outfall.core import geo
from outfall.core.columns import Column, parse_row
from outfall.core.columns import match_header as _match_header
from outfall.core.enums import SectionLevel, WaterClass, WaterType
from outfall.core.errors import CoordinateError

SECTION_COLUMNS: list[Column] = [
    Column("code", "断面编码", "code", required=True, aliases=("编码", "点位编码", "站点编码"), max_length=40),
    Column("name", "断面名称", "name", required=True, aliases=("名称", "点位名称"), max_length=100),
    Column("original_lon", "经度", "lon", "coord", required=True, aliases=("longitude",)),
    Column("original_lat", "纬度", "lat", "coord", required=True, aliases=("latitude",)),
    Column("original_crs", "坐标系", "crs"),
    Column("target_class", "水质目标", "target_class", aliases=("目标", "目标水质", "水质目标类别")),
    Column("water_type", "水体类型", "water_type", "enum", enum=WaterType, aliases=("类型",)),
    Column("level", "级别", "level", "enum", enum=SectionLevel, aliases=("断面级别", "控制级别")),
    Column("river", "所在河流", "river", aliases=("河流", "所属河流", "水体"), max_length=100),
    Column("town", "所属镇街", "town", aliases=("镇街",)),
    Column("automatic_station", "自动站", "automatic_station", "bool", aliases=("是否自动站",)),
    Column("notes", "备注", "notes"),
]
BY_FIELD = {c.field: c for c in SECTION_COLUMNS}


def match_header(header: list[str]):
    return _match_header(header, SECTION_COLUMNS)


def clean_section_row(raw: dict, *, area: geo.BBox, area_name: str, default_water_type) -> tuple[dict, list]:
    """One section row → cleaned data and [(column, message)]. ``default_water_type(name, water_body=)``
    decides the water type when the file gives none (the river/lake the section is on, else its name)."""
    data, problems = parse_row(raw, BY_FIELD)
    target = data.get("target_class")
    if target:
        try:
            data["target_class"] = WaterClass.parse(target).value
        except ValueError:
            problems.append(("水质目标", f"「{target}」不是水质类别 (Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ)"))
    else:
        data["target_class"] = WaterClass.III.value
    if data.get("target_class") == WaterClass.WORSE_V.value:
        problems.append(("水质目标", "水质目标不能为劣Ⅴ类"))
    if not data.get("water_type") and data.get("name"):
        data["water_type"] = default_water_type(data["name"], water_body=data.get("river") or None)
    data["level"] = data.get("level") or SectionLevel.MUNICIPAL.value
    lon, lat = data.get("original_lon"), data.get("original_lat")
    if lon is not None and lat is not None:
        try:
            data["lon"], data["lat"], data["original_crs"] = geo.locate(lon, lat, data.get("original_crs"), area=area,
                                                                        area_name=area_name)
        except CoordinateError as exc:
            problems.append(("经度", exc.user_message))
    return data, problems
