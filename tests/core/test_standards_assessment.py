"""Rivers, basins, lakes and trends (环办〔2011〕22号 §2.5, 2.7–2.9), hand-worked."""

from __future__ import annotations

import math

import pytest

from outfall.core.enums import WaterClass
from outfall.core.standards import (
    assess_lake,
    assess_proportions,
    assess_river,
    grade_change,
    proportion_status,
    proportion_trend,
    spearman_trend,
    tli,
    trophic_grade,
)

C = WaterClass


def test_river_mean_method_under_five_sections():
    # 3 sections: NH3N mean (0.5 + 1.2 + 1.9)/3 = 1.2 → IV; TP mean 0.1 → II
    a = assess_river([{"NH3N": 0.5, "TP": 0.1}, {"NH3N": 1.2, "TP": 0.1}, {"NH3N": 1.9, "TP": 0.1}])
    assert a.method == "mean" and a.water_class == C.IV and a.status == "轻度污染" and a.n_sections == 3
    assert a.evaluation.exceedance == {"NH3N": 0.2} and a.main_pollutants == ("NH3N",)


def test_river_mean_method_averages_only_sections_with_the_item():
    # TP only at two of four sections: (0.1 + 0.3)/2 = 0.2 → III (not divided by 4)
    a = assess_river([{"TP": 0.1, "NH3N": 0.1}, {"TP": 0.3}, {"NH3N": 0.1}, {"NH3N": "0.02L"}])
    assert a.evaluation.values["TP"] == 0.2 and a.water_class == C.III


def test_river_proportion_method_from_five_sections():
    # 5 sections: II, II, III, IV, 劣V → I–III 3/5 = 60 %, 劣V 1/5 = 20 % → 中度污染 (G < 75, 20 ≤ D < 40)
    secs = [{"NH3N": 0.4}, {"NH3N": 0.3}, {"NH3N": 0.9}, {"NH3N": 1.4}, {"NH3N": 2.5}]
    a = assess_river(secs)
    assert (a.method, a.share_good, a.share_worse_v, a.status) == ("proportion", 60.0, 20.0, "中度污染")
    assert a.shares == {"I": 0.0, "II": 40.0, "III": 20.0, "IV": 20.0, "V": 0.0, "劣V": 20.0}
    # main pollutants by section exceedance rate: NH3N worse than III at 2 of 5 sections = 40 %
    assert a.exceedance_rates == {"NH3N": 40.0} and a.main_pollutants == ("NH3N",)
    assert assess_river(secs, min_sections=6).method == "mean"  # the threshold is configurable


def test_river_main_pollutants_by_exceedance_rate_and_none_when_good():
    # 6 sections; TP worse than III at 3 (50 %), NH3N at 2 (33.3 %), CODMn at 1 (16.7 %): I–III 3/6 → 轻度污染
    ok = {"TP": 0.1, "NH3N": 0.5, "CODMN": 3}
    secs = [{"TP": 0.35, "NH3N": 1.8, "CODMN": 3}, {"TP": 0.35, "NH3N": 1.8, "CODMN": 3},
            {"TP": 0.35, "NH3N": 0.5, "CODMN": 8}, ok, ok, ok]
    a = assess_river(secs)
    assert a.status == "轻度污染" and a.main_pollutants == ("TP", "NH3N", "CODMN")
    assert a.exceedance_rates["TP"] == 50.0 and a.exceedance_rates["NH3N"] == 33.3
    # 9 of 10 sections class II: 优, no main pollutants though one section is IV
    good = [{"TP": 0.05}] * 9 + [{"TP": 0.25}]
    b = assess_river(good)
    assert b.status == "优" and b.main_pollutants == () and b.exceedance_rates == {"TP": 10.0}


@pytest.mark.parametrize("good,worse,status", [
    (90, 0, "优"), (89.9, 0, "良好"), (75, 10, "良好"), (74.9, 19.9, "轻度污染"), (74.9, 20, "中度污染"),
    (50, 39.9, "中度污染"), (50, 40, "重度污染"),
])
def test_status_thresholds(good, worse, status):
    assert proportion_status(good, worse) == status


def test_proportions_leave_out_sections_without_class():
    a = assess_proportions(["II", None, "III", "劣V", C.I])
    assert a.n_sections == 4 and a.share_good == 75.0 and a.share_worse_v == 25.0 and a.status == "良好"
    assert assess_proportions([None, None]).status is None


