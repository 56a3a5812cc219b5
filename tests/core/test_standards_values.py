"""Reported values, rounding, the parameter registry and units; property tests: parse/format round trip."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from strategies import parsed_values, reported_cells

from outfall.core.errors import ValueParseError
from outfall.core.standards import (
    EVALUATED,
    REFERENCE,
    convert,
    format_value,
    lookup_parameter,
    parse_value,
    registry,
    round_report,
)
from outfall.core.standards.parameters import canonical_unit
from outfall.core.standards.values import ParsedValue


@pytest.mark.parametrize("text,expected", [
    ("0.02L", ParsedValue(None, "<", 0.02, "0.02L")), ("0.02l", ParsedValue(None, "<", 0.02, "0.02l")),
    ("0.02 L", ParsedValue(None, "<", 0.02, "0.02 L")), ("<0.01", ParsedValue(None, "<", 0.01, "<0.01")),
    ("＜0.01", ParsedValue(None, "<", 0.01, "＜0.01")), ("ND(0.05)", ParsedValue(None, "<", 0.05, "ND(0.05)")),
    ("未检出（<0.004）", ParsedValue(None, "<", 0.004, "未检出（<0.004）")),
    ("ND", ParsedValue(None, "<", None, "ND")), ("未检出", ParsedValue(None, "<", None, "未检出")),
    ("*", ParsedValue(None, "missing", None, "*")), ("--", ParsedValue(None, "missing", None, "--")),
    ("", ParsedValue(None, "missing", None, "")), (None, ParsedValue(None, "missing", None, "")),
    (float("nan"), ParsedValue(None, "missing", None, "")),
    ("当天质控不合格", ParsedValue(None, "missing", None, "当天质控不合格")),
    ("极值过滤", ParsedValue(None, "missing", None, "极值过滤")),
    ("1.25", ParsedValue(1.25, "", None, "1.25")), (3, ParsedValue(3.0, "", None, "3")),
    (0.5, ParsedValue(0.5, "", None, "0.5")), (" 7 ", ParsedValue(7.0, "", None, "7")),
    ("1,234.5", ParsedValue(1234.5, "", None, "1,234.5")), ("2e-3", ParsedValue(0.002, "", None, "2e-3")),
])
def test_marks(text, expected):
    assert parse_value(text) == expected


def test_missing_is_never_zero_and_notes_are_kept():
    for cell in ("*", "--", "", None, "当天质控不合格"):
        pv = parse_value(cell)
        assert pv.missing and pv.value is None and not pv.below_detection
    assert parse_value("当天质控不合格").note == "当天质控不合格" and parse_value("*").note == ""


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "-0.5", "0.02LL", "inf", "1_000", "1,5", "0x10", "L", "<", "<0",
                                 "0L", "超量程", True])
def test_bad_values_are_refused_in_chinese(bad):
    with pytest.raises(ValueParseError) as info:
        parse_value(bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.user_message)


def test_negative_allowed_only_when_asked():
    assert parse_value("-1.5", allow_negative=True).value == -1.5  # water temperature in ℃
    with pytest.raises(ValueParseError, match="negative"):
        parse_value("-0.01")


@given(parsed_values)
def test_format_parse_round_trip(pv):
    again = parse_value(format_value(pv))
    assert (again.value, again.qualifier, again.detection_limit) == (pv.value, pv.qualifier, pv.detection_limit)


@given(reported_cells)
def test_parse_format_parse_is_stable(cell):
    once = parse_value(cell)
    twice = parse_value(format_value(once))
    assert (twice.value, twice.qualifier, twice.detection_limit) == (once.value, once.qualifier, once.detection_limit)


def test_format_at_a_precision():
    assert format_value(parse_value("0.0250"), decimals=2) == "0.02"  # half to even
    assert format_value(ParsedValue(8.0), decimals=0) == "8" and format_value(ParsedValue(7.0), decimals=2) == "7.00"


@pytest.mark.parametrize("raw,decimals,shown", [
    # Pairs (raw tooltip → displayed) taken from shared/data/cnemc-realtime-2025: half to even, not half up.
    (0.025, 2, 0.02), (11.25, 1, 11.2), (11.35, 1, 11.4), (8.5, 0, 8.0), (6.5, 0, 6.0), (0.0545, 3, 0.054),
    (0.0215, 3, 0.022), (3.295, 2, 3.3), (737216.5, 0, 737216.0),
    (0.0251, 2, 0.03), (12.97, 1, 13.0), (-0.25, 1, -0.2), (1234.5, -1, 1230.0),
])
def test_round_report_is_gbt8170_half_even(raw, decimals, shown):
    assert round_report(raw, decimals) == shown


def test_lookup_by_code_name_alias_and_hj212():
    assert lookup_parameter("高锰酸盐指数").code == "CODMN" and lookup_parameter("CODMn").code == "CODMN"
    assert lookup_parameter("氨氮").code == lookup_parameter("NH3-N").code == lookup_parameter("nh3n_mg_l").code == "NH3N"
    assert lookup_parameter("氨氮(mg/L)").code == "NH3N" and lookup_parameter("总磷（以P计）").code == "TP"
    assert lookup_parameter(" 溶解氧 ").code == "DO" and lookup_parameter("叶绿素α").code == "CHLA"
    # HJ 212-2017 codes confirmed in standards.md §5.2
    hj = {"w01001": "PH", "w01009": "DO", "w01010": "WT", "w01012": "SS", "w01014": "COND", "w01017": "BOD5",
          "w01018": "COD", "w01019": "CODMN", "w21001": "TN", "w21003": "NH3N", "w21011": "TP", "w21016": "CN",
          "w21017": "F", "w21019": "S2", "w22001": "PETRO", "w23002": "VPHENOL", "w19002": "LAS", "w02003": "FCOLI",
          "w20117": "CR6", "w20111": "HG", "w20115": "CD", "w20120": "PB", "w20119": "AS", "w00000": "FLOW"}
    assert {k: lookup_parameter(k).code for k in hj} == hj


@pytest.mark.parametrize("unknown", ["奇怪指标", "", None, "NH3"])
def test_unknown_parameter_is_refused_in_chinese(unknown):
    with pytest.raises(ValueParseError) as info:
        lookup_parameter(unknown)
    assert info.value.user_message.startswith("未知监测指标")


def test_registry_covers_table1_and_the_station_items():
    reg = registry()
    assert set(EVALUATED) | set(REFERENCE) <= set(reg)
    assert {"COND", "TURB", "CHLA", "ALGAE", "SD", "FLOW", "SS"} <= set(reg)
    # reporting precision of the national release (2026 layout), measured on the shared data
    assert {c: reg[c].decimals for c in ("PH", "DO", "CODMN", "NH3N", "TP", "TN", "WT")} == {
        "PH": 2, "DO": 2, "CODMN": 2, "NH3N": 3, "TP": 3, "TN": 2, "WT": 1}
    assert all(p.decimals_source for p in reg.values())
    assert reg["PH"].unit == "dimensionless" and reg["FCOLI"].unit == "个/L"


def test_units():
    assert convert(20, "ug/L", "mg/L") == 0.02 and convert(20, "μg/L", "mg/L") == 0.02  # micro sign or Greek mu
    assert convert(0.005, "mg/L", "µg/L") == 5.0 and convert(3, "mg/m3", "µg/L") == 3.0  # mg/m³ = µg/L
    assert convert(1.5, "g/L", "mg/L") == 1500.0 and convert(12.3, "℃", "°C") == 12.3
    assert convert(7.2, "无量纲", "dimensionless") == 7.2 and convert(7.2, "", "dimensionless") == 7.2
    assert convert(35, "µg/L", "mg/L") == 0.035  # exact: a tie at 3 decimals stays a tie
    assert convert(50, "mS/m", "µS/cm") == 500.0 and convert(2, "MPN/100mL", "个/L") == 20.0
    assert math.isclose(convert(1, "m³/s", "m3/h"), 3600.0)
    for a, b in (("mg/L", "m3/s"), ("mg/L", "℃"), ("dimensionless", "mg/L")):
        with pytest.raises(ValueParseError, match="cannot convert"):
            convert(1, a, b)
    with pytest.raises(ValueParseError) as info:
        convert(1, "furlongs", "mg/L")
    assert info.value.user_message.startswith("未知单位")
    assert canonical_unit("MG/L") == "mg/L"
