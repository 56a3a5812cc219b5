"""Parsing reported values and units; property tests: round trip, monotone classes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import parsed_values, positive_floats

from outfall.core.errors import ValueParseError
from outfall.core.standards import classify_value, convert, format_value, lookup_parameter, parse_value
from outfall.core.standards.values import ParsedValue


@pytest.mark.parametrize("text,expected", [
    ("0.02L", ParsedValue(None, "<", 0.02, "0.02L")), ("<0.01", ParsedValue(None, "<", 0.01, "<0.01")),
    ("ND", ParsedValue(None, "<", None, "ND")), ("未检出", ParsedValue(None, "<", None, "未检出")),
    ("*", ParsedValue(None, "missing", None, "*")), ("--", ParsedValue(None, "missing", None, "--")),
    ("", ParsedValue(None, "missing", None, "")), ("当天质控不合格", ParsedValue(None, "missing", None, "当天质控不合格")),
    ("1.25", ParsedValue(1.25, "", None, "1.25")), (3, ParsedValue(3.0, "", None, "3")),
])
def test_marks(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "-0.5", "0.02LL", "NaN", "inf"])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValueParseError):
        parse_value(bad)


def test_negative_allowed_only_when_asked():
    assert parse_value("-1.5", allow_negative=True).value == -1.5


def test_parameters_and_units():
    assert lookup_parameter("高锰酸盐指数").code == "CODMN"
    assert lookup_parameter("w21003").code == "NH3N"
    with pytest.raises(ValueParseError):
        lookup_parameter("奇怪指标")
    assert convert(20, "ug/L", "mg/L") == pytest.approx(0.02)
    with pytest.raises(ValueParseError):
        convert(1, "mg/L", "m3/s")
    with pytest.raises(ValueParseError):
        convert(1, "furlongs", "mg/L")


@given(parsed_values)
def test_format_parse_round_trip(pv):
    again = parse_value(format_value(pv))
    assert (again.value, again.qualifier, again.detection_limit) == (pv.value, pv.qualifier, pv.detection_limit)


@given(st.sampled_from(["NH3N", "TP", "CODMN", "COD", "BOD5", "HG", "CN", "F"]), positive_floats, positive_floats)
def test_higher_concentration_never_better_class(code, a, b):
    lo, hi = sorted((a, b))
    assert classify_value(code, hi).rank >= classify_value(code, lo).rank


@given(positive_floats, positive_floats)
def test_do_is_monotone_the_other_way(a, b):
    lo, hi = sorted((a, b))
    assert classify_value("DO", hi).rank <= classify_value("DO", lo).rank
