"""Field inspection rules (outfall.core.inspections): observations, position, flow units and quick
tests, with hand-worked values (1 L/s = 86.4 m³/d; 0.001° of latitude ≈ 111.2 m)."""

from __future__ import annotations

import datetime as dt

import pytest

from outfall.core.inspections import InspectionErrors, check_inspection, distance_m, parse_quick_tests

NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


def fields(exc) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_minimal_inspection_takes_defaults():
    c = check_inspection({"discharging": "unknown"}, now=NOW)
    assert (c.colour, c.odour, c.foam, c.inspected_at, c.flow_m3_d, c.lon) == ("none", "none", "none", NOW, None, None)


@pytest.mark.parametrize(("value", "unit", "m3_d"), [("1", "L/s", 86.4), ("2.5", "l/s", 216.0), ("300", "m³/d", 300.0),
                                                      ("0", "m3/d", 0.0)])
def test_flow_is_kept_as_stated_and_in_m3_per_day(value, unit, m3_d):
    c = check_inspection({"discharging": "yes", "flow_value": value, "flow_unit": unit}, now=NOW)
    assert c.flow_value == float(value) and c.flow_m3_d == pytest.approx(m3_d) and c.flow_unit in ("L/s", "m3/d")


def test_every_problem_is_named_at_once():
    with pytest.raises(InspectionErrors) as exc:
        check_inspection({"discharging": "maybe", "colour": "x", "flow_value": "-1", "lon": "200", "lat": "36.9",
                          "accuracy_m": "abc", "open_case": "on", "inspected_at": "yesterday"}, now=NOW)
    assert fields(exc) == {"discharging", "colour", "flow_value", "lon", "accuracy_m", "finding", "inspected_at"}


@pytest.mark.parametrize(("raw", "field"), [
    ({"discharging": "yes", "flow_value": "3"}, "flow_unit"),
    ({"discharging": "yes", "flow_value": "3", "flow_unit": "mg/L"}, "flow_unit"),
    ({"discharging": "no", "flow_value": "3", "flow_unit": "L/s"}, "flow_value"),
    ({"discharging": "yes", "flow_value": "nan", "flow_unit": "L/s"}, "flow_value"),
    ({"discharging": "yes", "flow_value": "20000", "flow_unit": "L/s"}, "flow_value"),  # 1.7 million m³/d
    ({"discharging": "yes", "lat": "36.9"}, "lon"),
    ({"discharging": "yes", "inspected_at": "2026-12-07T08:00"}, "inspected_at"),  # no offset
    ({"discharging": "yes", "inspected_at": "2026-12-07T06:30+00:00"}, "inspected_at"),  # 30 min ahead
    ({"discharging": "yes", "inspected_at": "2025-01-01T00:00+08:00"}, "inspected_at"),  # > 1 year ago
    ({"discharging": "yes", "notes": "x" * 2001}, "notes"),
])
def test_refusals(raw, field):
    with pytest.raises(InspectionErrors) as exc:
        check_inspection(raw, now=NOW)
    assert field in fields(exc)


def test_a_phone_clock_slightly_ahead_is_accepted():
    t = NOW + dt.timedelta(minutes=5)
    assert check_inspection({"discharging": "yes", "inspected_at": t.isoformat()}, now=NOW).inspected_at == t


def test_distance_to_the_ledger_position():
    assert distance_m(120.5, 36.9, 120.5, 36.901) == pytest.approx(111.2, abs=0.1)
    assert distance_m(None, None, 120.5, 36.9) is None


def test_quick_tests_become_field_readings_in_registry_units():
    recs = parse_quick_tests([{"parameter": "氨氮", "value": "3.2"}, {"parameter": "", "value": ""},
                              {"parameter": "TP", "value": "20", "unit": "µg/L"},
                              {"parameter": "COD", "value": "<10"}], site_code="P1", time=NOW)
    assert [(r.parameter, r.value.value, r.value.qualifier, r.unit, r.source, r.time, r.site_code) for r in recs] == [
        ("NH3N", 3.2, "", "mg/L", "field", NOW, "P1"), ("TP", pytest.approx(0.02), "", "mg/L", "field", NOW, "P1"),
        ("COD", None, "<", "mg/L", "field", NOW, "P1")]


@pytest.mark.parametrize(("rows", "field"), [
    ([{"parameter": "NH3N", "value": "abc"}], "quick_tests[1].value"),
    ([{"parameter": "", "value": "3"}], "quick_tests[1].parameter"),
    ([{"parameter": "NH3N", "value": ""}], "quick_tests[1].value"),
    ([{"parameter": "NH3N", "value": "1"}, {"parameter": "氨氮", "value": "1"}], "quick_tests[2].parameter"),
    ([{}, {"parameter": "PH", "value": "15"}], "quick_tests[2].value"),  # outside pH 0–14
    ([{"parameter": "NH3N", "value": "-1"}], "quick_tests[1].value"),
    ([{"parameter": "NH3N", "value": "1"}] * 21, "quick_tests"),
])
def test_quick_test_refusals_name_row_and_column(rows, field):
    with pytest.raises(InspectionErrors) as exc:
        parse_quick_tests(rows, site_code="P1", time=NOW)
    assert field in fields(exc)
