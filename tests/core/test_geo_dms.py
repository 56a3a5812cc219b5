"""Issue #7 item 11: coordinates in degrees-minutes-seconds as clerks type them (core.geo.parse_degrees)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.geo import format_dms, parse_degrees

# 120°26'30.5" = 120 + 26/60 + 30.5/3600, worked by hand.
EXPECTED = 120 + 26 / 60 + 30.5 / 3600


@pytest.mark.parametrize("text", [
    "120°26'30.5\"", "120°26′30.5″", "120度26分30.5秒", "120 26 30.5", "120:26:30.5", "120°26’30.5”",
    "120º26'30.5''", "E120°26'30.5\"", "120°26'30.5\"E", "东经120°26′30.5″", " 120 ° 26 ′ 30.5 ″ ",
    "１２０°２６′３０．５″", "120°26.508333333333′",
])
def test_the_ways_clerks_write_one_longitude(text):
    assert parse_degrees(text) == pytest.approx(EXPECTED, abs=1e-9)


@pytest.mark.parametrize("text, value", [
    ("120.4418", 120.4418), ("36°52′N", 36 + 52 / 60), ("36°52′S", -(36 + 52 / 60)), ("-120 30", -120.5),
    ("西经120°30′", -120.5), ("120°", 120.0), ("120度", 120.0), (120.5, 120.5),
])
def test_hemispheres_signs_and_partial_forms(text, value):
    assert parse_degrees(text) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("text, why", [
    ("abc", "不是数字或度分秒经纬度"), ("120°60′", "分、秒应小于 60"), ("120°26′61″", "分、秒应小于 60"),
    ("120.5°26′", "只有最后一项可带小数"), ("120°26′30″40", "不是数字或度分秒经纬度"), ("", "不是数字或度分秒经纬度"),
    ("26′30″120°", "不是数字或度分秒经纬度"), ("120 26 30 5", "不是数字或度分秒经纬度"),
])
def test_malformed_values_are_refused_with_a_reason(text, why):
    with pytest.raises(ValueError, match=why):
        parse_degrees(text)


@given(st.floats(min_value=-180, max_value=180, allow_nan=False), st.sampled_from(["symbols", "ascii", "chinese",
                                                                                   "spaces"]))
def test_format_then_parse_round_trips_to_the_printed_precision(deg, style):
    # Seconds printed with 2 decimals: the round trip is exact to 0.005″ (about 15 cm).
    assert parse_degrees(format_dms(deg, style=style)) == pytest.approx(deg, abs=0.005 / 3600 + 1e-12)
