"""Velocity and flow per reach: the given values, else documented defaults (not facts).

- Velocity: 0.3 m/s in a river, 0.01 m/s through a lake or reservoir (a slow, mixed body).
- Flow: 0.01 m³/s per km of stream length upstream of the reach's downstream end (its arbolate
  sum on the main-path tree), at least 0.05 m³/s: a dry-season order of magnitude for a small
  northern-China basin. Give measured or modelled flows where they exist.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_VELOCITY_M_S", "FLOW_PER_UPSTREAM_KM", "MIN_FLOW_M3_S", "fill_hydraulics"]

DEFAULT_VELOCITY_M_S = {"river": 0.3, "lake": 0.01, "reservoir": 0.01}
FLOW_PER_UPSTREAM_KM = 0.01
MIN_FLOW_M3_S = 0.05


def fill_hydraulics(velocity: np.ndarray, flow: np.ndarray, kinds: list[str], arbolate_km: np.ndarray):
    """Return (velocity m/s, flow m³/s, defaulted mask) with NaNs replaced by the defaults."""
    v = velocity.copy()
    q = flow.copy()
    dv = np.isnan(v)
    v[dv] = [DEFAULT_VELOCITY_M_S.get(kinds[i], 0.3) for i in np.flatnonzero(dv)]
    dq = np.isnan(q)
    q[dq] = np.maximum(MIN_FLOW_M3_S, FLOW_PER_UPSTREAM_KM * arbolate_km[dq])
    return v, q, dv | dq
