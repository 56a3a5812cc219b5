"""Source tracing: accuracy on simulated spills and latency on a big network, against a peer.

Scenarios come from ``outfall.core.simulate`` on a synthetic county network (and on the NHDPlus
basins in the shared data when present): single- and two-source pulses, noise 5–20 %, unknown
background and release time, half the outfalls with their own readings, 8 to 30 sections.
The peer (built here) is a brute-force least-squares fit of ONE source over every candidate and
every release time on the hour (per-section intercepts), ranked by residual; it uses no priors.
Targets (issue #10): recall 100 %; MRR ≥ the peer's, ≥ 1.2× when half the outfalls have data;
a trace under 50 ms (median) on the county network; the core trace under 5 ms on a 1,000,000-reach network
with 100,000 outfalls. MISSED marks a miss.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from bench.common import best_of, print_table

TYPES = ["工业排污口", "城镇污水处理厂排污口", "农业排口", "其他排口"]
HORIZON = np.arange(0.0, 72.0, 1.0)
WINDOW_H = 48.0


def county_tree(n: int, rng) -> np.ndarray:
    parent = np.arange(-1, n - 1)
    jump = np.flatnonzero(rng.random(n) < 0.25)
    jump = jump[jump > 0]
    parent[jump] = (rng.random(jump.size) * jump).astype(np.int64)
    return parent


def _peer_ranks(A_fun, cand_codes, y, row_sec, n_sec):
    """Brute force: every candidate × every release hour, LS load with per-section intercepts."""
    R = y.size
    best = np.zeros(len(cand_codes))
    for chunk in np.array_split(HORIZON, 8):  # release hours in chunks, to bound memory
        best = np.maximum(best, _peer_gain(A_fun(chunk), y, row_sec, n_sec, R))
    order = np.argsort(-best, kind="stable")
    return [cand_codes[i] for i in order]


def _peer_gain(A, y, row_sec, n_sec, R):
    """Best reduction of the residual sum of squares by one load ≥ 0 per candidate (max over release hours)."""
    cnt = np.bincount(row_sec, minlength=n_sec).astype(float)
    def centre(M):
        s = np.zeros((n_sec,) + M.shape[1:])
        np.add.at(s, row_sec, M)
        return M - (s / np.maximum(cnt, 1).reshape((-1,) + (1,) * (M.ndim - 1)))[row_sec]
    yc, Ac = centre(y), centre(A.reshape(R, -1)).reshape(A.shape)
    num = np.einsum("r,rcs->cs", yc, Ac)
    den = np.einsum("rcs,rcs->cs", Ac, Ac)
    gain = np.where(den > 0, np.maximum(num, 0) ** 2 / np.where(den > 0, den, 1), 0)
    return gain.max(axis=1)  # larger gain = smaller residual


def make_scenario(net, outs, secs, rng, *, n_sources, own_half, k=0.2, D=5.0):
    """One simulated event (all the random draws of a scenario), or None when no section sees an outfall."""
    from outfall.core.simulate import Point, Pulse, Source, Steady
    from outfall.core.simulate.scenario import readings_for
    from outfall.core.tracing import OutfallIndex
    from outfall.core.tracing.priors import typical

    index = OutfallIndex(net, outs)
    # pick source(s) and the event section: a section downstream within the window
    for _ in range(200):
        s0 = int(rng.integers(len(outs)))
        down = [s for s in secs if index.find(s, window_h=WINDOW_H / 2).idx.tolist().count(s0)]
        if not down:
            continue
        ev = down[int(rng.integers(len(down)))]
        cands = index.find(ev, window_h=WINDOW_H).idx
        if n_sources == 2:
            others = [int(c) for c in cands if c != s0]
            if not others:
                continue
            srcs_i = [s0, int(rng.choice(others))]
        else:
            srcs_i = [s0]
        break
    else:
        return None
    noise = float(rng.uniform(0.05, 0.20))
    bg = float(rng.uniform(0.1, 1.0))
    tau = {int(i): float(t) for i, t in zip(cands, index.find(ev, window_h=WINDOW_H).tau_h, strict=True)}
    arrive = float(rng.uniform(30, 50))
    sources = []
    for n, o in enumerate(outs):
        base = 2.0 + 3.0 * rng.random()
        if n in srcs_i:
            raw = typical(o.type_l1, "NH3N").raw_mg_l  # a spill of untreated effluent, 0.5–2× its type's raw
            c = Pulse(raw * float(rng.uniform(0.5, 2.0)), arrive - tau[n] + float(rng.uniform(-2, 2)),
                      float(rng.uniform(1, 4)), base)
        else:
            c = Steady(base)
        sources.append(Source(o.code, o.reach, o.measure, o.discharge_m3_s or 0.01, c))
    own = {o.code for o in outs if own_half and rng.random() < 0.5}
    pts = [Point(s.code, s.reach, s.measure) for s in secs]
    rd = readings_for(net, sources, pts, HORIZON, own_data=own, noise_rel=noise, seed=int(rng.integers(2**31)),
                      parameter="NH3N", decay_per_day=k, dispersion_m2_s=D, background_mg_l=bg, decimals=3)
    t_ev, v_ev = rd[ev.code]
    at = float(t_ev[np.argmax(v_ev)])
    return dict(net=net, outs=outs, secs=secs, index=index, cands=cands, ev=ev, rd=rd, at=at, srcs_i=srcs_i,
                k=k, D=D, noise=noise)


def evaluate(sc):
    """Trace a scenario (timed) and rank the same candidates with the peer; ours and the peer's rankings."""
    if sc is None:
        return None
    from outfall.core.tracing import trace
    from outfall.core.tracing.model import pair_paths, response

    net, outs, secs, index, cands, ev, rd, at, k, D = (sc[x] for x in ("net", "outs", "secs", "index", "cands", "ev",
                                                                          "rd", "at", "k", "D"))
    lat = float("inf")
    for _ in range(TIMED_RUNS):  # best of a few runs: on a shared machine one run mostly measures the others
        t0 = time.perf_counter()
        res = trace(net, index, secs, rd, section=ev.code, parameter="NH3N", at=at, decay_per_day=k,
                    dispersion_m2_s=D, window_h=WINDOW_H, n_boot=0)
        lat = min(lat, time.perf_counter() - t0)
    # the peer on the same candidates and the same sections
    codes = [outs[i].code for i in cands]
    used = [s for s in secs if (rd[s.code][0].size)]
    flows = index.flows
    pp = pair_paths(net, flows, index.reach[cands], index.measure[cands], [s.reach for s in used],
                    [s.measure for s in used])
    row_sec = np.concatenate([np.full(HORIZON.size, j) for j in range(len(used))])
    row_t = np.tile(HORIZON, len(used))
    y = np.concatenate([rd[s.code][1] for s in used])
    q_sec = np.array([index.mixed_flow(s.reach, s.measure) for s in used])  # the same dilution as ours
    peer = _peer_ranks(lambda S: response(pp, q_sec, row_sec, row_t, np.broadcast_to(S, (len(cands), S.size)),
                                          2.0, k, D), codes, y, row_sec, len(used))
    truth = [outs[i].code for i in sc["srcs_i"]]
    ours = [c.outfall for c in res.candidates]
    top_group = set(res.group_of(ours[0])) if ours else set()
    pred = {c.outfall for c in res.candidates if c.share >= 0.1} or set(ours[:1])
    return dict(truth=truth, ours=ours, peer=peer, lat=lat, top_group=top_group, pred=pred, res=res,
                groups=[len(res.group_of(c)) for c in ours[:1]], n_cand=len(ours))


