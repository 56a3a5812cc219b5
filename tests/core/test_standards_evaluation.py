"""The single-factor evaluation of a sample (环办〔2011〕22号 §2.3–2.5, §2.10), hand-worked.

Limits from GB 3838-2002 Table 1; class III limits used for multiples: CODMn 6, COD 20, BOD5 4,
NH3N 1.0, TP 0.2 (lake 0.05), Pb 0.05, Hg 0.0001, CN 0.2, VPHENOL 0.005."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.enums import WaterClass
from outfall.core.standards import evaluate_sample, exceedance_multiple, parse_value, period_mean
from outfall.core.standards.values import ParsedValue

C = WaterClass


def test_class_is_the_worst_and_reference_items_do_not_count():
    # NH3N 0.4 (II), TP 0.25 (IV: 0.2 < 0.25 ≤ 0.3), DO 6.2 (II); TN 5, fecal coliform 1e6 and WT are reference only
    e = evaluate_sample({"NH3N": 0.4, "TP": 0.25, "DO": 6.2, "TN": 5.0, "FCOLI": 1e6, "WT": 25, "COND": 800})
    assert e.water_class == C.IV and e.limiting == ("TP",) and e.status == "轻度污染"
    assert e.exceedance == {"TP": 0.25}  # (0.25 − 0.2) / 0.2
    assert set(e.classes) == {"NH3N", "TP", "DO"}


def test_no_evaluated_value_means_no_class():
    for values in ({"TN": 3.0, "WT": 20}, {}, {"NH3N": None, "TP": "*", "DO": "当天质控不合格"}, {"NH3N": "ND"}):
        e = evaluate_sample(values, target="III")
        assert e.water_class is None and e.limiting == () and e.compliant is None and e.status is None


def test_worse_than_v_from_any_item_and_ph_do_get_no_multiple():
    # pH 9.5 is outside 6–9: 劣V; DO 1.0 < 2: 劣V; NH3N 0.2 is II
    e = evaluate_sample({"NH3N": 0.2, "PH": 9.5, "DO": 1.0})
    assert e.water_class == C.WORSE_V and e.limiting == ("PH", "DO")
    assert e.exceedance == {} and e.exceedance_target == {}  # §2.5: none for WT, pH and DO
    assert e.main_pollutants == ("PH", "DO")  # still the items worse than III


def test_lake_uses_the_lake_tp_column():
    # TP 0.06: river II; lake IV with (0.06 − 0.05)/0.05 = 0.2 over lake class III
    assert evaluate_sample({"TP": 0.06}).water_class == C.II
    e = evaluate_sample({"TP": 0.06, "TN": 1.8}, water_type="lake")
    assert e.water_class == C.IV and e.exceedance == {"TP": 0.2} and "TN" not in e.classes  # TN not evaluated


def test_main_pollutants_only_worse_than_iii_and_metals_first():
    # class III: no main pollutants even though items are over class II
    assert evaluate_sample({"NH3N": 0.9, "TP": 0.18}).main_pollutants == ()
    # CODMn 12 (V, ×(12−6)/6 = 1.0), NH3N 1.8 (V, ×0.8), TP 0.35 (V, ×0.75), Pb 0.08 (V, ×0.6), COD 35 (V, ×0.75)
    e = evaluate_sample({"CODMN": 12, "NH3N": 1.8, "TP": 0.35, "PB": 0.08, "COD": 35})
    assert e.water_class == C.V
    assert e.main_pollutants == ("PB", "CODMN", "NH3N")  # lead first, then by multiple
    assert e.exceedance == {"CODMN": 1.0, "COD": 0.75, "NH3N": 0.8, "TP": 0.75, "PB": 0.6}


def test_heavy_metal_first_even_at_a_better_class():
    # Hg 0.0005 is IV (0.0001 < 0.0005 ≤ 0.001, ×4.0); NH3N 2.5 is 劣V (×1.5), TP 0.5 劣V (×1.5), CODMn 16 劣V
    e = evaluate_sample({"HG": 0.0005, "NH3N": 2.5, "TP": 0.5, "CODMN": 16})
    assert e.water_class == C.WORSE_V and e.main_pollutants[0] == "HG"
    # then the worst class, ties by multiple: CODMn ×(16−6)/6 = 1.67 before NH3N and TP at ×1.5
    assert e.main_pollutants == ("HG", "CODMN", "NH3N")


def test_worst_class_ranks_before_the_multiple():
    # NH3N 2.5 is 劣V (×1.5); CODMn 14 is V but ×1.33; TP 0.31 V (×0.55)
    e = evaluate_sample({"NH3N": 2.5, "CODMN": 14, "TP": 0.31})
    assert e.main_pollutants == ("NH3N", "CODMN", "TP")


def test_at_most_three_main_pollutants():
    e = evaluate_sample({"NH3N": 2.5, "CODMN": 14, "TP": 0.31, "COD": 35, "BOD5": 8})
    assert len(e.main_pollutants) == 3


def test_compliance_against_target_and_target_multiple():
    e = evaluate_sample({"NH3N": 0.8}, target="II")  # III vs target II: fails
    assert e.water_class == C.III and e.compliant is False
    assert e.exceedance == {} and e.exceedance_target == {"NH3N": 0.6}  # (0.8 − 0.5)/0.5
    assert evaluate_sample({"NH3N": 0.8}, target="IV").compliant is True
    assert evaluate_sample({"NH3N": 0.8}, target=C.III).compliant is True  # equal to the target is 达标
    # target I: COD 15 is class I (I and II share 15) → compliant, no multiple
    assert evaluate_sample({"COD": 15}, target="I").compliant is True
    assert evaluate_sample({"NH3N": 3.0}, target="劣V").exceedance_target == {}  # no limit for 劣V


def test_rounding_to_the_registry_precision_before_classifying():
    # NH3N to 3 decimals: 1.0004 → 1.000 III; 1.0006 → 1.001 IV; 1.0005 → 1.000 (half to even) III
    assert evaluate_sample({"NH3N": 1.0004}).water_class == C.III
    assert evaluate_sample({"NH3N": 1.0006}).water_class == C.IV
    assert evaluate_sample({"NH3N": 1.0005}).water_class == C.III
    assert evaluate_sample({"NH3N": 1.0005}, rounded=True).water_class == C.IV  # published values: as they are
    # the 2025 release precision (NH3N 2 decimals): 1.004 → 1.00 III
    assert evaluate_sample({"NH3N": 1.004}, decimals={"NH3N": 2}).water_class == C.III
    # the multiple is computed on the rounded value: CODMn 7.004 → 7.00 → (7 − 6)/6 = 0.17
    assert evaluate_sample({"CODMN": 7.004}).exceedance == {"CODMN": 0.17}
    assert evaluate_sample({"CODMN": 7.004}).values == {"CODMN": 7.0}


def test_below_detection_is_classified_at_its_limit_and_never_zero():
    # volatile phenol 0.002L: at its limit 0.002 = the class I limit → I, exact since the limit is that low
    e = evaluate_sample({"VPHENOL": parse_value("0.002L"), "NH3N": 0.3})
    assert e.classes["VPHENOL"] == C.I and e.censored == ("VPHENOL",) and e.water_class == C.II
    assert not e.class_is_upper_bound


def test_a_detection_limit_above_class_i_gives_an_upper_bound_only():
    # Cd by flame AAS: "0.05L" — the true value is below 0.05, class V limit 0.01 < 0.05: classified 劣V at
    # most, but the class is only an upper bound, no multiple and no main pollutant (not proven to exceed).
    e = evaluate_sample({"CD": "0.05L", "NH3N": 0.3})
    assert e.water_class == C.WORSE_V and e.limiting == ("CD",) and e.class_is_upper_bound
    assert e.exceedance == {} and e.main_pollutants == ()
    # ND without a limit proves nothing: no class from it
    assert evaluate_sample({"CD": "ND", "NH3N": 0.3}).classes.keys() == {"NH3N"}


def test_values_as_strings_floats_or_parsed():
    a = evaluate_sample({"NH3N": "1.3", "TP": ParsedValue(0.15), "DO": 6.5})
    b = evaluate_sample({"NH3N": 1.3, "TP": 0.15, "DO": "6.5"})
    assert a.water_class == b.water_class == C.IV and a.exceedance == b.exceedance == {"NH3N": 0.3}


def test_exceedance_multiple_formula():
    # (C − limit) / limit to 2 decimals: (1.3 − 1)/1 = 0.3, (2.45 − 1)/1 = 1.45, (0.0005 − 0.0001)/0.0001 = 4
    assert exceedance_multiple(1.3, 1.0) == 0.3 and exceedance_multiple(2.45, 1.0) == 1.45
    assert exceedance_multiple(0.0005, 0.0001) == 4.0
    assert exceedance_multiple(1.0, 1.0) is None and exceedance_multiple(None, 1.0) is None


def test_period_mean_and_the_below_detection_rule():
    # (0.02/2 + 0.05)/2 = 0.03; missing values skipped; every value below detection → "<largest limit"
    assert period_mean([parse_value("0.02L"), 0.05]).value == pytest.approx(0.03)
    assert period_mean([1.0, 2.0, None, "*", "当天质控不合格"]).value == 1.5
    all_below = period_mean(["0.02L", "0.05L", "ND"])
    assert all_below.below_detection and all_below.detection_limit == 0.05
    assert period_mean([]).missing and period_mean(["*", None]).missing
    assert period_mean(["0.02L", 0.05], below_detection_factor=0).value == pytest.approx(0.025)  # configurable
    assert period_mean(["ND", 0.05]).value == 0.05  # no limit: cannot be averaged in


def test_period_mean_then_evaluate():
    # NH3N over a month: 0.9, 1.2, 1.5 → mean 1.2 → IV, ×0.2
    e = evaluate_sample({"NH3N": period_mean([0.9, 1.2, 1.5])})
    assert e.water_class == C.IV and e.exceedance == {"NH3N": 0.2}


@given(st.dictionaries(st.sampled_from(["NH3N", "TP", "CODMN", "DO", "PH", "COD"]),
                       st.floats(0, 30, allow_nan=False), min_size=1))
def test_class_is_the_worst_item_class(values):
    e = evaluate_sample(values)
    assert e.water_class.rank == max(c.rank for c in e.classes.values())
    assert all(e.classes[k] == e.water_class for k in e.limiting)
    assert all(e.classes[k].rank > 3 for k in e.main_pollutants) and len(e.main_pollutants) <= 3
    assert all(m > 0 for m in e.exceedance.values())


_stored_rows = st.lists(st.one_of(
    st.tuples(st.floats(0, 100, allow_nan=False), st.just(""), st.none()),
    st.tuples(st.none(), st.just("<"), st.one_of(st.none(), st.floats(0, 1, allow_nan=False))),
    st.tuples(st.floats(0, 1, allow_nan=False), st.just("<"), st.floats(0, 1, allow_nan=False)),
    st.tuples(st.one_of(st.none(), st.just(float("inf")), st.just(float("nan"))), st.sampled_from(["", "missing"]),
              st.none())), max_size=12)


@given(_stored_rows)
def test_counted_value_is_each_rows_share_of_period_mean(rows):
    """One rule for a stored reading: the alerts' and the tracer's counted values average to the
    tables' period_mean whenever a value was measured."""
    from outfall.core.standards import counted_value
    from outfall.core.standards.evaluation import stored_value

    counted = [c for c in (counted_value(*r) for r in rows) if c is not None]
    pm = period_mean([stored_value(*r) for r in rows])
    if any(q == "" and v is not None and math.isfinite(v) for v, q, _ in rows):
        assert pm.value == pytest.approx(sum(counted) / len(counted))
    elif not counted:
        assert pm.missing
