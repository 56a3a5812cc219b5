"""The source–receptor model with unknown release time (shared/DESIGN.md §4).

Readings y_r (mg/L) at sections j(r), times t_r (h) are explained as

    y_r = b_j(r) + Σ_i Σ_m A_r,(i,m) · x_i,m,      x ≥ 0,
    A_r,(i,m) = Σ_p f_p · exp(−k τ_p / 24) / Q_j · P(t_r − s_i,m − τ_p; Δ, σ_p)

with x_i,m the load (g/s) outfall i released as a box of Δ hours starting at s_i,m = s_i,0 + m·Δ
(a grid of release times around the one that puts its arrival on the event section's peak),
τ_p, f_p the travel time (h) and flow fraction of each path from i to j, Q_j the flow at the section
(m³/s: the river flow plus the known discharges of the outfalls upstream, fully mixed, as the simulator),
k per day, P the dispersed box (``outfall.core.simulate.pulse_shape``, σ = √(2Dτ)/ū) and b_j ≥ 0
one background per section. Solved with non-negative least squares (Lawson–Hanson,
``scipy.optimize.nnls``), or, with ``sparsity`` λ > 0, the non-negative lasso
min ½‖Ax − y‖² + λ·max|Aᵀy|·Σx by coordinate descent.

Candidates whose responses the sections cannot tell apart (same reached sections, same timing
between them at the reading resolution, or near-collinear responses) are solved as ONE group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from scipy.special import erf

from outfall.core.network.graph import Network
from outfall.core.simulate.model import pulse_shape
from outfall.core.simulate.paths import paths_between

__all__ = ["PairPaths", "pair_paths", "response", "arrivals", "boxes", "group_candidates", "solve", "Fit", "COLLINEAR_COS"]

#: Responses with a cosine similarity at least this are one group ("near-collinear").
COLLINEAR_COS = 0.995


@dataclass(frozen=True)
class PairPaths:
    """Paths from each source to each section as layers: arrays (L, n_src, n_sec); fraction 0 = no path."""

    tau_h: np.ndarray
    km: np.ndarray
    frac: np.ndarray

    @property
    def reached(self) -> np.ndarray:
        return self.frac.sum(axis=0) > 0

    def min_tau(self) -> np.ndarray:
        return np.where(self.frac > 0, self.tau_h, np.inf).min(axis=0)

    def min_km(self) -> np.ndarray:
        return np.where(self.frac > 0, self.km, np.inf).min(axis=0)


def pair_paths(net: Network, flows: np.ndarray, src_reach, src_measure, sec_reach, sec_measure) -> PairPaths:
    """Travel times, km and flow fractions from every source point to every section point.

    Without divergences: one layer from the cumulative labels, vectorised (O(n_src · n_sec)).
    """
    a, ma = np.asarray(src_reach, np.int64), np.asarray(src_measure, float)
    b, mb = np.asarray(sec_reach, np.int64), np.asarray(sec_measure, float)
    if len(net.minor) == 0:
        A, B = a[:, None], b[None, :]
        up = net.in_subtree(A, B) & ((A != B) | (ma[:, None] <= mb[None, :]))
        Ta = net.T_h[a] + (1 - ma) * net.travel_h[a]
        Tb = net.T_h[b] + (1 - mb) * net.travel_h[b]
        Da = net.D_km[a] + (1 - ma) * net.length_m[a] / 1000.0
        Db = net.D_km[b] + (1 - mb) * net.length_m[b] / 1000.0
        tau = np.where(up, Ta[:, None] - Tb[None, :], 0.0)
        km = np.where(up, Da[:, None] - Db[None, :], 0.0)
        return PairPaths(tau[None], km[None], up[None].astype(float))
    found = [[paths_between(net, int(a[i]), float(ma[i]), int(b[j]), float(mb[j]), flows=flows) for j in range(b.size)]
             for i in range(a.size)]
    found = [[_merge(ps) for ps in row] for row in found]
    L = max([1] + [len(ps) for row in found for ps in row])
    tau, km, frac = (np.zeros((L, a.size, b.size)) for _ in range(3))
    for i, row in enumerate(found):
        for j, ps in enumerate(row):
            for layer, p in enumerate(ps):
                tau[layer, i, j], km[layer, i, j], frac[layer, i, j] = p.tau_h, p.km, p.fraction
    return PairPaths(tau, km, frac)


#: Paths of one pair arriving within this many hours of each other are merged (braids multiply paths).
MERGE_H = 0.25


def _merge(ps):
    """Merge paths whose travel times differ by < ``MERGE_H``: fraction-weighted time and km."""
    if len(ps) <= 1:
        return ps
    ps = sorted(ps, key=lambda p: p.tau_h)
    out, cur = [], [ps[0]]
    for p in ps[1:]:
        if p.tau_h - cur[0].tau_h < MERGE_H:
            cur.append(p)
        else:
            out.append(cur)
            cur = [p]
    out.append(cur)
    merged = []
    for c in out:
        f = sum(p.fraction for p in c)
        merged.append(type(c[0])(sum(p.tau_h * p.fraction for p in c) / f, sum(p.km * p.fraction for p in c) / f, f))
    return merged


def _layers(pp: PairPaths, q_sec: np.ndarray, row_sec: np.ndarray, row_t: np.ndarray, starts: np.ndarray,
            k_per_day: float, dispersion_m2_s: float):
    """Per path layer that carries flow: (gain, lag, σ), each (src, rows[, shift]): gain = f·exp(−kτ)/Q
    (mg/L per g/s), lag = t − s − τ (h), σ = √(2Dτ)/u (h), the pulse's spread by dispersion."""
    for layer in range(pp.tau_h.shape[0]):
        frac = pp.frac[layer][:, row_sec]  # (src, rows)
        if not frac.any():
            continue
        tau = pp.tau_h[layer][:, row_sec]
        km = pp.km[layer][:, row_sec]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(tau > 0, km * 1000.0 / (tau * 3600.0), 0.0)
            sigma = np.where((u > 0) & (dispersion_m2_s > 0),
                             np.sqrt(2.0 * dispersion_m2_s * tau * 3600.0) / np.where(u > 0, u, 1.0) / 3600.0, 0.0)
        gain = frac * np.exp(-k_per_day * tau / 24.0) / q_sec[row_sec][None, :]
        lag = row_t[None, :, None] - starts[:, None, :] - tau[..., None]  # (src, rows, shift)
        yield gain[..., None], lag, sigma[..., None]


