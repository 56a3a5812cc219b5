"""Coordinates (standards.md §6 test vectors), credit codes (GB 32100-2015), HJ 1312 types, codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import laixi_points

from outfall.core import geo
from outfall.core.coding import default_outfall_code, parse_default_code, uscc_check_char, validate_uscc
from outfall.core.columns import Column, format_cell, parse_cell
from outfall.core.enums import OutfallStatus
from outfall.core.errors import CodeError, CoordinateError
from outfall.core.outfall_types import TYPES, validate_type

VECTORS = [  # WGS84, GCJ-02, BD-09 (standards.md §6, wandergis reference code, 8 decimals)
    ((120.5265, 36.8870), (120.53133281, 36.88740440), (120.53794399, 36.89308299)),
    ((120.4000, 36.9000), (120.40522088, 36.90067361), (120.41179939, 36.90641505)),
    ((116.397428, 39.90923), (116.40367163, 39.91063351), (116.41004410, 39.91697286)),
]


@pytest.mark.parametrize("wgs,gcj,bd", VECTORS)
def test_reference_vectors(wgs, gcj, bd):
    assert geo.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-8)
    assert geo.wgs84_to_bd09(*wgs) == pytest.approx(bd, abs=1e-8)
    assert geo.gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-7)
    assert geo.bd09_to_wgs84(*bd) == pytest.approx(wgs, abs=1e-7)
    assert geo.to_wgs84(*gcj, "GCJ-02") == pytest.approx(wgs, abs=1e-7)


@given(laixi_points)
def test_inverse_is_exact_to_1e7_degrees(p):
    assert geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*p)) == pytest.approx(p, abs=1e-7)
    assert geo.bd09_to_wgs84(*geo.wgs84_to_bd09(*p)) == pytest.approx(p, abs=1e-7)


def test_gcj_offset_at_laixi_is_hundreds_of_metres():
    lon, lat = 120.5265, 36.8870
    d = geo.haversine_m(lon, lat, *geo.wgs84_to_gcj02(lon, lat))
    assert 400 < d < 480  # ≈ 430 m east, 45 m north


def test_area_checks():
    box = geo.BBox.parse("120.15,36.35,120.85,37.20")
    geo.check_in_area(120.5, 36.9, box)
    with pytest.raises(CoordinateError, match="swapped"):
        geo.check_in_area(36.9, 120.5, box)
    with pytest.raises(CoordinateError):
        geo.check_in_area(116.4, 39.9, box)
    with pytest.raises(CoordinateError):
        geo.normalise_crs("Mars")
    assert geo.locate(120.53133281, 36.88740440, "gcj02", area=box)[2] == "GCJ02"


def test_uscc():
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    for bad in ("91350100M000100Y4", "91350100M000100Y44", "91350100M000100I43", "9135010OM000100Y43"):
        with pytest.raises(CodeError):
            validate_uscc(bad)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_every_generated_check_character_validates(first17):
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == code
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
    with pytest.raises(CodeError):
        validate_uscc(first17 + wrong)


def test_types_and_codes():
    assert validate_type("其他排口", "城镇雨洪排口").label == "其他排口 / 城镇雨洪排口"
    assert validate_type("暂无法确定").l1 == "暂无法确定"
    for args in (("工厂",), ("农业排口", "矿山排污口"), ("工业排污口", "", "矿山排污口"),
                 ("工业排污口", "工矿企业排污口", "城镇雨洪排口")):
        with pytest.raises(ValueError):
            validate_type(*args)
    assert all(TYPES)  # every level-1 type has a letter for the code
    code = default_outfall_code("370285", "城镇污水处理厂排污口", 12)
    assert code == "370285C0012" and parse_default_code(code) == ("370285", "C", 12)


@given(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)))
def test_float_cells_round_trip(v):
    col = Column("x", "甲", "x", "float")
    assert parse_cell(col, format_cell(col, v)) == v


@given(st.sampled_from(list(OutfallStatus)), st.booleans(), st.lists(st.text(min_size=1).filter(
    lambda t: "；" not in t and ";" not in t and t.strip() == t and t != ""), max_size=3))
def test_enum_bool_and_list_cells_round_trip(status, flag, names):
    e, b, p = Column("s", "状态", "s", "enum", enum=OutfallStatus), Column("b", "在线", "b", "bool"), Column(
        "p", "主体", "p", "party")
    assert parse_cell(e, format_cell(e, status.value)) == status.value
    assert parse_cell(b, format_cell(b, flag)) is flag
    assert parse_cell(p, format_cell(p, names)) == names
