"""Trace one exceedance back to the outfalls that can explain it (shared/DESIGN.md §4).

1. candidates: outfalls upstream of the section within ``window_h`` hours (``candidates.OutfallIndex``);
2. every section with readings in [at − window_h, at + window_h] that some candidate reaches (those
   that saw the pulse and those that did not) enters y = b + A x (``model``), release time unknown;
3. candidates the data cannot separate form one group; NNLS gives each group's load and its
   contribution at the event reading; a seeded bootstrap over readings gives each share's spread;
4. priors (``priors``) split a group among its members and weight the score:
   score_i ∝ prior_i · (share_i + ``SCORE_FLOOR``) · (``SOLO_FLOOR`` + alone_i), normalised to sum to 1 over
   the candidates, alone_i = exp(−Δχ²/2) of candidate i alone as one pulse (release within ``SOLO_SPAN_H``
   of the event's) against the best candidate alone: the brute-force single-source fit, which orders the
   members of a big group and those the joint fit leaves without a share.
Shares are contributions over max(observed, fitted total), so Σ shares + unexplained_share = 1.
"""

from __future__ import annotations

import numpy as np

from outfall.core.errors import InputError
from outfall.core.network.graph import Network
from outfall.core.network.hydraulics import DEFAULT_VELOCITY_M_S
from outfall.core.simulate.model import decay_rate
from outfall.core.simulate.paths import FLOW_SOURCE
from outfall.core.tracing import priors as P
from outfall.core.tracing.candidates import OutfallIndex, OutfallSite, SectionSite
from outfall.core.tracing.fits import box_fits, pair_response, pair_rows
from outfall.core.tracing.model import group_candidates, pair_paths, solve
from outfall.core.tracing.result import CandidateResult, Evidence, TraceResult
from outfall.core.tracing.sampling import sample_points

__all__ = ["trace", "SCORE_FLOOR", "DEFAULT_WINDOW_H", "DEFAULT_DISPERSION_M2_S"]

SCORE_FLOOR = 0.02
#: The part of the score every candidate keeps whatever its own single-pulse fit (alone_likelihood).
SOLO_FLOOR = 0.1
#: Release times tried for each candidate alone: this many hours either side of the one matching the event.
SOLO_SPAN_H = 24.0
#: At most this many release times for each candidate alone (evenly spaced when the span needs more).
SOLO_MAX_SHIFTS = 50
#: ``sample_next`` looks at this many of the best groups (those of several members get points).
SAMPLE_GROUPS = 2
#: Inside a group, a member whose own fit is this much less likely than the best member's is reported apart.
SPLIT_BELOW = 0.1
DEFAULT_WINDOW_H = 48.0
#: Longitudinal dispersion coefficient, m²/s: small rivers are ~1–30 m²/s (Fischer et al. 1979).
DEFAULT_DISPERSION_M2_S = 5.0
MAX_SHIFTS = 25
#: Inside a group, each member's fit may take the dispersion coefficient this many times smaller or larger.
DISPERSION_SPAN = 3.0
#: Relative error of a reading (monitoring uncertainty), used to weigh residuals inside a group.
DEFAULT_NOISE_REL = 0.1

Readings = dict[str, tuple[np.ndarray, np.ndarray]]


def _main_path(net: Network, a: int, b: int, limit: int = 200) -> list[str]:
    out, r = [net.ids[a]], a
    while r != b and net.main_down[r] >= 0 and len(out) < limit:
        r = int(net.main_down[r])
        out.append(net.ids[r])
    return out


def _series(readings: Readings, code: str) -> tuple[np.ndarray, np.ndarray]:
    t, v = readings.get(code, (np.zeros(0), np.zeros(0)))
    t, v = np.asarray(t, float), np.asarray(v, float)
    ok = np.isfinite(t) & np.isfinite(v)
    return t[ok], v[ok]