def run_scenario(net, outs, secs, rng, *, n_sources, own_half, k=0.2, D=5.0):
    return evaluate(make_scenario(net, outs, secs, rng, n_sources=n_sources, own_half=own_half, k=k, D=D))


def _rr(ranking, truth):
    ranks = [ranking.index(t) + 1 for t in truth if t in ranking]
    return 1.0 / min(ranks) if ranks else 0.0


def summarise(label, runs):
    ok = [r for r in runs if r]
    if not ok:
        return [label, 0] + ["-"] * 9
    recall = np.mean([all(t in r["ours"] for t in r["truth"]) for r in ok])
    top1 = np.mean([r["ours"][:1] == r["truth"][:1] or r["ours"][0] in r["truth"] for r in ok])
    top1g = np.mean([bool(set(r["truth"]) & r["top_group"]) for r in ok])
    top3 = np.mean([bool(set(r["truth"]) & set(r["ours"][:3])) for r in ok])
    mrr = np.mean([_rr(r["ours"], r["truth"]) for r in ok])
    mrr_p = np.mean([_rr(r["peer"], r["truth"]) for r in ok])
    two = [r for r in ok if len(r["truth"]) == 2]
    prec = np.mean([len(r["pred"] & set(r["truth"])) / len(r["pred"]) for r in two]) if two else float("nan")
    rec = np.mean([len(r["pred"] & set(r["truth"])) / 2 for r in two]) if two else float("nan")
    lat = np.median([r["lat"] for r in ok]) * 1000
    grp = np.mean([r["groups"][0] for r in ok])
    return [label, len(ok), f"{recall:.0%}", f"{top1:.0%} ({top1g:.0%} grp)", f"{top3:.0%}", f"{mrr:.3f}",
            f"{mrr_p:.3f}", f"{prec:.2f}/{rec:.2f}" if two else "-", f"{grp:.1f}", f"{lat:.1f}",
            np.mean([r["n_cand"] for r in ok]).round(1)], recall, mrr, mrr_p