def response(pp: PairPaths, q_sec: np.ndarray, row_sec: np.ndarray, row_t: np.ndarray, starts: np.ndarray,
             duration_h: float, k_per_day: float, dispersion_m2_s: float) -> np.ndarray:
    """A: mg/L at each reading per g/s released from source i at start s_i,m; shape (rows, n_src, n_shift).

    Path layers are added one at a time, so memory stays rows × n_src × n_shift."""
    A = np.zeros((starts.shape[0], row_t.size, starts.shape[1]))
    for gain, lag, s in _layers(pp, q_sec, row_sec, row_t, starts, k_per_day, dispersion_m2_s):
        A += gain * pulse_shape(lag, duration_h, s)
    return np.transpose(A, (1, 0, 2))


def arrivals(pp: PairPaths, q_sec: np.ndarray, row_sec: np.ndarray, row_t: np.ndarray, starts: np.ndarray,
             k_per_day: float, dispersion_m2_s: float) -> np.ndarray:
    """mg/L at each reading per g/s of a release that starts at s_i,m and never stops (the dispersed step,
    F(t) = ½(1 + erf(t/(√2σ)))); shape (rows, n_src, n_shift). A box of Δ hours is F(t − s) − F(t − s − Δ),
    the ``response`` with one erf array instead of two per duration."""
    A = np.zeros((starts.shape[0], row_t.size, starts.shape[1]))
    for gain, lag, s in _layers(pp, q_sec, row_sec, row_t, starts, k_per_day, dispersion_m2_s):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(s > 0, 0.5 * (1.0 + erf(lag / (np.sqrt(2.0) * np.where(s > 0, s, 1.0)))), lag >= 0)
        A += gain * step
    return np.transpose(A, (1, 0, 2))


