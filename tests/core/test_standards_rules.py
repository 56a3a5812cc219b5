"""GB 3838-2002 Table 1 and the class of a value: hand-worked cases, the table against its reference,
the vectorised path against the scalar one, rounding, and monotonicity.

The limits quoted in comments are those of Table 1 (shared/reference/standards.md §1)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from conftest_shared import shared_reference
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimal_places, near_limits, positive_floats, upper_bound_codes

from outfall.core.enums import WaterClass
from outfall.core.standards import (
    EVALUATED,
    REFERENCE,
    classify_array,
    classify_value,
    limit,
    registry,
    round_report,
)
from outfall.core.standards.gb3838 import table, thresholds

C = WaterClass


@pytest.mark.parametrize("code,value,expected", [
    ("NH3N", 0.15, "I"), ("NH3N", 0.16, "II"), ("NH3N", 0.5, "II"), ("NH3N", 1.0, "III"), ("NH3N", 1.5, "IV"),
    ("NH3N", 2.0, "V"), ("NH3N", 2.01, "劣V"),               # equal to a limit → the better class
    ("NH3N", 0.0, "I"),
    ("COD", 15, "I"), ("COD", 15.5, "III"),                   # I and II share 15: ≤ 15 is class I, never II
    ("BOD5", 3, "I"), ("BOD5", 3.1, "III"),                   # the same for BOD5 (3, 3, 4)
    ("CU", 0.5, "II"), ("CU", 1.0, "II"), ("CU", 1.01, "劣V"),  # Cu II–V all 1.0: over 1.0 is worse than V
    ("DO", 7.5, "I"), ("DO", 7.49, "II"), ("DO", 2.0, "V"), ("DO", 1.99, "劣V"),  # DO is a lower bound (≥)
    ("DO", 12.0, "I"), ("DO", 0.0, "劣V"),
    ("PH", 6.0, "I"), ("PH", 9.0, "I"), ("PH", 5.99, "劣V"), ("PH", 9.01, "劣V"),  # pH 6–9 or worse than V
    ("HG", 0.00005, "I"), ("HG", 0.0001, "III"), ("HG", 0.0011, "劣V"),
    ("TP", 0.02, "I"), ("TP", 0.4, "V"), ("TP", 0.41, "劣V"),
    ("FCOLI", 1e9, "劣V"), ("FCOLI", 200, "I"),               # coliform is graded (but not evaluated)
    ("WT", 30.0, None), ("TN", 3.0, None),                    # WT never graded; TN only for lakes
    ("NH3N", None, None), ("NH3N", float("nan"), None),
])
def test_single_values(code, value, expected):
    got = classify_value(code, value)
    assert (got.value if got else None) == expected


def test_lake_tp_column_and_tn_for_lakes_only():
    # TP 0.06 mg/L: river class II (0.02 < 0.06 ≤ 0.1), lake class IV (0.05 < 0.06 ≤ 0.1)
    assert classify_value("TP", 0.06).value == "II"
    assert classify_value("TP", 0.06, water_type="lake").value == "IV"
    assert classify_value("TP", 0.01, water_type="lake").value == "I"
    assert classify_value("TP", 0.21, water_type="lake").value == "劣V"  # lake V limit 0.2
    assert classify_value("TN", 1.2) is None
    assert classify_value("TN", 1.2, water_type="lake").value == "IV"  # 1.0 < 1.2 ≤ 1.5


def test_every_limit_belongs_to_the_best_class_that_allows_it():
    # For each limit L_k the class is the best j whose limit admits L_k (≤ for upper bounds, ≥ for DO):
    # COD 15 → I (not II), CU 1.0 → II, HG 0.00005 → I, DO 2 → V.
    for code, lim in table().items():
        if not lim.values or code == "TP_LAKE":
            continue
        for v in lim.values:
            if lim.direction == "min":
                best = min(j for j, lj in enumerate(lim.values, 1) if v >= lj)
            else:
                best = min(j for j, lj in enumerate(lim.values, 1) if v <= lj)
            wt = "lake" if code == "TN" else "river"
            assert classify_value(code, v, water_type=wt).rank == best, (code, v)


def test_table_is_the_reference_table():
    # The package copy must be the transcription in shared/reference, cell for cell.
    ref = shared_reference("gb3838_table1.csv")
    with ref.open(encoding="utf-8") as fh:
        rows = {r["parameter_code"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(table())
    for code, r in rows.items():
        cells = [r[f"class_{c}"] for c in ("I", "II", "III", "IV", "V")]
        if all(c and "-" not in c for c in cells):
            assert table()[code].values == tuple(float(c) for c in cells)
        assert table()[code].direction == r["direction"]
    # a few cells by hand from standards.md §1 (NH3N I is 0.15, not the 0.015 typo of some web copies)
    assert table()["NH3N"].values == (0.15, 0.5, 1.0, 1.5, 2.0)
    assert table()["TP_LAKE"].values == (0.01, 0.025, 0.05, 0.1, 0.2)
    assert table()["CN"].values == (0.005, 0.05, 0.2, 0.2, 0.2)
    assert limit("CODMN", "V") == 15 and limit("PH", "III") is None and limit("NH3N", "劣V") is None
    assert limit("TN", "III") is None and limit("TN", "III", "lake") == 1.0


def test_the_21_evaluated_items():
    # 环办〔2011〕22号 §2.1: the 24 items less water temperature, TN and fecal coliform
    assert len(EVALUATED) == 21 and set(REFERENCE) == {"WT", "TN", "FCOLI"}
    assert set(EVALUATED) | set(REFERENCE) == set(table()) - {"TP_LAKE"}


def test_vectorised_equals_scalar_and_nan_is_zero():
    vals = np.array([0.1, 0.15, 0.5, 1.0, 1.2, 2.0, 3.0, np.nan])
    ranks = classify_array("NH3N", vals)
    assert ranks.dtype == np.int8 and ranks.tolist() == [1, 1, 2, 3, 4, 5, 6, 0]
    assert classify_array("DO", np.array([8.0, 5.0, 1.0, np.nan])).tolist() == [1, 3, 6, 0]
    assert classify_array("PH", [[5.0, 7.0], [9.5, np.nan]]).tolist() == [[6, 1], [6, 0]]  # shape kept
    assert classify_array("WT", [10.0, 20.0]).tolist() == [0, 0]  # ungraded: all 0
    assert classify_array("TN", [1.2]).tolist() == [0] and classify_array("TN", [1.2], water_type="lake").tolist() == [4]


@given(st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=40),
       st.sampled_from(["NH3N", "TP", "DO", "PH", "COD", "HG"]), st.sampled_from(["river", "lake"]),
       st.one_of(st.none(), decimal_places))
def test_array_path_is_the_scalar_path_and_searchsorted(xs, code, wt, d):
    ranks = classify_array(code, xs, water_type=wt, decimals=d)
    assert ranks.tolist() == [classify_value(code, x, water_type=wt, decimals=d).rank for x in xs]
    if code != "PH":  # the documented equivalence with np.searchsorted on the thresholds
        x = -np.asarray(xs) if code == "DO" else np.asarray(xs)
        assert ranks.tolist() == (np.searchsorted(thresholds(code, wt, d), x, side="left") + 1).tolist()


@pytest.mark.parametrize("code,value,decimals,expected", [
    # NH3N to 3 decimals (the registry precision): 1.0005 → 1.000 (tie, 0 is even) III; 1.0015 → 1.002 IV
    ("NH3N", 1.0005, 3, "III"), ("NH3N", 1.0015, 3, "IV"), ("NH3N", 1.0004, 3, "III"), ("NH3N", 1.0006, 3, "IV"),
    # the 2025 release showed 2 decimals: 1.005 → 1.00 (tie to even) III; 1.015 → 1.02 IV; 1.006 → 1.01 IV
    ("NH3N", 1.005, 2, "III"), ("NH3N", 1.015, 2, "IV"), ("NH3N", 1.006, 2, "IV"),
    ("NH3N", 0.1505, 3, "I"), ("NH3N", 0.1515, 3, "II"),  # 0.150 (even) I; 0.152 II
    # DO to 1 decimal: 7.45 → 7.4 (4 even) II; 7.55 → 7.6 I; 4.95 → 5.0 (tie to even 50) III
    ("DO", 7.45, 1, "II"), ("DO", 7.55, 1, "I"), ("DO", 4.95, 1, "III"), ("DO", 4.949, 1, "IV"),
    # pH 6–9: to 2 decimals 9.005 → 9.00 I, 9.015 → 9.02 劣V, 5.995 → 6.00 I; to 0 decimals 9.4 → 9 I, 9.5 → 10 劣V
    ("PH", 9.005, 2, "I"), ("PH", 9.015, 2, "劣V"), ("PH", 5.995, 2, "I"), ("PH", 9.4, 0, "I"), ("PH", 9.5, 0, "劣V"),
    ("PH", 8.5, 0, "I"),
    # Hg 0.00005 with 4 decimals is off the grid: 0.00005 → 0.0000 (tie to even) I; 0.000051 → 0.0001 III
    ("HG", 0.00005, 4, "I"), ("HG", 0.000051, 4, "III"),
])
def test_rounding_half_even_before_classifying(code, value, decimals, expected):
    assert classify_value(code, value, decimals=decimals).value == expected
    assert classify_value(code, round_report(value, decimals)).value == expected


@given(near_limits(), st.sampled_from(["NH3N", "TP", "DO", "PH", "HG", "COD", "CODMN", "CU"]),
       st.sampled_from(["river", "lake"]))
def test_rounding_thresholds_equal_rounding_then_classifying(xd, code, wt):
    x, d = xd
    assert classify_value(code, x, water_type=wt, decimals=d) == classify_value(code, round_report(x, d),
                                                                                water_type=wt)


def test_registry_precision_never_moves_a_limit():
    # Rounding to the reporting precision must leave every limit where it is, or a value exactly at a
    # limit would change class when rounded.
    for code, lim in table().items():
        reg = registry()["TP" if code == "TP_LAKE" else code]
        for v in lim.values:
            assert round_report(v, reg.decimals) == v, (code, v, reg.decimals)


@given(upper_bound_codes, positive_floats, positive_floats, st.sampled_from(["river", "lake"]),
       st.one_of(st.none(), decimal_places))
def test_higher_concentration_never_better_class(code, a, b, wt, d):
    lo, hi = sorted((a, b))
    assert classify_value(code, hi, water_type=wt, decimals=d).rank >= classify_value(code, lo, water_type=wt,
                                                                                      decimals=d).rank


@given(positive_floats, positive_floats, st.one_of(st.none(), decimal_places))
def test_do_is_monotone_the_other_way(a, b, d):
    lo, hi = sorted((a, b))
    assert classify_value("DO", hi, decimals=d).rank <= classify_value("DO", lo, decimals=d).rank
