"""Candidate outfalls for an event at a section: the outfalls upstream of it within a travel-time window.

Outfalls are sorted once by the DFS pre-order number ``pre`` of their reach. The outfalls upstream of
a section are then, for each pre-order interval of its upstream set (one interval without divergences,
a few with them), a contiguous slice found with two binary searches (``np.searchsorted``); the
travel-time window is one vectorised comparison of the cumulative labels T(a) − T(b)
(shared/DESIGN.md §4). No scan of all outfalls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outfall.core.network.graph import Network
from outfall.core.simulate.paths import inflow_from_upstream, paths_between, reach_flows

__all__ = ["OutfallSite", "SectionSite", "OutfallIndex", "Candidates"]


@dataclass(frozen=True)
class OutfallSite:
    """An outfall as tracing sees it.

    ``discharge_m3_s``: design (permitted) discharge, m³/s (None when unknown); ``type_l1``: HJ 1312
    level-1 type (``outfall.core.outfall_types``); ``violations``: past violations counted by the caller.
    """

    code: str
    reach: int
    measure: float = 0.5
    type_l1: str = ""
    discharge_m3_s: float | None = None
    violations: int = 0


@dataclass(frozen=True)
class SectionSite:
    """A monitoring section on reach ``reach`` at ``measure`` (0 upstream end … 1 downstream end)."""

    code: str
    reach: int
    measure: float = 0.5


@dataclass(frozen=True)
class Candidates:
    """Outfalls (indices into the index's outfall list) with their hours and km to the section."""

    idx: np.ndarray
    tau_h: np.ndarray
    km: np.ndarray


class OutfallIndex:
    """Outfalls sorted by the pre-order number of their reach, with their times and distances to the outlet."""

    def __init__(self, net: Network, outfalls: list[OutfallSite]):
        self.net = net
        self.outfalls = outfalls
        reach = np.array([o.reach for o in outfalls], dtype=np.int64)
        measure = np.array([o.measure for o in outfalls], dtype=float)
        self.reach, self.measure = reach, measure
        pre = net.pre[reach] if len(reach) else np.zeros(0, np.int64)
        self.order = np.argsort(pre, kind="stable")
        self.sorted_pre = pre[self.order]
        self.T = net.T_h[reach] + (1.0 - measure) * net.travel_h[reach] if len(reach) else np.zeros(0)
        self.D = net.D_km[reach] + (1.0 - measure) * net.length_m[reach] / 1000.0 if len(reach) else np.zeros(0)
        self.discharge = np.array([o.discharge_m3_s if (o.discharge_m3_s and np.isfinite(o.discharge_m3_s)
                                   and o.discharge_m3_s > 0) else 0.0 for o in outfalls], dtype=float)
        self._flows = None
        self._inflow = None

    @property
    def flows(self) -> np.ndarray:
        if self._flows is None:
            self._flows = reach_flows(self.net)[0]
        return self._flows

    def mixed_flow(self, reach: int, measure: float) -> float:
        """Flow at a point (m³/s) as the simulator mixes it: the reach flow Q plus the design discharges of
        the outfalls upstream of the point, split at divergences like the river (unknown discharges add 0).

        Without divergences: the outfalls upstream by two binary searches, summed; with them: the reach's
        inflow from one topological pass (cached on the index) plus the outfalls on the reach above the point.
        """
        q = float(self.flows[reach])
        if len(self.net.minor) == 0:
            return q + float(self.discharge[self.upstream(SectionSite("", int(reach), float(measure)))].sum())
        if self._inflow is None:
            self._inflow = inflow_from_upstream(self.net, self.flows, self.reach, self.discharge)
        on = (self.reach == reach) & (self.measure <= measure)
        return q + float(self._inflow[reach]) + float(self.discharge[on].sum())

    def upstream(self, section: SectionSite) -> np.ndarray:
        """Indices of the outfalls upstream of the section (two binary searches per interval)."""
        net, b = self.net, section.reach
        parts = []
        for lo, hi in net.upstream_intervals(b):
            i0, i1 = np.searchsorted(self.sorted_pre, [lo, hi], side="left")
            parts.append(self.order[i0:i1])
        idx = parts[0] if len(parts) == 1 else np.concatenate(parts)
        same = self.reach[idx] == b
        return idx[~same | (self.measure[idx] <= section.measure)]

    def find(self, section: SectionSite, *, window_h: float | None = None) -> Candidates:
        """Outfalls upstream of the section whose (shortest) travel time to it is within ``window_h`` hours."""
        net = self.net
        idx = self.upstream(section)
        if len(net.minor) == 0:
            T_s = net.point_time_h(section.reach, section.measure)
            D_s = net.point_km(section.reach, section.measure)
            tau, km = self.T[idx] - T_s, self.D[idx] - D_s
        else:
            tau, km, keep = np.empty(idx.size), np.empty(idx.size), np.ones(idx.size, bool)
            for n, i in enumerate(idx):
                ps = paths_between(net, int(self.reach[i]), float(self.measure[i]), section.reach, section.measure,
                                   flows=self.flows)
                if not ps:
                    keep[n] = False
                    continue
                best = min(ps, key=lambda p: p.tau_h)
                tau[n], km[n] = best.tau_h, best.km
            idx, tau, km = idx[keep], tau[keep], km[keep]
        if window_h is not None:
            inside = tau <= window_h
            idx, tau, km = idx[inside], tau[inside], km[inside]
        return Candidates(idx, tau, km)