def boxes(pp: PairPaths, q_sec: np.ndarray, row_sec: np.ndarray, row_t: np.ndarray, first: np.ndarray, step: float,
          n: int, durations, k_per_day: float, dispersion_m2_s: float) -> list[np.ndarray]:
    """``response`` for each duration on the uniform grid of starts first_i + m·step (m < n): from one
    ``arrivals`` array when every duration is a whole number of steps, else one ``response`` each."""
    whole = [round(d / step) if step > 0 and abs(d / step - round(d / step)) < 1e-9 and round(d / step) > 0 else None
             for d in durations]
    if any(j is None for j in whole):
        grid = first[:, None] + step * np.arange(n)[None, :]
        return [response(pp, q_sec, row_sec, row_t, grid, d, k_per_day, dispersion_m2_s) for d in durations]
    grid = first[:, None] + step * np.arange(n + max(whole))[None, :]
    F = arrivals(pp, q_sec, row_sec, row_t, grid, k_per_day, dispersion_m2_s)
    return [F[:, :, :n] - F[:, :, j:j + n] for j in whole]


def group_candidates(pp: PairPaths, sec_has_rows: np.ndarray, event_sec: int, resolution_h: float,
                     central: np.ndarray) -> np.ndarray:
    """Group id per candidate: same signature (sections reached, timing relative to the event section at
    ``resolution_h``) or near-collinear central responses (``central``: rows × candidates)."""
    mt = pp.min_tau()  # (src, sec)
    rel = np.where(np.isfinite(mt), np.round((mt - mt[:, [event_sec]]) / max(resolution_h, 1e-9)), -1e9)
    rel = rel[:, sec_has_rows]
    keys: dict[bytes, int] = {}
    gid = np.empty(mt.shape[0], dtype=np.int64)
    for i in range(mt.shape[0]):
        gid[i] = keys.setdefault(rel[i].tobytes(), len(keys))
    # merge groups whose mean responses are near-collinear
    G = len(keys)
    reps = np.stack([central[:, gid == g].mean(axis=1) for g in range(G)], axis=1) if G else np.zeros((0, 0))
    norms = np.linalg.norm(reps, axis=0)
    root = np.arange(G)
    for g in range(G):
        for h in range(g):
            if norms[g] > 0 and norms[h] > 0 and reps[:, g] @ reps[:, h] / (norms[g] * norms[h]) >= COLLINEAR_COS:
                root[g] = root[h]
                break
    _, dense = np.unique(root, return_inverse=True)
    return dense[gid]


@dataclass(frozen=True)
class Fit:
    x: np.ndarray  # loads (g/s), (n_groups, n_shift)
    background: np.ndarray  # per section, mg/L
    residual_rms: float


def _nn_lasso(A: np.ndarray, y: np.ndarray, penal: np.ndarray, lam: float, iters: int = 300) -> np.ndarray:
    G = A.T @ A
    c = A.T @ y
    x = nnls(A, y, maxiter=50 * A.shape[1])[0]
    d = np.diag(G).copy()
    d[d == 0] = 1.0
    for _ in range(iters):
        old = x.copy()
        for i in range(x.size):
            x[i] = max(0.0, x[i] + (c[i] - G[i] @ x - lam * penal[i]) / d[i])
        if np.max(np.abs(x - old)) <= 1e-10 * (1 + np.max(np.abs(x))):
            break
    return x


def solve(A_groups: np.ndarray, y: np.ndarray, row_sec: np.ndarray, n_sec: int, *, sparsity: float = 0.0) -> Fit:
    """Fit loads (rows × groups × shifts) and one background per section, all ≥ 0."""
    R, G, M = A_groups.shape
    B = np.zeros((R, n_sec))
    B[np.arange(R), row_sec] = 1.0
    A = np.hstack([A_groups.reshape(R, G * M), B])
    scale = np.linalg.norm(A, axis=0)
    scale[scale == 0] = 1.0
    As = A / scale
    if sparsity > 0:
        penal = np.r_[np.ones(G * M), np.zeros(n_sec)]
        lam = sparsity * float(np.max(np.abs(As.T @ y))) if y.size else 0.0
        z = _nn_lasso(As, y, penal, lam)
    else:
        z = nnls(As, y, maxiter=50 * As.shape[1])[0]
    z = z / scale
    res = y - A @ z
    return Fit(z[: G * M].reshape(G, M), z[G * M:], float(np.sqrt(np.mean(res ** 2))) if R else 0.0)
