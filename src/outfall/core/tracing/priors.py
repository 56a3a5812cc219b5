"""What we know about an outfall before the river data speak: its type's typical effluent, its
discharge, its own readings, its history. Each is one readable factor of the candidate's prior.

The typical-effluent table (``data/typical_effluent.csv``) gives, per HJ 1312 level-1 type and
parameter, a typical treated concentration and an untreated ("raw") one, each row naming its source
(GB 18918-2002, GB 8978-1996, GB 18596-2001, rural sewage design ranges; the raw values are stated
assumptions). A type without a row for a parameter is taken not to emit it.

Factors (multiplied into the prior; 1 means "no information"):

- type: 1.0 when the type emits the parameter, ``NOT_EMITTED`` when it does not, ``UNKNOWN_TYPE`` when
  the type is unknown;
- load feasibility: min(1, capacity / required) clipped at ``MIN_FEASIBILITY``, where the capacity is
  q · c_raw · ``RAW_RANGE`` (c_raw of its type; for a type unknown or without a row for the parameter, the highest c_raw
  of the parameter over the table's types, ``upper_raw``: no effluent in the table is stronger, so an
  outfall that would need more than that is not let off for want of a type) and the load required is what the outfall alone would have to release to explain the
  sections' readings (``load_feasibility``; ``feasibility`` computes it from one section's rise
  Δc as Δc · Q_j / delivery, g/s);
- own data: ``ELEVATED`` when the outfall's own readings in its release window peak at ≥ 2× its
  baseline (its readings outside the window, else the typical effluent), ``NORMAL`` below 1.5×;
- history: 1 + 0.1 · min(violations, 10).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["Typical", "typical", "upper_raw", "emitting_types", "type_factor", "feasibility", "load_feasibility", "data_factor", "history_factor",
           "NOT_EMITTED", "UNKNOWN_TYPE", "ELEVATED", "NORMAL", "MIN_FEASIBILITY", "RAW_RANGE"]

NOT_EMITTED = 0.2
UNKNOWN_TYPE = 0.6
ELEVATED = 3.0
NORMAL = 0.2
MIN_FEASIBILITY = 0.1
#: How far above its type's typical untreated strength (c_raw) an outfall's effluent may plausibly go
#: before a load is called infeasible: c_raw is a central design value, and raw sewage and untreated
#: industrial effluent vary about two-fold around theirs (town sewage NH3-N is commonly 20–60 mg/L
#: against the table's 30; an assumption, as the table's raw values are). Without it a true spill a
#: little stronger than typical would lose rank to innocent outfalls that need no load at all.
RAW_RANGE = 2.0


@dataclass(frozen=True)
class Typical:
    typical_mg_l: float
    raw_mg_l: float
    source: str


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], Typical]:
    text = resources.files("outfall.core.tracing").joinpath("data/typical_effluent.csv").read_text(encoding="utf-8")
    return {(r["type_l1"], r["parameter"].upper()): Typical(float(r["typical_mg_l"]), float(r["raw_mg_l"]), r["source"])
            for r in csv.DictReader(text.splitlines())}


def typical(type_l1: str, parameter: str) -> Typical | None:
    """Typical effluent of a level-1 type for a parameter, or None (not emitted / type unknown).

    >>> typical("城镇污水处理厂排污口", "NH3N").typical_mg_l
    5.0
    >>> typical("农业排口", "CR6") is None
    True
    """
    return _table().get(((type_l1 or "").strip(), parameter.upper()))


def upper_raw(parameter: str) -> Typical | None:
    """The row with the highest untreated ("raw") concentration of the parameter over all types (the
    most a discharge of unknown type can plausibly carry, mg/L, with that row's source), or None when no
    type emits it.

    >>> r = upper_raw("NH3N"); (r.raw_mg_l, r.source.split(" ")[0])
    (400.0, 'GB')
    >>> upper_raw("XYZ") is None
    True
    """
    rows = [v for (_, p), v in _table().items() if p == parameter.upper()]
    return max(rows, key=lambda v: v.raw_mg_l) if rows else None


def emitting_types(parameter: str) -> list[str]:
    """Level-1 types known to emit the parameter (empty: no type in the table emits it)."""
    return sorted({t for t, p in _table() if p == parameter.upper()})


def known_types() -> set[str]:
    return {t for t, _ in _table()}


def type_factor(type_l1: str, parameter: str) -> tuple[float, str]:
    """(factor, reason) for the type evidence."""
    if typical(type_l1, parameter) is not None:
        return 1.0, "emits"
    if (type_l1 or "").strip() in known_types():
        return NOT_EMITTED, "type does not emit it"
    return UNKNOWN_TYPE, "type unknown"


def feasibility(q_m3_s: float | None, raw_mg_l: float | None, rise_mg_l: float, q_section_m3_s: float,
                delivery: float) -> float | None:
    """min(1, q·c_raw·``RAW_RANGE`` / (Δc·Q_j/delivery)), at least ``MIN_FEASIBILITY``; None when q or
    c_raw is unknown.

    >>> feasibility(0.01, 50.0, 1.0, 2.0, 1.0)   # at most 0.01·50·2 = 1 g/s: 0.5 mg/L in 2 m³/s
    0.5
    """
    if not q_m3_s or raw_mg_l is None or rise_mg_l <= 0:
        return None
    required = rise_mg_l * q_section_m3_s / max(delivery, 1e-12)
    return float(np.clip(q_m3_s * raw_mg_l * RAW_RANGE / required, MIN_FEASIBILITY, 1.0))


def load_feasibility(q_m3_s: float | None, raw_mg_l: float | None, required_g_s: float) -> float | None:
    """min(1, q·c_raw·``RAW_RANGE`` / required), at least ``MIN_FEASIBILITY``, with ``required_g_s`` the
    load (g/s) the outfall alone would have to release to explain the sections' readings (its
    single-pulse fit); 1 when the readings need nothing from it; None when q or c_raw is unknown.

    >>> load_feasibility(0.01, 50.0, 2.0)   # 0.01 m³/s · 50 mg/L · 2 = 1 g/s at most, 2 g/s needed
    0.5
    """
    if not q_m3_s or raw_mg_l is None:
        return None
    if not required_g_s > 0:
        return 1.0
    return float(np.clip(q_m3_s * raw_mg_l * RAW_RANGE / required_g_s, MIN_FEASIBILITY, 1.0))


def data_factor(times_h: np.ndarray, values: np.ndarray, lo_h: float, hi_h: float,
                typical_mg_l: float | None) -> tuple[float, str, float | None, float | None]:
    """(factor, reason, peak mg/L, baseline mg/L) from an outfall's own readings in [lo_h, hi_h].

    Scale-free when the baseline comes from the outfall's own readings outside the window.
    """
    if times_h is None or len(times_h) == 0:
        return 1.0, "no own readings", None, None
    inside = (times_h >= lo_h) & (times_h <= hi_h)
    if not inside.any():
        return 1.0, "no own readings in its window", None, None
    peak = float(np.max(values[inside]))
    outside = values[~inside]
    base = float(np.median(outside)) if outside.size >= 3 else typical_mg_l
    if base is None or base <= 0:
        return 1.0, "own readings, no baseline", peak, None
    ratio = peak / base
    if ratio >= 2.0:
        return ELEVATED, f"own readings elevated ×{ratio:.1f}", peak, base
    if ratio < 1.5:
        return NORMAL, f"own readings normal ×{ratio:.1f}", peak, base
    return 1.0, f"own readings ×{ratio:.1f}", peak, base


def history_factor(violations: int) -> float:
    """1 + 0.1·min(n, 10): a record of violations raises the prior by up to 2×."""
    return 1.0 + 0.1 * min(max(int(violations or 0), 0), 10)