def _seen_h(t: np.ndarray, v: np.ndarray, t_pk: float, level: float, interval: float) -> float:
    """How long (h) the event section saw the pulse: the readings at or above ``level`` (mg/L) in one unbroken
    run through the peak reading at ``t_pk``, times the reading interval, at most 2·``SOLO_SPAN_H``.

    >>> _seen_h(np.arange(10.0), np.array([0, 0, 5, 6, 6, 5, 0, 6, 0, 0.]), 3.0, 3.0, 1.0)
    4.0
    """
    order = np.argsort(t, kind="stable")
    above = v[order] >= level
    i = int(np.searchsorted(t[order], t_pk))
    if i >= above.size or not above[i]:
        return interval
    lo, hi = i, i
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < above.size - 1 and above[hi + 1]:
        hi += 1
    return float(min(hi - lo + 1, max(1, int(2 * SOLO_SPAN_H / interval))) * interval)


def _member_likelihood(pp, q_sec, row_t, starts, durations, k, D, A_g, gid, fit, y, row_sec, n_sec,
                       noise_rel, wide, interval, solo_durations, pr):
    """Inside each group that carries load, how well each member alone explains what is left for the
    group, as ONE pulse (best start on the grid, duration in ``durations`` h, load ≥ 0, one background
    per section): exp(−(χ²_i − χ²_best) / 2), χ² = Σ (residual / σ_r)², σ_r² = s² + (noise_rel · fitted_r)²
    (s² the fit's mean squared residual). Its dispersion, decay and timing are what tell members apart.
    Every candidate alone (``alone_likelihood``) is judged under both that error model and σ_r² = s² for
    every reading, and the two likelihoods (each relative to the best candidate) averaged.
    The dispersion coefficient is known to an order of magnitude at best (reference/tracing.md §5), so
    each member takes its best of D/``DISPERSION_SPAN``, D and D·``DISPERSION_SPAN``, and release times
    are tried at half the grid step. Every candidate alone is fitted with the durations ``solo_durations`` h."""
    like = np.ones(len(gid))
    contrib = A_g * fit.x[None]  # rows, groups, shifts
    fitted = contrib.sum(axis=(1, 2)) + fit.background[row_sec]
    s2 = max(fit.residual_rms ** 2, 1e-12 * max(float(np.mean(y ** 2)), 1e-300))
    w = 1.0 / (s2 + (noise_rel * fitted) ** 2)
    wsum = np.bincount(row_sec, weights=w, minlength=n_sec)
    wsum[wsum == 0] = 1.0

    first = np.searchsorted(row_sec, np.arange(n_sec))
    contiguous = bool(np.all(np.diff(row_sec) >= 0)) and np.array_equal(np.unique(row_sec), np.arange(n_sec))

    def centre(v, w, wsum):  # remove the weighted mean per section (the background is free)
        vw = v * w.reshape((-1,) + (1,) * (v.ndim - 1))
        if contiguous:  # rows come section by section: one reduceat
            mean = np.add.reduceat(vw, first, axis=0)
        else:
            mean = np.zeros((n_sec,) + v.shape[1:])
            np.add.at(mean, row_sec, vw)
        return v - (mean / wsum.reshape((-1,) + (1,) * (v.ndim - 1)))[row_sec]

    step = float(starts[0, 1] - starts[0, 0]) if starts.shape[1] > 1 else 0.0
    n_fine = 2 * starts.shape[1] - 1 if step > 0 else starts.shape[1]
    for g in range(A_g.shape[1]):
        m = np.flatnonzero(gid == g)
        if m.size < 2 or fit.x[g].sum() <= 0:
            continue
        yc = centre(y - (contrib.sum(axis=(1, 2)) - contrib[:, g, :].sum(axis=1)), w, wsum)
        sub = type(pp)(pp.tau_h[:, m], pp.km[:, m], pp.frac[:, m])
        pr_g = pair_rows(sub, row_sec)
        best = np.zeros(m.size)
        disps = sorted({D / DISPERSION_SPAN, D, D * DISPERSION_SPAN})
        for disp in disps:  # every duration from one erf array per dispersion
            for num, den in box_fits(sub, pr_g, q_sec, row_t, starts[m, 0], step / 2, n_fine, durations, k, disp, w,
                                     wsum, yc * w):
                gain = np.where(den > 0, np.maximum(num, 0) ** 2 / np.where(den > 0, den, 1.0), 0.0)
                best = np.maximum(best, gain.max(axis=1))
        chi2 = float(np.sum(w * yc ** 2)) - best
        like[m] = np.exp(-np.minimum((chi2 - chi2.min()) / 2.0, 50.0))
    # every candidate alone against all the data (one pulse, backgrounds free): orders those the joint fit
    # leaves without a share, as a brute-force single-source fit would, instead of by their priors alone
    # over a wide grid of release times (the event section's peak may be noise where the pulse is faint)
    w_step = float(wide[0, 1] - wide[0, 0]) if wide.shape[1] > 1 else interval

    def alone(w):
        wsum = np.bincount(row_sec, weights=w, minlength=n_sec)
        wsum[wsum == 0] = 1.0
        yc = centre(y, w, wsum)
        best, load = np.zeros(len(gid)), np.zeros(len(gid))
        for num, den in box_fits(pp, pr, q_sec, row_t, wide[:, 0], w_step, wide.shape[1],
                                 solo_durations, k, D, w, wsum, yc * w):
            ok = den > 0
            gain = np.where(ok, np.maximum(num, 0) ** 2 / np.where(ok, den, 1.0), 0.0)
            at = gain.argmax(axis=1)
            g = gain[np.arange(len(gid)), at]
            better = g > best
            x = np.where(ok, np.maximum(num, 0) / np.where(ok, den, 1.0), 0.0)[np.arange(len(gid)), at]
            best, load = np.where(better, g, best), np.where(better, x, load)
        chi2 = float(np.sum(w * yc ** 2)) - best
        return np.exp(-np.minimum((chi2 - chi2.min()) / 2.0, 50.0)), load

    # the readings' error model is not known: proportional to the concentration (σ² as above, around the
    # joint fit) or the same for every reading (σ² = s², which does not judge a candidate by where the
    # joint fit put the pulse); the two likelihoods, each relative to its best candidate, are averaged
    solo_rel, load = alone(w)
    solo_flat, _ = alone(np.full_like(w, 1.0 / s2))
    return like, (solo_rel + solo_flat) / 2.0, load


