"""One source alone as one box release: the weighted least-squares fit of its load at every release
time on a grid, for several durations, computed only where the source reaches a section.

For a source i, a release of 1 g/s lasting Δ hours from s gives at reading r (section j(r), time t_r)

    R_r(s, Δ) = Σ_p g_p · [F_p(t_r − s) − F_p(t_r − s − Δ)],  g_p = f_p · exp(−k τ_p / 24) / Q_j,
    F_p(t) = ½ (1 + erf((t − τ_p) / (√2 σ_p))),  σ_p = √(2 D τ_p) / ū  (the dispersed step; model.arrivals)

(zero at the sections it does not reach). With one background per section free, the best load
x ≥ 0 and the drop of the weighted residual sum of squares it buys are

    x = max(0, num) / den,   gain = max(0, num)² / den,
    num = Σ_r w_r ỹ_r R̃_r,   den = Σ_r w_r R̃_r²,

with ỹ, R̃ the readings and the response less their weighted mean per section (weights w_r). The
response is zero at every reading of a section the source does not reach, and so is its centred
value, so only the (source, section) pairs it reaches are evaluated: the same numbers as the dense
rows × sources × release-times arrays (``model.boxes``), a fraction of the work on a network where
each outfall reaches few of the sections. The step F is centred once; a box is the difference of
two centred steps (centring is linear).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from outfall.core.simulate.model import pulse_shape
from outfall.core.tracing.model import PairPaths

__all__ = ["PairRows", "pair_rows", "box_fits", "pair_response"]


@dataclass(frozen=True)
class PairRows:
    """The readings of every (source, section) pair a source reaches, pair by pair (pairs by source, then
    section; a pair's readings in their order): ``src``, ``sec`` per pair; ``start`` the first pair-row of each
    pair; ``row`` the reading of each pair-row; ``pair`` its pair; ``src_start`` the first pair of each source
    (sources without a pair reach no reading)."""

    src: np.ndarray
    sec: np.ndarray
    start: np.ndarray
    row: np.ndarray
    pair: np.ndarray
    src_start: np.ndarray
    n_src: int


def pair_rows(pp: PairPaths, row_sec: np.ndarray) -> PairRows:
    """Index the readings of the (source, section) pairs with a path (any layer) and at least one reading."""
    n_sec = pp.frac.shape[2]
    rows_of = [np.flatnonzero(row_sec == j) for j in range(n_sec)]
    count = np.array([r.size for r in rows_of], dtype=np.int64)
    src, sec = np.nonzero((pp.frac.sum(axis=0) > 0) & (count > 0)[None, :])
    sizes = count[sec]
    start = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64) if sec.size else np.zeros(0, np.int64)
    row = np.concatenate([rows_of[j] for j in sec]) if sec.size else np.zeros(0, np.int64)
    pair = np.repeat(np.arange(sec.size), sizes)
    src_start = np.searchsorted(src, np.arange(pp.frac.shape[1]))
    return PairRows(src, sec, start, row, pair, src_start, pp.frac.shape[1])


def _per_pair(pr: PairRows, pp: PairPaths, q_sec: np.ndarray, grid: np.ndarray, row_t: np.ndarray, k_per_day: float,
              dispersion_m2_s: float, shape) -> np.ndarray:
    """Σ over path layers of gain · shape(lag, σ) at every pair-row and grid start, (pair-rows, n_grid):
    the formulas of ``model._layers`` on the pairs only."""
    out = np.zeros((pr.row.size, grid.shape[1]))
    t_rows = row_t[pr.row][:, None]
    for layer in range(pp.tau_h.shape[0]):
        frac = pp.frac[layer][pr.src, pr.sec]
        if not frac.any():
            continue
        tau = pp.tau_h[layer][pr.src, pr.sec]
        km = pp.km[layer][pr.src, pr.sec]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(tau > 0, km * 1000.0 / (tau * 3600.0), 0.0)
            sigma = np.where((u > 0) & (dispersion_m2_s > 0),
                             np.sqrt(2.0 * dispersion_m2_s * tau * 3600.0) / np.where(u > 0, u, 1.0) / 3600.0, 0.0)
        gain = frac * np.exp(-k_per_day * tau / 24.0) / q_sec[pr.sec]
        lag = t_rows - grid[pr.src[pr.pair]] - tau[pr.pair][:, None]
        out += gain[pr.pair][:, None] * shape(lag, sigma[pr.pair][:, None])
    return out


#: |x| from which erf(x) is exactly ±1 in double precision (scipy's erf reaches 1.0 at x ≈ 5.92).
ERF_SATURATES = 6.0


def _step(lag, s):
    """½(1 + erf(lag/(√2 σ))), or lag ≥ 0 when σ = 0 (``model.arrivals``): erf is evaluated only where
    |x| < ``ERF_SATURATES``, elsewhere it is exactly ±1, so the values are the same."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = lag / (np.sqrt(2.0) * np.where(s > 0, s, 1.0))
    out = (x >= 0).astype(float)
    mid = (np.abs(x) < ERF_SATURATES) & (s > 0)
    out[mid] = 0.5 * (1.0 + erf(x[mid]))
    return out


def box_fits(pp: PairPaths, pr: PairRows, q_sec: np.ndarray, row_t: np.ndarray, first: np.ndarray, step: float, n: int,
             durations, k_per_day: float, dispersion_m2_s: float, w: np.ndarray, wsum: np.ndarray,
             ywc: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(num, den) per duration (hours), each (n_src, n), for releases at first_i + m·step (m < n).

    ``w``: weight per reading; ``wsum``: Σ w per section (no zero); ``ywc``: w·ỹ per reading, the readings
    already centred per section. Durations that are a whole number of steps come from one dispersed-step
    array (a box is two centred steps apart); any other duration is evaluated as a box."""
    whole = [round(d / step) if step > 0 and abs(d / step - round(d / step)) < 1e-9 and round(d / step) > 0 else None
             for d in durations]
    w_r, y_r = w[pr.row][:, None], ywc[pr.row][:, None]
    wsum_p = wsum[pr.sec][:, None]

    def centre(v):
        return v - (np.add.reduceat(v * w_r, pr.start, axis=0) / wsum_p)[pr.pair] if pr.row.size else v

    def per_src(v):  # (pair-rows, m) summed per pair, then per source (zero for a source that reaches nothing)
        out = np.zeros((pr.n_src, v.shape[1]))
        if pr.row.size:
            by_pair = np.add.reduceat(v, pr.start, axis=0)
            has = np.flatnonzero(np.diff(np.r_[pr.src_start, pr.src.size]) > 0)
            out[has] = np.add.reduceat(by_pair, pr.src_start[has], axis=0)
        return out

    def fit(Rc):
        return per_src(y_r * Rc), per_src(w_r * Rc * Rc)

    out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(durations)
    if any(j is not None for j in whole):
        ext = n + max(j for j in whole if j is not None)
        grid = first[:, None] + step * np.arange(ext)[None, :]
        Fc = centre(_per_pair(pr, pp, q_sec, grid, row_t, k_per_day, dispersion_m2_s, _step))
        num_F = per_src(y_r * Fc)
        for i, j in enumerate(whole):
            if j is not None:
                box = Fc[:, :n] - Fc[:, j:j + n]
                out[i] = (num_F[:, :n] - num_F[:, j:j + n], per_src(w_r * box * box))
    grid = first[:, None] + step * np.arange(n)[None, :]
    for i, d in enumerate(durations):
        if out[i] is None:
            out[i] = fit(centre(_per_pair(pr, pp, q_sec, grid, row_t, k_per_day, dispersion_m2_s,
                                          lambda lag, s, d=d: pulse_shape(lag, d, s))))
    return out


def pair_response(pp: PairPaths, pr: PairRows, q_sec: np.ndarray, row_t: np.ndarray, starts: np.ndarray,
                  duration_h: float, k_per_day: float, dispersion_m2_s: float) -> np.ndarray:
    """``model.response`` (mg/L per g/s, (rows, n_src, n_shift)) evaluated on the pairs a source reaches only;
    every other entry is the zero it is in the dense evaluation."""
    A = np.zeros((row_t.size, pr.n_src, starts.shape[1]))
    if pr.row.size:
        A[pr.row, pr.src[pr.pair]] = _per_pair(pr, pp, q_sec, starts, row_t, k_per_day, dispersion_m2_s,
                                               lambda lag, s: pulse_shape(lag, duration_h, s))
    return A
