"""Hypothesis strategies shared by the core tests (STYLE rule 13). Keep them small and documented.

Sections of this file belong to one subject each (values, networks, ...); append, do not rewrite.
"""

from __future__ import annotations

from hypothesis import strategies as st

# --- coordinates -------------------------------------------------------------------------------
#: Points inside the default area box (莱西市, WGS84 degrees).
laixi_points = st.tuples(st.floats(120.15, 120.85), st.floats(36.35, 37.20))
