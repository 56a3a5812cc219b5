"""A forward river water-quality model on the network, for scenarios and tests (shared/DESIGN.md §4).

Physics, per parameter (concentrations c in mg/L = g/m³, flows in m³/s, loads q·c in g/s):

- Advection: a parcel leaving point a reaches point b after τ = Σ L/u along the path (hours).
- First-order decay: a load is multiplied by exp(−k τ) on the way, k per day (``DEFAULT_DECAY_PER_DAY``).
- Flow split at divergences: each downstream reach takes the fraction Q_d / Σ Q_d of the flow.
- Full, flow-weighted mixing at confluences and outfalls: at section j

      c_j(t) = [ c_b · Q_j + W_j + Σ_i Σ_p f_p · q_i · c_i(t − τ_p) · exp(−k τ_p) ] / (Q_j + Σ_i Σ_p f_p q_i)

  with Q_j the reach flow, c_b the background concentration, f_p the flow fraction of path p and
  W_j the diffuse load (``diffuse_g_s_km`` per km of stream upstream, decayed from each reach's middle).
- Longitudinal dispersion: a box pulse of duration Δ spreads into

      c(t) = c₀/2 · [erf((t − t₀ − τ)/(√2 σ_t)) − erf((t − t₀ − Δ − τ)/(√2 σ_t))],  σ_t = √(2 D τ) / ū

  (σ² = 2 D t in metres, D in m²/s, ū the mean path velocity), which conserves the pulse's mass.
- Measurement: relative Gaussian noise (seeded), then the reporting precision (round half to even,
  ``outfall.core.standards.values.round_report``, GB/T 8170-2008).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from outfall.core.errors import InputError
from outfall.core.network.graph import Network
from outfall.core.simulate.paths import Path, paths_between, reach_flows
from outfall.core.standards.values import round_report

__all__ = ["Steady", "Pulse", "Source", "Point", "DEFAULT_DECAY_PER_DAY", "decay_rate", "simulate",
           "pulse_shape", "delivered_loads"]

#: First-order decay, per day, indicative for small Chinese rivers (reference/tracing.md §2.3:
#: Cao'e River tributaries CODMn 0.078–0.29, NH₄⁺-N 0.087–0.30 d⁻¹; a county river CODcr 0.22–0.30 d⁻¹).
#: Calibrate per basin; metals and phosphorus are treated as conservative here.
DEFAULT_DECAY_PER_DAY = {"NH3N": 0.2, "CODMN": 0.18, "COD": 0.25, "BOD5": 0.3, "TP": 0.0, "TN": 0.05}


def decay_rate(parameter: str, decay_per_day: float | None = None) -> float:
    """k (per day) for a parameter: the given value, else the table above, else 0 (conservative)."""
    if decay_per_day is not None:
        if decay_per_day < 0 or not np.isfinite(decay_per_day):
            raise InputError(f"decay {decay_per_day}", user_message=f"衰减系数必须是非负数 (每天): {decay_per_day}")
        return float(decay_per_day)
    return DEFAULT_DECAY_PER_DAY.get(parameter.upper(), 0.0)


@dataclass(frozen=True)
class Steady:
    """A constant effluent concentration, mg/L."""

    c_mg_l: float

    def at(self, t_h: np.ndarray, sigma_h: float = 0.0) -> np.ndarray:
        return np.full(np.shape(t_h), self.c_mg_l, dtype=float)


@dataclass(frozen=True)
class Pulse:
    """``c_mg_l`` from ``start_h`` for ``duration_h`` hours, ``base_mg_l`` otherwise."""

    c_mg_l: float
    start_h: float
    duration_h: float
    base_mg_l: float = 0.0

    def at(self, t_h: np.ndarray, sigma_h: float = 0.0) -> np.ndarray:
        return self.base_mg_l + (self.c_mg_l - self.base_mg_l) * pulse_shape(
            np.asarray(t_h, float) - self.start_h, self.duration_h, sigma_h)


def pulse_shape(t_h, duration_h: float, sigma_h):
    """Fraction of a unit box pulse (0 ≤ t < duration) seen at time t after its start, spread by σ (h).

    >>> float(pulse_shape(1.0, 2.0, 0.0)), float(pulse_shape(3.0, 2.0, 0.0))
    (1.0, 0.0)
    >>> round(float(pulse_shape(0.0, 2.0, 0.5)), 3)  # half the mass has arrived at the front
    0.5
    """
    t = np.asarray(t_h, float)
    s = np.asarray(sigma_h, float)
    sharp = ((t >= 0) & (t < duration_h)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.sqrt(2.0) * s
        smooth = 0.5 * (erf(t / k) - erf((t - duration_h) / k))
    return np.where(s > 0, smooth, sharp)


@dataclass(frozen=True)
class Point:
    """A place on the network: a reach index and a measure (0 upstream end … 1 downstream end)."""

    code: str
    reach: int
    measure: float = 0.5


@dataclass(frozen=True)
class Source:
    """An outfall on the network: discharge q (m³/s) and its concentration over time."""

    code: str
    reach: int
    measure: float
    q_m3_s: float
    conc: Steady | Pulse


def _sigma_h(p: Path, dispersion_m2_s: float) -> float:
    if dispersion_m2_s <= 0 or p.tau_h <= 0 or p.km <= 0:
        return 0.0
    u = p.km * 1000.0 / (p.tau_h * 3600.0)
    return float(np.sqrt(2.0 * dispersion_m2_s * p.tau_h * 3600.0) / u / 3600.0)


def delivered_loads(net: Network, sources: list[Source], section: Point, times_h, *, k_per_day: float = 0.0,
                    dispersion_m2_s: float = 0.0) -> np.ndarray:
    """Load of each source arriving at the section, g/s, shape (n_sources, n_times):
    Σ_p f_p q_i c_i(t − τ_p) exp(−k τ_p). It depends on no other source."""
    t = np.asarray(times_h, float)
    flows = reach_flows(net)[0]
    out = np.zeros((len(sources), t.size))
    for n, s in enumerate(sources):
        for p in paths_between(net, s.reach, s.measure, section.reach, section.measure, flows=flows):
            c = s.conc.at(t - p.tau_h, _sigma_h(p, dispersion_m2_s))
            out[n] += p.fraction * s.q_m3_s * c * np.exp(-k_per_day * p.tau_h / 24.0)
    return out


def _diffuse(net: Network, section: Point, flows, k: float, g_s_km: float) -> float:
    if g_s_km <= 0:
        return 0.0
    total = 0.0
    for r in net.upstream_set(section.reach):
        r = int(r)
        m_end = section.measure if r == section.reach else 1.0
        km_r = net.length_m[r] / 1000.0 * (m_end if r == section.reach else 1.0)
        for p in paths_between(net, r, m_end / 2.0, section.reach, section.measure, flows=flows):
            total += g_s_km * km_r * p.fraction * np.exp(-k * p.tau_h / 24.0)
    return total


def simulate(net: Network, sources: list[Source], sections: list[Point], times_h, *, parameter: str = "NH3N",
             decay_per_day: float | None = None, dispersion_m2_s: float = 0.0, background_mg_l=0.0,
             diffuse_g_s_km: float = 0.0, noise_rel: float = 0.0, seed: int | None = None,
             decimals: int | None = None) -> np.ndarray:
    """Concentration (mg/L) at each section and time (hours), shape (n_sections, n_times).

    ``background_mg_l`` is one number, or an array broadcast to (n_sections, n_times) (a background
    that varies with the season and the hour; per section when 2-D).

    Examples
    --------
    One outfall of 0.1 m³/s at 10 mg/L into 0.9 m³/s of clean water: 1 mg/L after mixing.

    >>> from outfall.core.network.graph import network_from_arrays
    >>> net = network_from_arrays([-1], [3600.0], velocity_m_s=[1.0])
    >>> net.flow_m3_s[:] = 0.9
    >>> simulate(net, [Source("P", 0, 0.0, 0.1, Steady(10.0))], [Point("S", 0, 1.0)], [0.0, 5.0],
    ...          decay_per_day=0).round(6).tolist()
    [[1.0, 1.0]]
    """
    t = np.asarray(times_h, float)
    k = decay_rate(parameter, decay_per_day)
    background = np.broadcast_to(np.asarray(background_mg_l, float), (len(sections), t.size))
    if dispersion_m2_s < 0 or noise_rel < 0 or np.any(background < 0) or diffuse_g_s_km < 0:
        raise InputError("negative model input", user_message="弥散系数、噪声、背景浓度和面源负荷都不能为负")
    flows = reach_flows(net)[0]
    out = np.zeros((len(sections), t.size))
    for j, sec in enumerate(sections):
        loads = delivered_loads(net, sources, sec, t, k_per_day=k, dispersion_m2_s=dispersion_m2_s).sum(axis=0)
        q_add = sum(p.fraction * s.q_m3_s for s in sources
                    for p in paths_between(net, s.reach, s.measure, sec.reach, sec.measure, flows=flows))
        q_j = flows[sec.reach]
        mass = background[j] * q_j + _diffuse(net, sec, flows, k, diffuse_g_s_km) + loads
        out[j] = mass / (q_j + q_add)
    if noise_rel > 0:
        rng = np.random.default_rng(seed)
        out = np.maximum(0.0, out * (1.0 + noise_rel * rng.standard_normal(out.shape)))
    if decimals is not None:
        out = np.vectorize(lambda v: round_report(v, decimals), otypes=[float])(out)
    return out
