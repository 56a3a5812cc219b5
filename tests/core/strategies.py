"""Hypothesis strategies shared by the core tests (STYLE rule 13). Keep them small and documented.

Sections of this file belong to one subject each (values, networks, ...); append, do not rewrite.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from outfall.core.standards.values import ParsedValue

# --- coordinates -------------------------------------------------------------------------------
#: Points inside the default area box (莱西市, WGS84 degrees).
laixi_points = st.tuples(st.floats(120.15, 120.85), st.floats(36.35, 37.20))

# --- values ------------------------------------------------------------------------------------
#: Concentrations in mg/L from far below class I to far above class V.
positive_floats = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)
#: Reported values in their three forms: a number, below a detection limit, missing.
parsed_values = st.one_of(
    positive_floats.map(ParsedValue),
    st.floats(min_value=1e-6, max_value=10, allow_nan=False).map(lambda d: ParsedValue(None, "<", d)),
    st.just(ParsedValue(None, "missing")),
)

# --- values: standards engine (classes, rounding, reported cells) --------------------------------
#: Codes of the upper-bound items of GB 3838-2002 Table 1 that are evaluated (all but pH and DO).
upper_bound_codes = st.sampled_from(["CODMN", "COD", "BOD5", "NH3N", "TP", "CU", "ZN", "F", "SE", "AS", "HG", "CD",
                                     "CR6", "PB", "CN", "VPHENOL", "PETRO", "LAS", "S2"])
#: Reporting precisions worth testing (decimal places).
decimal_places = st.integers(min_value=0, max_value=5)


@st.composite
def near_limits(draw, limits=(0.15, 0.5, 1.0, 1.5, 2.0, 7.5, 6.0, 5.0, 3.0, 0.02, 0.025, 0.00005)):
    """Values at, just around and exactly halfway around a limit on a decimal grid: where rounding
    and "equal to a limit" rules bite. Drawn as short decimals, so ties are exact ties."""
    lim = draw(st.sampled_from(limits))
    d = draw(decimal_places)
    k = draw(st.integers(min_value=-3, max_value=3))
    return float(f"{lim + k * 0.5 * 10 ** -d:.{d + 1}f}"), d


#: Cells as a laboratory writes them: plain numbers, "0.02L", "<0.01", "ND", "*", "--", "".
reported_cells = st.one_of(
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False).map(str),
    st.decimals(min_value="0.0001", max_value=10, places=4).map(lambda d: f"{d}L"),
    st.decimals(min_value="0.0001", max_value=10, places=4).map(lambda d: f"<{d}"),
    st.sampled_from(["ND", "未检出", "*", "--", "", "当天质控不合格"]),
)

# --- tracing: toy networks, outfalls and events ----------------------------------------------------
#: Names of the canonical toy networks (tests/core/networks.py).
toy_network_names = st.sampled_from(["straight", "confluence", "braid", "disconnected", "zero_flow"])
#: Points along a reach (measure 0 upstream end … 1 downstream end).
measures = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
#: HJ 1312 level-1 types, and an empty (unknown) one.
outfall_type_l1 = st.sampled_from(["工业排污口", "城镇污水处理厂排污口", "农业排口", "其他排口", ""])


@st.composite
def outfall_layouts(draw, n_reaches: int, max_outfalls: int = 6):
    """(reach, measure, type_l1, discharge m³/s or None, violations) for 1..max_outfalls outfalls."""
    n = draw(st.integers(min_value=1, max_value=max_outfalls))
    return [(draw(st.integers(0, n_reaches - 1)), draw(measures), draw(outfall_type_l1),
             draw(st.one_of(st.none(), st.floats(0.001, 0.2))), draw(st.integers(0, 5))) for _ in range(n)]


@st.composite
def pulse_events(draw):
    """(pulse concentration mg/L, start h, duration h, relative noise, seed) of a spill."""
    return (draw(st.floats(50.0, 500.0)), draw(st.floats(4.0, 12.0)), draw(st.floats(1.0, 4.0)),
            draw(st.sampled_from([0.0, 0.05, 0.1])), draw(st.integers(0, 2**16)))

# --- remediation ---------------------------------------------------------------------------------
#: Sequences of remediation task actions (valid or not) for the lifecycle invariants.
remediation_actions = st.lists(st.sampled_from(["start", "request_close", "sign_off", "reopen", "progress"]),
                               max_size=30)

# --- cases ---------------------------------------------------------------------------------------
#: Mainland mobile numbers (11 digits, 13x–19x), as complainants leave them.
mobile_numbers = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
#: Dates a case workbook can hold (Excel's serial days start in 1900).
case_dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9999, 12, 31))