def county(rng, n_reaches=400, n_outfalls=120):
    from outfall.core.network.graph import network_from_arrays
    from outfall.core.tracing import OutfallSite, SectionSite

    net = network_from_arrays(county_tree(n_reaches, rng), rng.uniform(500, 2500, n_reaches),
                              velocity_m_s=rng.uniform(0.15, 0.6, n_reaches))
    return net, _sites(net, rng, n_outfalls, OutfallSite, SectionSite)


def _sites(net, rng, n_outfalls, OutfallSite, SectionSite):
    outs = [OutfallSite(f"P{i}", int(r), float(rng.uniform(0.05, 0.95)), TYPES[int(rng.integers(4))],
                        float(rng.uniform(0.003, 0.05)), int(rng.integers(0, 3)))
            for i, r in enumerate(rng.integers(0, net.n, n_outfalls))]
    big = np.flatnonzero(net.size >= 3)
    n_sec = int(rng.integers(8, 31))
    picks = rng.choice(big if big.size >= n_sec else np.arange(net.n), size=min(n_sec, net.n), replace=False)
    secs = [SectionSite(f"S{i}", int(r), 0.9) for i, r in enumerate(picks)]
    return outs, secs


#: The seed of the reported scenarios. Tune on other seeds (``BENCH_TRACING_SEED=11 python -m bench tracing``),
#: report on this one.
SEED = 10
#: Each trace is timed this many times and its best run kept (as ``best_of`` for the big network).
TIMED_RUNS = 3
#: Target for one trace (median, no bootstrap) on the county network.
COUNTY_MS = 50.0


def scenario_rows(seed: int, quick: bool):
    """(network name, sources, own data?, events) per bench row, in the bench's order and with its random
    stream (tracing draws nothing, so generating the events first changes none of them)."""
    rng = np.random.default_rng(seed)
    n = 3 if quick else 20
    nets = [("county", lambda: county(rng))]
    gpkg = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nhdplus" / "new_hope.gpkg"
    if quick:
        print("(--quick: the NHDPlus basin is left to the full run)")
    elif gpkg.exists():
        from outfall.core.network import build_network, read_reaches
        from outfall.core.tracing import OutfallSite, SectionSite

        real = build_network(read_reaches(gpkg))
        nets.append(("new_hope (NHDPlus)", lambda: (real, _sites(real, rng, 150, OutfallSite, SectionSite))))
    else:
        print("(NHDPlus basin not found at ../shared/data/nhdplus: skipped)")
    for name, make in nets:
        for n_src, own in ((1, False), (1, True), (2, True)):
            events = []
            for _ in range(n):
                net, (outs, secs) = make()
                events.append(make_scenario(net, outs, secs, rng, n_sources=n_src, own_half=own))
            yield name, n_src, own, events


def _print_events(label, runs):
    """Per event: the rank of the (first-found) true source in ours and in the peer's ranking."""
    print(f"  {label}: event, candidates, our rank, peer rank")
    for n, r in enumerate(runs):
        if r:
            ours = min(r["ours"].index(t) + 1 for t in r["truth"])
            peer = min(r["peer"].index(t) + 1 for t in r["truth"])
            print(f"    {n:2d} {r['n_cand']:4d} {ours:4d} {peer:4d}{'  <' if ours > peer else ''}")


