"""Values and times the readings parser must refuse (issue #7 item 8): non-finite numbers,
implausible values for their parameter, times outside 1970 … now + 1 day."""

from __future__ import annotations

import datetime as dt

import pytest

from outfall.core.errors import RowErrors, ValueParseError
from outfall.core.standards.parameters import check_plausible, plausible_range, registry
from outfall.core.standards.readings_io import parse_time, read_reading_dicts
from outfall.core.standards.values import parse_value
from outfall.core.times import check_time_bounds


@pytest.mark.parametrize("cell", ["9" * 400, "9" * 400 + ".5", 10 ** 400, float("inf"), float("-inf"), "1e400",
                                  "-1e999", "<1e400", "1e400L", "ND(1e999)"])
def test_non_finite_values_are_refused(cell):
    with pytest.raises(ValueParseError) as exc:
        parse_value(cell, allow_negative=True)
    assert "有限数" in exc.value.user_message and len(exc.value.user_message) < 120


def test_every_parameter_has_a_finite_range_that_holds_ordinary_values():
    for code, p in registry().items():
        lo, hi = plausible_range(code)
        assert lo < hi < float("inf"), code
        assert plausible_range(p) == (lo, hi)
    assert plausible_range("PH") == (0, 14) and plausible_range("DO") == (0, 25) and plausible_range("WT") == (-5, 50)


@pytest.mark.parametrize(("code", "value", "dl"), [("PH", 14.01, None), ("PH", -0.1, None), ("DO", 25.5, None),
                                                   ("WT", 50.5, None), ("WT", -6, None), ("NH3N", 2e5, None),
                                                   ("TP", None, 1e6), ("COND", 3e5, None), ("SD", 150, None)])
def test_implausible_values_are_refused(code, value, dl):
    with pytest.raises(ValueParseError) as exc:
        check_plausible(code, value, detection_limit=dl)
    assert "合理范围" in exc.value.user_message and "plausible" in exc.value.user_message


def test_ordinary_values_pass():
    for code, value in (("PH", 0), ("PH", 14), ("DO", 12.3), ("WT", -1.5), ("NH3N", 0.0), ("FCOLI", 2.4e9),
                        ("COND", 52000), ("FLOW", 1200)):
        check_plausible(code, value)


def _item(**over):
    return {"site_code": "S1", "time": "2025-11-06 20:00", "parameter": "PH", "value": "7.1", **over}


def test_reading_rows_name_the_value_column():
    items = [_item(), _item(time="2025-11-06 21:00", value="15"), _item(time="2025-11-06 22:00", value="9" * 400),
             _item(time="2025-11-06 23:00", parameter="TP", value="200", unit="g/L"),  # 200,000 mg/L
             _item(time="2025-11-07 00:00", parameter="TP", value="25", unit="µg/L")]   # fine: 0.025 mg/L
    with pytest.raises(RowErrors) as exc:
        read_reading_dicts(items, name="push")
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "监测值"), (3, "监测值"), (4, "监测值")]


@pytest.mark.parametrize("cell", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00", "0001-01-01 00:00",
                                  "1969-12-31 23:59:59+00:00", dt.datetime(1899, 12, 30),
                                  dt.datetime.now(dt.UTC) + dt.timedelta(days=2)])
def test_times_outside_1970_to_tomorrow_are_refused(cell):
    with pytest.raises(ValueError) as exc:
        parse_time(cell)
    assert "1970" in str(exc.value) or "一天" in str(exc.value)


def test_time_bounds_edges():
    now = dt.datetime(2025, 11, 7, tzinfo=dt.UTC)
    assert check_time_bounds(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), now=now)
    assert check_time_bounds(now + dt.timedelta(days=1), now=now)
    with pytest.raises(ValueError):
        check_time_bounds(now + dt.timedelta(days=1, seconds=1), now=now)
    tz8 = dt.timezone(dt.timedelta(hours=8))
    assert check_time_bounds(dt.datetime(1970, 1, 1, 8, tzinfo=tz8), now=now)
    with pytest.raises(ValueError):
        check_time_bounds(dt.datetime(1970, 1, 1, 7, 59, tzinfo=tz8), now=now)


def test_an_empty_network_validates_without_error():
    """The network report of a database with no reaches (found by the API schema fuzz test)."""
    from outfall.core.network import validate

    report = validate([]).as_dict()
    assert report["reaches"] == 0 and [i["kind"] for i in report["issues"]] == ["empty"]
    assert "outfall import rivers" in report["issues"][0]["message"]
