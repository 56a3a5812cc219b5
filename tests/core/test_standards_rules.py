"""Hand-worked tests of GB 3838-2002 Table 1 and the 2011 national evaluation method.

Each case states the numbers: the limits are those of Table 1 (standards.md §1)."""

from __future__ import annotations

import numpy as np
import pytest

from outfall.core.enums import WaterClass
from outfall.core.standards import (
    assess_river,
    classify_array,
    classify_value,
    evaluate_sample,
    limit,
    period_mean,
)
from outfall.core.standards.assessment import proportion_status, trophic_grade
from outfall.core.standards.gb3838 import table

C = WaterClass


@pytest.mark.parametrize("code,value,expected", [
    ("NH3N", 0.15, "I"), ("NH3N", 0.16, "II"), ("NH3N", 0.5, "II"), ("NH3N", 1.0, "III"), ("NH3N", 1.5, "IV"),
    ("NH3N", 2.0, "V"), ("NH3N", 2.01, "劣V"),               # equal to a limit → the better class
    ("COD", 15, "I"), ("COD", 15.5, "III"),                   # I and II share 15: ≤ 15 is class I
    ("DO", 7.5, "I"), ("DO", 7.49, "II"), ("DO", 2.0, "V"), ("DO", 1.99, "劣V"),  # DO is a lower bound
    ("PH", 6.0, "I"), ("PH", 9.0, "I"), ("PH", 5.99, "劣V"), ("PH", 9.01, "劣V"),  # pH 6–9 or worse than V
    ("HG", 0.00005, "I"), ("HG", 0.0001, "III"), ("HG", 0.0011, "劣V"),
    ("FCOLI", 1e9, "劣V"), ("WT", 30.0, None),  # coliform graded (but not evaluated); WT never graded
])
def test_single_values(code, value, expected):
    got = classify_value(code, value)
    assert (got.value if got else None) == expected


def test_lake_tp_column_and_tn_for_lakes_only():
    # TP 0.06 mg/L: river class II (0.02 < 0.06 ≤ 0.1), lake class IV (0.05 < 0.06 ≤ 0.1)
    assert classify_value("TP", 0.06).value == "II"
    assert classify_value("TP", 0.06, water_type="lake").value == "IV"
    assert classify_value("TN", 1.2) is None
    assert classify_value("TN", 1.2, water_type="lake").value == "IV"


def test_vectorised_equals_scalar_and_nan_is_zero():
    vals = np.array([0.1, 0.15, 0.5, 1.0, 1.2, 2.0, 3.0, np.nan])
    ranks = classify_array("NH3N", vals)
    assert ranks.tolist() == [1, 1, 2, 3, 4, 5, 6, 0]
    assert classify_array("DO", np.array([8.0, 5.0, 1.0])).tolist() == [1, 3, 6]


def test_table_matches_the_reference_numbers():
    # a few cells checked against standards.md §1 by hand
    assert table()["NH3N"].values == (0.15, 0.5, 1.0, 1.5, 2.0)
    assert table()["TP_LAKE"].values == (0.01, 0.025, 0.05, 0.1, 0.2)
    assert table()["CN"].values == (0.005, 0.05, 0.2, 0.2, 0.2)
    assert limit("CODMN", "V") == 15 and limit("PH", "III") is None


def test_section_class_is_the_worst_and_tw_tn_fc_do_not_count():
    # NH3N 0.4 (II), TP 0.25 (IV), DO 6.2 (II); TN 5 and fecal coliform 1e6 are reference only
    e = evaluate_sample({"NH3N": 0.4, "TP": 0.25, "DO": 6.2, "TN": 5.0, "FCOLI": 1e6, "WT": 25})
    assert e.water_class == C.IV and e.limiting == ("TP",)
    assert e.exceedance == {"TP": 0.25}  # (0.25 − 0.2) / 0.2


def test_no_value_means_no_class():
    assert evaluate_sample({"TN": 3.0, "WT": 20}).water_class is None
    assert evaluate_sample({}).water_class is None


def test_worse_than_v_from_any_item_and_ph():
    assert evaluate_sample({"NH3N": 0.2, "PH": 9.5}).water_class == C.WORSE_V
    e = evaluate_sample({"NH3N": 0.2, "PH": 9.5, "DO": 1.0})
    assert e.exceedance == {}  # no multiple for pH and DO (§2.5)