def trace(net: Network, outfalls: list[OutfallSite] | OutfallIndex, sections: list[SectionSite], readings: Readings,
          *, section: str, parameter: str, at: float, at_label: str | None = None, limit: float | None = None,
          decay_per_day: float | None = None, dispersion_m2_s: float = DEFAULT_DISPERSION_M2_S,
          window_h: float = DEFAULT_WINDOW_H, sparsity: float = 0.0, n_boot: int = 50, seed: int = 0,
          noise_rel: float = DEFAULT_NOISE_REL, sample_next: bool = True) -> TraceResult:
    """Rank the outfalls that can explain the reading of ``parameter`` at ``section`` at ``at`` (hours).

    ``readings`` maps a site code (section or outfall) to (times h, values mg/L) of this parameter.
    ``sample_next``: also suggest where to sample to split the first ``SAMPLE_GROUPS`` groups of several
    members (``sampling.sample_points``; windows in the readings' hours).
    Raises InputError for a section not on the network or without a reading at ``at``.
    """
    index = outfalls if isinstance(outfalls, OutfallIndex) else OutfallIndex(net, outfalls)
    by_code = {s.code: s for s in sections}
    sec = by_code.get(section)
    if sec is None or not (0 <= sec.reach < net.n):
        raise InputError(f"section {section} not on the network",
                         user_message=f"断面「{section}」不在河网上 (未定位到河段) / section not on the river network")
    k = decay_rate(parameter, decay_per_day)
    notes: list[str] = []
    t_e, v_e = _series(readings, section)
    if t_e.size == 0:
        raise InputError(f"no readings of {parameter} at {section}",
                         user_message=f"断面「{section}」没有 {parameter} 的读数 / no readings of {parameter}")
    interval = float(np.median(np.diff(np.sort(t_e)))) if t_e.size > 1 else 1.0
    interval = interval if interval > 0 else 1.0
    near = int(np.argmin(np.abs(t_e - at)))
    if abs(t_e[near] - at) > max(0.5, interval / 2):
        raise InputError(f"no reading at {at}",
                         user_message=f"断面「{section}」在所问时间没有 {parameter} 读数，最近一次在 {t_e[near]:g} h "
                                      f"(相差 {abs(t_e[near] - at):.1f} h) / no reading at the time asked")
    observed = float(v_e[near])
    label = at_label if at_label is not None else at
    if not P.emitting_types(parameter):
        notes.append(f"没有已知排污口类型排放 {parameter}：按水力和数据排序，类型不加权 / no outfall type is known "
                     f"to emit {parameter}")
    cand = index.find(sec, window_h=window_h)
    touched = np.r_[index.reach[cand.idx], sec.reach]  # the reaches whose hydraulics this answer uses (ends)
    if np.asarray(net.defaulted)[touched].any() or not np.isfinite(np.asarray(net.flow_m3_s)[touched]).all():
        notes.append(f"部分河段流速/流量缺失，使用默认值: 流速 河道 {DEFAULT_VELOCITY_M_S['river']} m/s、湖库 "
                     f"{DEFAULT_VELOCITY_M_S['lake']} m/s；{FLOW_SOURCE} / velocity or flow missing: defaults used")
    if cand.idx.size == 0:
        notes.append(f"断面上游 {window_h:g} 小时流程内没有排污口 / no outfall upstream within {window_h:g} h")
        return TraceResult(section, parameter, label, observed, limit, [], 1.0, 0.0, notes,
                           [] if sample_next else None)
    outs = [index.outfalls[i] for i in cand.idx]
    for o in outs:
        if not o.discharge_m3_s:
            notes.append(f"排污口「{o.code}」没有设计排放量：不评估负荷可行性 / no discharge, load feasibility unknown")

    # sections with readings in the window; the event section first
    lo, hi = at - window_h, at + window_h
    sec_list, series = [sec], [(t_e, v_e)]
    for s in sections:
        if s.code == section or not (0 <= s.reach < net.n):
            continue
        t, v = _series(readings, s.code)
        w = (t >= lo) & (t <= hi)
        if w.any():
            sec_list.append(s)
            series.append((t[w], v[w]))
    w0 = (t_e >= lo) & (t_e <= hi)
    series[0] = (t_e[w0], v_e[w0])
    flows = index.flows
    pp = pair_paths(net, flows, index.reach[cand.idx], index.measure[cand.idx],
                    [s.reach for s in sec_list], [s.measure for s in sec_list])
    used = np.flatnonzero(pp.reached.any(axis=0))  # sections some candidate reaches (event section always)
    sec_list = [sec_list[j] for j in used]
    series = [series[j] for j in used]
    pp = type(pp)(pp.tau_h[:, :, used], pp.km[:, :, used], pp.frac[:, :, used])
    row_sec = np.concatenate([np.full(len(t), j) for j, (t, _) in enumerate(series)])
    row_t = np.concatenate([t for t, _ in series])
    y = np.concatenate([v for _, v in series])
    event_row = int(np.argmin(np.abs(row_t - at) + (row_sec != 0) * 1e12))
    # the flow each section's readings are diluted in: river flow plus the known discharges upstream (the
    # simulator's full mixing); the river flow alone when the outfalls' discharges are unknown
    q_sec = np.array([index.mixed_flow(s.reach, s.measure) for s in sec_list])

    # the event: background, peak time and width at the event section
    te, ve = series[0]
    bg = float(np.percentile(ve, 20))
    around = np.abs(te - at) <= max(6.0, 6 * interval)
    t_pk = float(te[around][np.argmax(ve[around])]) if around.any() else at
    pk = float(ve[around].max()) if around.any() else observed
    width = interval * max(1, int(np.sum(ve[around] >= bg + 0.5 * (pk - bg)))) if around.any() else interval
    tau_e = pp.min_tau()[:, 0]
    half = width + 2 * interval
    shifts = np.arange(-half, half + interval / 2, interval)
    if shifts.size > MAX_SHIFTS:
        shifts = np.linspace(-half, half, MAX_SHIFTS)
    starts = (t_pk - tau_e - interval / 2)[:, None] + shifts[None, :]
    pr = pair_rows(pp, row_sec)  # the readings of the sections each candidate reaches (all else is zero)
    A = pair_response(pp, pr, q_sec, row_t, starts, interval, k, dispersion_m2_s)  # rows, cand, shift
    central = A[:, :, shifts.size // 2] if A.shape[2] else A[:, :, 0]
    has_rows = np.ones(len(sec_list), bool)
    gid = group_candidates(pp, has_rows, 0, max(interval, 1e-6), central)
    G = int(gid.max()) + 1
    A_g = np.stack([A[:, gid == g, :].mean(axis=1) for g in range(G)], axis=1)
    fit = solve(A_g, y, row_sec, len(sec_list), sparsity=sparsity)
    wide_shifts = np.arange(-SOLO_SPAN_H, SOLO_SPAN_H + interval / 2, interval)
    if wide_shifts.size > SOLO_MAX_SHIFTS:
        wide_shifts = np.linspace(-SOLO_SPAN_H, SOLO_SPAN_H, SOLO_MAX_SHIFTS)
    wide = (t_pk - tau_e - interval / 2)[:, None] + wide_shifts[None, :]
    # release durations tried (h): short pulses on the readings' step, and one as long as the event section
    # saw the pulse above half its height (dispersion only widens a pulse, so a release lasts at most that)
    seen = _seen_h(te, ve, t_pk, bg + 0.5 * (pk - bg), interval)
    durations = tuple(sorted({interval, 2 * interval, 4 * interval, seen}))
    solo_durations = tuple(sorted({interval, 2 * interval, seen}))
    like, solo, solo_load = _member_likelihood(pp, q_sec, row_t, starts, durations, k, dispersion_m2_s, A_g, gid, fit, y,
                                               row_sec, len(sec_list), noise_rel, wide, interval, solo_durations, pr)

    def shares_of(x, b_event):
        contrib = (A_g[event_row] * x).sum(axis=1)
        total = max(observed, b_event + contrib.sum(), 1e-12)
        return contrib / total, contrib

    g_share, _ = shares_of(fit.x, fit.background[0])
    boot = np.zeros((max(n_boot, 0), G))
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        fitted = (A_g * fit.x[None]).sum(axis=(1, 2)) + fit.background[row_sec]
        resid = y - fitted
        for bi in range(n_boot):  # residual bootstrap: the design stays, the readings' errors are resampled
            y_b = np.maximum(fitted + resid[rng.integers(0, y.size, y.size)], 0.0)
            f = solve(A_g, y_b, row_sec, len(sec_list), sparsity=sparsity)
            boot[bi] = shares_of(f.x, f.background[0])[0]
    g_sd = boot.std(axis=0) if n_boot > 1 else np.zeros(G)

    # priors
    frac_e, tau_all = pp.frac[:, :, 0], pp.tau_h[:, :, 0]
    delivery = (frac_e * np.exp(-k * tau_all / 24.0)).sum(axis=0)
    # the steady rise an outfall alone causes: its delivered load in the river flow plus its own water
    # (independent of the other outfalls, so removing one never raises another's)
    q_river, water = float(flows[sec.reach]), frac_e.sum(axis=0)
    items = []
    for n, o in enumerate(outs):
        typ = P.typical(o.type_l1, parameter)
        tf, treason = P.type_factor(o.type_l1, parameter)
        if not P.emitting_types(parameter):
            tf, treason = 1.0, "no type emits it"
        cap = typ if typ is not None else P.upper_raw(parameter)  # no row for its type: the strongest effluent
        feas = P.load_feasibility(o.discharge_m3_s, cap.raw_mg_l if cap else None, solo_load[n])
        ot, ov = _series(readings, o.code)
        s0 = starts[n, 0]
        df, dreason, _, _ = P.data_factor(ot, ov, s0 - interval, starts[n, -1] + 2 * interval,
                                           typ.typical_mg_l if typ else None)
        hf = P.history_factor(o.violations)
        exp_load = o.discharge_m3_s * typ.typical_mg_l if (o.discharge_m3_s and typ) else None
        items.append(dict(tf=tf, treason=treason, feas=feas, df=df, dreason=dreason, hf=hf, exp_load=exp_load,
                          prior=tf * (feas if feas is not None else 1.0) * df * hf))
    # a group's share goes to its members by type, own data, history and their own fit (not by size:
    # a spill's load is what the data fit; whether the outfall could deliver it is the feasibility factor)
    weight = np.array([it["tf"] * it["df"] * it["hf"] for it in items]) * like
    share = np.zeros(len(outs))
    sd = np.zeros(len(outs))
    for g in range(G):
        m = gid == g
        w = weight[m] / weight[m].sum() if weight[m].sum() > 0 else np.full(m.sum(), 1.0 / m.sum())
        share[m], sd[m] = g_share[g] * w, g_sd[g] * w
    contrib = share * observed  # Σ contributions + unexplained · observed = observed
    # members the data make far less likely than the group's best (likelihood < SPLIT_BELOW) stand alone
    apart = np.flatnonzero(like < SPLIT_BELOW)
    shown = gid.copy()
    shown[apart] = G + np.arange(apart.size)
    prior = np.array([it["prior"] for it in items])
    raw_score = prior * (share + SCORE_FLOOR) * (SOLO_FLOOR + solo)
    score = raw_score / raw_score.sum()
    g_load = fit.x.sum(axis=1)
    results = []
    for n, o in enumerate(outs):
        it = items[n]
        load_n = g_load[gid[n]] * (share[n] / g_share[gid[n]] if g_share[gid[n]] > 0 else 0.0)
        ev = Evidence(path=_main_path(net, o.reach, sec.reach), distance_km=float(cand.km[n]),
                      travel_time_h=float(cand.tau_h[n]), delivery=float(delivery[n]), load_feasibility=it["feas"],
                      data=it["df"], data_reason=it["dreason"], type=it["tf"], type_reason=it["treason"],
                      history=it["hf"], fit_likelihood=float(like[n]), prior=float(prior[n]), fit_share=float(share[n]), share_sd=float(sd[n]),
                      expected_contribution_mg_l=(it["exp_load"] * delivery[n] / (q_river + water[n] * o.discharge_m3_s))
                      if it["exp_load"] else None,
                      load_ratio=(load_n / it["exp_load"]) if it["exp_load"] else None,
                      alone_likelihood=float(solo[n]), alone_load_g_s=float(solo_load[n]))
        results.append(CandidateResult(o.code, float(score[n]), float(share[n]), float(cand.km[n]),
                                       float(cand.tau_h[n]), float(contrib[n]), int(shown[n]), ev))
    results.sort(key=lambda c: (-c.score, c.travel_time_h, c.outfall))
    # renumber groups by best member
    renum: dict[int, int] = {}
    for c in results:
        renum.setdefault(c.group, len(renum) + 1)
    results = [CandidateResult(c.outfall, c.score, c.share, c.distance_km, c.travel_time_h,
                               c.estimated_contribution_mg_l, renum[c.group], c.evidence) for c in results]
    unexplained = 1.0 - float(share.sum())
    points = None
    if sample_next:
        pos = {o.code: (int(index.reach[i]), float(index.measure[i])) for o, i in zip(outs, cand.idx, strict=True)}
        window = (t_pk - width / 2 - interval, t_pk + width / 2 + interval)
        points, seen = [], []
        for c in results:
            if c.group in seen:
                continue
            seen.append(c.group)
            members = [(m.outfall, *pos[m.outfall], m.score) for m in results if m.group == c.group]
            if len(members) >= 2 and len(seen) <= SAMPLE_GROUPS:
                points += sample_points(net, members, sec.reach, sec.measure, window, group=c.group)
    return TraceResult(section, parameter, label, observed, limit, results, unexplained, float(fit.background[0]), notes,
                       points)
