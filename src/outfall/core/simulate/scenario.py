"""Readings as monitoring would report them for a simulated scenario: section readings from
``simulate`` and, for the outfalls that have them, their own effluent readings (same noise and
precision). Used by the tracing tests and benchmark."""

from __future__ import annotations

import numpy as np

from outfall.core.network.graph import Network
from outfall.core.simulate.model import Point, Source, simulate
from outfall.core.standards.values import round_report

__all__ = ["readings_for"]


def readings_for(net: Network, sources: list[Source], sections: list[Point], times_h, *, own_data: set[str] = frozenset(),
                 noise_rel: float = 0.0, seed: int | None = None, decimals: int | None = None,
                 **model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{site code: (times h, values mg/L)} for every section and every source in ``own_data``."""
    t = np.asarray(times_h, float)
    rng = np.random.default_rng(seed)
    conc = simulate(net, sources, sections, t, noise_rel=noise_rel, seed=int(rng.integers(2**31)),
                    decimals=decimals, **model)
    out = {s.code: (t.copy(), conc[j]) for j, s in enumerate(sections)}
    for s in sources:
        if s.code in own_data:
            v = s.conc.at(t)
            if noise_rel > 0:
                v = np.maximum(0.0, v * (1.0 + noise_rel * rng.standard_normal(v.shape)))
            if decimals is not None:
                v = np.array([round_report(x, decimals) for x in v])
            out[s.code] = (t.copy(), v)
    return out