def test_tli_hand_worked():
    # TLI(chl) = 10(2.5 + 1.086 ln 10) = 50.01; TLI(TP 0.05) = 10(9.436 + 1.624 ln 0.05) = 45.71;
    # TLI(TN 1) = 54.53; TLI(SD 1) = 51.18; TLI(CODMn 4) = 10(0.109 + 2.661 ln 4) = 37.98;
    # weights r² / Σr²: 1, 0.7056, 0.6724, 0.6889, 0.6889 over 3.7558 → 48.02
    assert tli({"CHLA": 10, "TP": 0.05, "TN": 1.0, "SD": 1.0, "CODMN": 4.0}) == pytest.approx(48.02, abs=0.005)
    # chl-a alone: TLI = TLI(chl)
    assert tli({"CHLA": 10}) == pytest.approx(10 * (2.5 + 1.086 * math.log(10)))
    # in the registry unit (mg/L) with chla_unit
    assert tli({"CHLA": 0.01, "TP": 0.05}, chla_unit="mg/L") == pytest.approx(tli({"CHLA": 10, "TP": 0.05}))
    with pytest.raises(ValueError):
        tli({"TP": 0.05})


def test_trophic_grades():
    assert [trophic_grade(x) for x in (29.9, 30, 50, 50.1, 60, 60.1, 70, 70.1)] == [
        "贫营养", "中营养", "中营养", "轻度富营养", "轻度富营养", "中度富营养", "中度富营养", "重度富营养"]


def test_lake_time_then_space_means_and_lake_tp():
    # point A: TP 0.02, 0.04 → 0.03; point B: TP 0.07 → lake mean 0.05 → lake class III (≤ 0.05), river II
    a = assess_lake([[{"TP": 0.02, "CHLA": 0.01}, {"TP": 0.04, "CHLA": 0.01}], {"TP": 0.07, "CHLA": 0.01}],
                    target="II")
    assert a.evaluation.water_class == C.III and a.evaluation.compliant is False
    assert a.means["TP"].value == pytest.approx(0.05)
    # TLI: chl-a 10 mg/m³ → 50.01; TP 0.05 → 45.71: (50.01 + 0.7056 × 45.71)/1.7056 = 48.23 → 中营养
    assert a.tli == pytest.approx(48.23, abs=0.01) and a.trophic == "中营养"
    assert assess_lake([{"TP": 0.02}]).tli is None


@pytest.mark.parametrize("before,after,word", [
    ("良好", "良好", "无明显变化"), ("良好", "轻度污染", "有所变差"), ("轻度污染", "良好", "有所好转"),
    ("中度污染", "良好", "明显好转"), ("优", "重度污染", "明显变差"),
    (C.I, C.II, "无明显变化"), (C.II, C.III, "有所变差"), (C.WORSE_V, C.III, "明显好转"),
])
def test_grade_change(before, after, word):
    assert grade_change(before, after) == word


@pytest.mark.parametrize("args,word", [
    ((70, 10, 95, 0), "明显好转"),   # ΔG 25 − ΔD (−10) = 35 > 20
    ((80, 0, 70, 5), "有所变差"),    # −10 − 5 = −15: 10 < 15 ≤ 20
    ((80, 0, 75, 2), "无明显变化"),  # −5 − 2 = −7, within 10
    ((60, 20, 80, 20), "有所好转"),  # 20 − 0 = 20: over 10, not over 20
    ((60, 20, 70, 20), "无明显变化"),  # exactly 10: within 10
])
def test_proportion_trend(args, word):
    assert proportion_trend(*args) == word


def test_proportion_trend_bands_are_parameters():
    assert proportion_trend(80, 0, 75, 2, no_change_within=0) == "有所变差"
    assert proportion_trend(70, 10, 95, 0, marked_above=40) == "有所好转"


def test_spearman_trend():
    rising = spearman_trend([1.0, 1.2, 1.1, 1.5, 1.9, 2.4])
    assert rising.trend == "上升" and rising.rho == pytest.approx(0.9429, abs=1e-4) and rising.p < 0.05
    assert spearman_trend([3, 2, 1, 0.5, 0.2]).trend == "下降"
    assert spearman_trend([1, 3, 2, 3, 1, 2]).trend == "无显著趋势"
    assert spearman_trend([1, 2, None]).trend == "数据不足"
    assert spearman_trend([2, 2, 2, 2, 2]).trend == "无显著趋势"
    # None keeps its place in time: times 0, 2, 3, 4, 5
    t = spearman_trend([1.0, None, 1.1, 1.3, 1.6, 2.0])
    assert t.trend == "上升" and t.rho == pytest.approx(1.0)
    assert spearman_trend([5, 4, 3, 2], times=[2021, 2022, 2023, 2024]).rho == pytest.approx(-1.0)
