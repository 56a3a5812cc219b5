"""What-if (情景预测): how much each section improves when outfalls are banned (取缔) or merged (清理合并)
into another outfall (shared/DESIGN.md §3 ``outfall whatif``, §4 "beyond ranking").

Steady, full mixing, first-order decay, as the simulator (``outfall.core.simulate``). An outfall's
current load is L_i = q_i · c_i (g/s): q_i its design discharge (m³/s), c_i its own mean concentration
over the period when it has readings, else the typical effluent of its HJ 1312 type
(``priors.typical``; a type without a row is taken not to emit the parameter). At section j:

    ΔM_j = Σ_banned −L_i δ_ij  +  Σ_merged L_i (δ_tj − δ_ij)          (g/s)
    δ_ij = Σ_p f_p exp(−k τ_p / 24)       (paths from i to j; 0 when i is not upstream of j)
    C'_j = max(0, C_j + ΔM_j / Q_j)

with C_j the section's current concentration (mg/L, e.g. the period mean), Q_j the flow at the section
(m³/s: the river flow plus the known discharges upstream, as the tracer and the simulator mix it), t the
outfall a merged one goes into (its load then enters at t's point). Q_j is held as it is today: a ban
removes the load, not the water (a ban is never credited with lost dilution, so it never worsens a
section), and a merge moves the load, not the flow. The class is GB 3838-2002 Table 1
(``outfall.core.standards.classify_value``) of the current and the predicted concentration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from outfall.core.errors import InputError
from outfall.core.network.graph import Network
from outfall.core.simulate.model import decay_rate
from outfall.core.simulate.paths import paths_between
from outfall.core.standards.gb3838 import classify_value
from outfall.core.tracing import priors as P
from outfall.core.tracing.candidates import OutfallIndex, OutfallSite

__all__ = ["OutfallLoad", "SectionState", "WhatIfRow", "current_load", "whatif"]


@dataclass(frozen=True)
class OutfallLoad:
    """An outfall and what it discharges today: ``site`` (reach, measure, type, design discharge m³/s)
    and ``concentration_mg_l``, its own mean over the period (None: use its type's typical effluent)."""

    site: OutfallSite
    concentration_mg_l: float | None = None


@dataclass(frozen=True)
class SectionState:
    """A section on reach ``reach`` at ``measure`` with its current concentration (mg/L) of the parameter
    over ``period`` (a label, e.g. ``"2026-05"``); ``water_type`` ``river`` | ``lake`` for its class."""

    code: str
    reach: int
    measure: float
    current_mg_l: float
    period: str = ""
    water_type: str = "river"


@dataclass(frozen=True)
class WhatIfRow:
    """One affected section: the ``outfall whatif --format json`` object (shared/DESIGN.md §3)."""

    section: str
    parameter: str
    current_mg_l: float
    predicted_mg_l: float
    current_class: str | None
    predicted_class: str | None
    period: str

    def as_dict(self) -> dict:
        return {"section": self.section, "parameter": self.parameter, "current_mg_l": round(self.current_mg_l, 6),
                "predicted_mg_l": round(self.predicted_mg_l, 6), "current_class": self.current_class,
                "predicted_class": self.predicted_class, "period": self.period}


def current_load(o: OutfallLoad, parameter: str) -> tuple[float, str]:
    """(load g/s, where it comes from): q · own mean, else q · typical effluent of the type, else 0.

    >>> from outfall.core.tracing.candidates import OutfallSite
    >>> current_load(OutfallLoad(OutfallSite("P", 0, 0.5, "城镇污水处理厂排污口", 0.1)), "NH3N")
    (0.5, 'typical')
    >>> current_load(OutfallLoad(OutfallSite("P", 0, 0.5, "", 0.1), 8.0), "NH3N")
    (0.8, 'own data')
    """
    q = o.site.discharge_m3_s
    if not q or not np.isfinite(q) or q <= 0:
        return 0.0, "no discharge"
    if o.concentration_mg_l is not None and np.isfinite(o.concentration_mg_l):
        return float(q * max(o.concentration_mg_l, 0.0)), "own data"
    typ = P.typical(o.site.type_l1, parameter)
    return (float(q * typ.typical_mg_l), "typical") if typ else (0.0, "type does not emit it")


def _delivery(net: Network, a: OutfallSite, reach: int, measure: float, k: float, flows) -> float:
    return float(sum(p.fraction * np.exp(-k * p.tau_h / 24.0)
                     for p in paths_between(net, a.reach, a.measure, reach, measure, flows=flows)))


def whatif(net: Network, outfalls: list[OutfallLoad], sections: list[SectionState], *, parameter: str,
           ban: Iterable[str] = (), merge: Mapping[str, str] | None = None,
           decay_per_day: float | None = None) -> list[WhatIfRow]:
    """Predict each affected section's concentration (mg/L) and GB 3838-2002 class after banning the
    outfalls in ``ban`` and merging each outfall ``a`` of ``merge`` into ``merge[a]`` (steady mass balance,
    module docstring). Sections whose concentration the change does not touch are left out.

    Raises InputError naming an unknown outfall code, a merge into itself or into a banned outfall, and
    a negative current concentration.

    Examples
    --------
    One reach, 0.9 m³/s of river and one outfall of 0.1 m³/s at 10 mg/L: 1 mg/L today, 0 when banned.

    >>> from outfall.core.network.graph import network_from_arrays
    >>> from outfall.core.tracing.candidates import OutfallSite
    >>> net = network_from_arrays([-1], [3600.0], velocity_m_s=[1.0])
    >>> net.flow_m3_s[:] = 0.9
    >>> rows = whatif(net, [OutfallLoad(OutfallSite("P", 0, 0.0, "", 0.1), 10.0)],
    ...               [SectionState("S", 0, 1.0, 1.0, "2026-05")], parameter="NH3N", ban=["P"], decay_per_day=0)
    >>> [(r.section, r.current_class, round(r.predicted_mg_l, 9), r.predicted_class) for r in rows]
    [('S', 'III', 0.0, 'I')]
    """
    merge = dict(merge or {})
    ban = list(ban)
    by_code = {o.site.code: o for o in outfalls}
    unknown = [c for c in [*ban, *merge, *merge.values()] if c not in by_code]
    if unknown:
        raise InputError(f"unknown outfalls {unknown}", user_message="没有这些排污口 / unknown outfalls: " + ", ".join(unknown))
    bad = [a for a, t in merge.items() if a == t or t in ban or t in merge]
    if bad:
        raise InputError(f"bad merge {bad}", user_message="合并目标不能是它自己、已取缔或也被合并的排污口 / a merge must go "
                                                          "into an outfall that stays: " + ", ".join(bad))
    negative = [s.code for s in sections if not (s.current_mg_l >= 0)]
    if negative:
        raise InputError(f"negative concentrations at {negative}",
                         user_message="断面当前浓度必须是非负数 / current concentration must be ≥ 0: " + ", ".join(negative))
    k = decay_rate(parameter, decay_per_day)
    index = OutfallIndex(net, [o.site for o in outfalls])
    flows = index.flows
    moves = [(by_code[c].site, None, current_load(by_code[c], parameter)[0]) for c in ban if c not in merge]
    moves += [(by_code[a].site, by_code[t].site, current_load(by_code[a], parameter)[0]) for a, t in merge.items()]
    rows = []
    for s in sections:
        dm = 0.0
        for site, into, load in moves:
            if load <= 0:
                continue
            dm -= load * _delivery(net, site, s.reach, s.measure, k, flows)
            if into is not None:
                dm += load * _delivery(net, into, s.reach, s.measure, k, flows)
        if dm == 0.0:
            continue
        predicted = max(0.0, s.current_mg_l + dm / index.mixed_flow(s.reach, s.measure))
        c0 = classify_value(parameter.upper(), s.current_mg_l, water_type=s.water_type)
        c1 = classify_value(parameter.upper(), predicted, water_type=s.water_type)
        rows.append(WhatIfRow(s.code, parameter, float(s.current_mg_l), predicted, c0.value if c0 else None,
                              c1.value if c1 else None, s.period))
    return rows