def test_main_pollutants_only_worse_than_iii_and_metals_first():
    # class III: no main pollutants even though items are over class II
    assert evaluate_sample({"NH3N": 0.9, "TP": 0.18}).main_pollutants == ()
    # CODMn 12 (V, ×1.0), NH3N 1.8 (V, ×0.8), TP 0.35 (V, ×0.75), Pb 0.08 (V, ×0.6), COD 35 (V, ×0.75)
    e = evaluate_sample({"CODMN": 12, "NH3N": 1.8, "TP": 0.35, "PB": 0.08, "COD": 35})
    assert e.water_class == C.V
    assert e.main_pollutants == ("PB", "CODMN", "NH3N")  # lead first, then by multiple
    assert e.exceedance["CODMN"] == 1.0 and e.exceedance["PB"] == 0.6


def test_worst_class_ranks_before_the_multiple():
    # NH3N 2.5 is 劣V (×1.5); CODMn 14 is V but ×1.33; TP 0.31 V (×0.55)
    e = evaluate_sample({"NH3N": 2.5, "CODMN": 14, "TP": 0.31})
    assert e.main_pollutants == ("NH3N", "CODMN", "TP")


def test_compliance_against_target_and_target_multiple():
    e = evaluate_sample({"NH3N": 0.8}, target="II")  # III vs target II: fails
    assert e.water_class == C.III and e.compliant is False
    assert e.exceedance == {} and e.exceedance_target == {"NH3N": 0.6}  # (0.8 − 0.5)/0.5
    assert evaluate_sample({"NH3N": 0.8}, target="IV").compliant is True
    assert evaluate_sample({"NH3N": 0.8}, target="III").compliant is True  # equal to the target is 达标


def test_rounding_before_classifying():
    # NH3N 1.004 rounds to 1.00 (class III); 1.006 rounds to 1.01 (class IV); 1.005 → 1.00 (half to even)
    assert evaluate_sample({"NH3N": 1.004}).water_class == C.III
    assert evaluate_sample({"NH3N": 1.006}).water_class == C.IV
    assert evaluate_sample({"NH3N": 1.005}).water_class == C.III
    assert evaluate_sample({"NH3N": 1.006}, rounded=True).water_class == C.IV


def test_below_detection_is_not_zero():
    from outfall.core.standards import parse_value

    e = evaluate_sample({"VPHENOL": parse_value("0.002L"), "NH3N": 0.3})
    assert e.classes["VPHENOL"] == C.I  # evaluated at its limit 0.002 = class I limit
    assert period_mean([parse_value("0.02L"), 0.05]).value == pytest.approx(0.03)  # (0.01 + 0.05) / 2


def test_river_mean_method_under_five_sections():
    # 3 sections: NH3N mean (0.5 + 1.2 + 1.9)/3 = 1.2 → IV; TP mean 0.1 → II
    a = assess_river([{"NH3N": 0.5, "TP": 0.1}, {"NH3N": 1.2, "TP": 0.1}, {"NH3N": 1.9, "TP": 0.1}])
    assert a.method == "mean" and a.water_class == C.IV and a.status == "轻度污染"


def test_river_proportion_method_from_five_sections():
    # 5 sections: II, II, III, IV, 劣V → I–III 60 %, 劣V 20 % → 中度污染
    secs = [{"NH3N": 0.4}, {"NH3N": 0.3}, {"NH3N": 0.9}, {"NH3N": 1.4}, {"NH3N": 2.5}]
    a = assess_river(secs)
    assert (a.method, a.share_good, a.share_worse_v, a.status) == ("proportion", 60.0, 20.0, "中度污染")
    assert assess_river(secs, min_sections=6).method == "mean"


def test_status_thresholds_and_trophic_grades():
    assert proportion_status(89.9, 0) == "良好" and proportion_status(74.9, 40) == "重度污染"
    assert [trophic_grade(x) for x in (29.9, 30, 50, 50.1, 60.1, 70.1)] == [
        "贫营养", "中营养", "中营养", "轻度富营养", "中度富营养", "重度富营养"]