def accuracy(quick: bool):
    seed = int(os.environ.get("BENCH_TRACING_SEED", SEED))
    show = bool(os.environ.get("BENCH_TRACING_EVENTS"))
    rows, verdicts = [], []
    for name, n_src, own, events in scenario_rows(seed, quick):
        runs = [evaluate(sc) for sc in events]
        row, recall, mrr, mrr_p = summarise(f"{name}, {n_src} source{'s' if n_src > 1 else ''}, "
                                            f"{'half with own data' if own else 'no own data'}", runs)
        rows.append(row)
        if show:
            _print_events(row[0], runs)
        need = 1.2 * mrr_p if own else mrr_p
        if recall < 1.0:
            verdicts.append(f"MISSED recall {recall:.0%} < 100 % ({row[0]})")
        if mrr < need:
            verdicts.append(f"MISSED MRR {mrr:.3f} < {need:.3f} ({row[0]})")
        lat_ms = float(np.median([r["lat"] for r in runs if r])) * 1000 if any(runs) else 0.0
        if name == "county" and lat_ms > COUNTY_MS:
            verdicts.append(f"MISSED trace {lat_ms:.1f} ms > {COUNTY_MS:g} ms at county scale ({row[0]})")
    print_table(["scenario", "runs", "recall", "top-1", "top-3", "MRR", "peer MRR", "2-src P/R", "top group",
                 "ms/trace", "candidates"], rows)
    for v in verdicts:
        print(v)


def latency(quick: bool):
    from bench.bench_network import synthetic_tree
    from outfall.core.network.graph import network_from_arrays
    from outfall.core.simulate import Point, Pulse, Source
    from outfall.core.simulate.scenario import readings_for
    from outfall.core.tracing import OutfallIndex, OutfallSite, SectionSite, trace

    n, n_out = (100_000, 10_000) if quick else (1_000_000, 100_000)
    rng = np.random.default_rng(5)
    net = network_from_arrays(synthetic_tree(n), rng.uniform(200, 3000, n))
    outs = [OutfallSite(f"P{i}", int(r), float(m), TYPES[i % 4], 0.01)
            for i, (r, m) in enumerate(zip(rng.integers(0, n, n_out), rng.uniform(0, 1, n_out), strict=True))]
    t0 = time.perf_counter()
    index = OutfallIndex(net, outs)
    _ = index.flows
    t_index = time.perf_counter() - t0
    # an event: a section with a mid-sized basin, 10 sections around it
    ev_reach = int(np.flatnonzero((net.size > 2000) & (net.size < 6000))[0])
    sub = net.order[net.pre[ev_reach]: net.pre[ev_reach] + net.size[ev_reach]]
    sec_reaches = [ev_reach, *rng.choice(sub[1:], 9, replace=False).tolist()]
    secs = [SectionSite(f"S{i}", int(r), 0.9) for i, r in enumerate(sec_reaches)]
    ev = secs[0]
    window = 12.0
    cand = index.find(ev, window_h=window)
    src = outs[int(cand.idx[np.argmax(cand.tau_h)])]
    srcs = [Source(src.code, src.reach, src.measure, 0.01, Pulse(300.0, 20.0 - float(cand.tau_h.max()), 2.0, 3.0))]
    rd = readings_for(net, srcs, [Point(s.code, s.reach, s.measure) for s in secs], np.arange(0, 36.0), noise_rel=0.1,
                      seed=1, background_mg_l=0.3)
    at = float(np.argmax(rd[ev.code][1]))

    def run():
        return trace(net, index, secs, rd, section=ev.code, parameter="NH3N", at=at, window_h=window, n_boot=0)

    res = run()
    t_core = best_of(run, repeat=5)
    t_cand = best_of(lambda: index.find(ev, window_h=window), repeat=5, number=20)
    t_boot = best_of(lambda: trace(net, index, secs, rd, section=ev.code, parameter="NH3N", at=at,
                                   window_h=window, n_boot=50), repeat=2)
    print_table(["network", "index build s", "candidates", "find ms", "trace ms (no bootstrap)",
                 "trace ms (50 bootstraps)", "source rank"],
                [[f"{n:,} reaches, {n_out:,} outfalls", f"{t_index:.2f}", len(res.candidates),
                  f"{t_cand * 1000:.3f}", f"{t_core * 1000:.2f}", f"{t_boot * 1000:.1f}", res.rank_of(src.code)]])
    if not quick and t_core > 0.005:
        print(f"MISSED core trace {t_core * 1000:.2f} ms > 5 ms")


def main(quick: bool = False) -> None:
    accuracy(quick)
    print()
    latency(quick)
