"""Hypothesis strategies shared by the core tests (STYLE rule 13). Keep them small and documented.

Sections of this file belong to one subject each (values, networks, ...); append, do not rewrite.
"""

from __future__ import annotations

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
