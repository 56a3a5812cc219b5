"""Canonical toy river networks (cf. shapely's tests/common.py): each a list of ReachInput.

All drawn in flow direction near Laixi; 0.01° of latitude ≈ 1.11 km.

straight:      a ──► b ──► c ──► (outlet)
confluence:    t1 ─┐
                   ├─► m ──► (outlet)
               t2 ─┘
braid:         u ──► s1 ──┐           u splits into s1 (main) and s2 (minor), which rejoin at d
                └──► s2 ──┴─► d ──► (outlet)
disconnected:  a ──► b     x ──► y   (two systems, two outlets)
zero_flow:     a (flow 0: default used) ──► b
"""

from __future__ import annotations

from outfall.core.network import ReachInput

X = 120.40


def _line(y0: float, y1: float, x0: float = X, x1: float = X):
    return [(x0, y0), (x1, y1)]


def straight():
    return [ReachInput("a", _line(36.93, 36.92), to_id="b"), ReachInput("b", _line(36.92, 36.91), to_id="c"),
            ReachInput("c", _line(36.91, 36.90))]


def confluence():
    return [ReachInput("t1", [(X - 0.01, 36.92), (X, 36.91)], to_id="m"),
            ReachInput("t2", [(X + 0.02, 36.93), (X, 36.91)], to_id="m"),
            ReachInput("m", _line(36.91, 36.90))]


def braid():
    return [ReachInput("u", _line(36.94, 36.93), from_node="1", to_node="2"),
            ReachInput("s1", [(X, 36.93), (X - 0.002, 36.925), (X, 36.92)], from_node="2", to_node="3", divergence=1),
            ReachInput("s2", [(X, 36.93), (X + 0.004, 36.925), (X, 36.92)], from_node="2", to_node="3", divergence=2),
            ReachInput("d", _line(36.92, 36.91), from_node="3", to_node="4")]


def disconnected():
    return [ReachInput("a", _line(36.93, 36.92), to_id="b"), ReachInput("b", _line(36.92, 36.91)),
            ReachInput("x", _line(36.93, 36.92, X + 0.1, X + 0.1), to_id="y"),
            ReachInput("y", _line(36.92, 36.91, X + 0.1, X + 0.1))]


def zero_flow():
    return [ReachInput("a", _line(36.93, 36.92), to_id="b", flow_m3_s=0.0, velocity_m_s=0.5),
            ReachInput("b", _line(36.92, 36.91), flow_m3_s=2.0, velocity_m_s=0.5)]


ALL = {"straight": straight, "confluence": confluence, "braid": braid, "disconnected": disconnected,
       "zero_flow": zero_flow}
