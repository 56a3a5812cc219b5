"""The single-pulse fits on the (outfall, section) pairs a path joins (tracing.fits) give the numbers of the
dense rows × outfalls × release-times evaluation (model.boxes / model.response), on a braided network
and on random trees, for whole-step and other durations, with and without dispersion."""

from __future__ import annotations

import importlib
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networks import ALL

from outfall.core.network import build_network
from outfall.core.network.graph import network_from_arrays
from outfall.core.simulate import reach_flows
from outfall.core.tracing.fits import ERF_SATURATES, box_fits, pair_response, pair_rows
from outfall.core.tracing.model import boxes, pair_paths, response


@cache
def braid():
    return build_network(ALL["braid"]())


def dense_fits(pp, q, row_sec, row_t, first, step, n, durations, k, D, w, wsum, ywc):
    """The reference: every box over all rows, centred per section with the weights, then num and den."""
    out = []
    for R in boxes(pp, q, row_sec, row_t, first, step, n, durations, k, D):
        sums = np.zeros((wsum.size,) + R.shape[1:])
        np.add.at(sums, row_sec, R * w[:, None, None])
        Rc = R - (sums / wsum[:, None, None])[row_sec]
        out.append((np.einsum("r,rms->ms", ywc, Rc), np.einsum("r,rms->ms", w, Rc * Rc)))
    return out


def check(pp, q, row_sec, row_t, first, step, n, durations, k, D, rng):
    n_sec = q.size
    w = rng.uniform(0.5, 2.0, row_sec.size)
    wsum = np.bincount(row_sec, weights=w, minlength=n_sec)
    wsum[wsum == 0] = 1.0
    y = rng.uniform(0.0, 3.0, row_sec.size)
    means = np.bincount(row_sec, weights=w * y, minlength=n_sec) / wsum
    ywc = w * (y - means[row_sec])
    pr = pair_rows(pp, row_sec)
    got = box_fits(pp, pr, q, row_t, first, step, n, durations, k, D, w, wsum, ywc)
    want = dense_fits(pp, q, row_sec, row_t, first, step, n, durations, k, D, w, wsum, ywc)
    for (gn, gd), (wn, wd) in zip(got, want, strict=True):
        scale = max(1.0, float(np.abs(wd).max()))
        np.testing.assert_allclose(gn, wn, rtol=1e-9, atol=1e-12 * scale)
        np.testing.assert_allclose(gd, wd, rtol=1e-9, atol=1e-12 * scale)
    grid = first[:, None] + step * np.arange(n)[None, :]
    np.testing.assert_array_equal(pair_response(pp, pr, q, row_t, grid, durations[0], k, D),
                                  response(pp, q, row_sec, row_t, grid, durations[0], k, D))


@pytest.mark.parametrize("dispersion", [0.0, 3.0])
@pytest.mark.parametrize("step, durations", [(0.5, (1.0, 2.0, 1.5)), (0.7, (1.0,)), (1.0, (1.0, 2.0, 3.0))])
def test_pair_fits_equal_the_dense_fits_on_a_braid(dispersion, step, durations):
    net = braid()
    pp = pair_paths(net, reach_flows(net)[0], [0, 1, 2, 3], [0.2, 0.5, 0.1, 0.9], [3, 1, 3], [0.5, 0.8, 1.0])
    row_sec = np.repeat([0, 1, 2], 12)
    row_t = np.tile(np.arange(12.0), 3)
    q = np.array([1.0, 0.4, 1.2])
    first = np.array([-1.3, 0.2, 2.0, 4.0])
    check(pp, q, row_sec, row_t, first, step, 9, durations, 0.2, dispersion, np.random.default_rng(1))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_reach=st.integers(2, 40), n_src=st.integers(1, 12), n_sec=st.integers(1, 6),
       dispersion=st.sampled_from([0.0, 0.5, 5.0, 50.0]))
def test_pair_fits_equal_the_dense_fits_on_random_trees(seed, n_reach, n_src, n_sec, dispersion):
    rng = np.random.default_rng(seed)
    parent = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n_reach)])
    net = network_from_arrays(parent, rng.uniform(300, 3000, n_reach), velocity_m_s=rng.uniform(0.1, 1.0, n_reach))
    src_r, sec_r = rng.integers(0, n_reach, n_src), rng.integers(0, n_reach, n_sec)
    pp = pair_paths(net, reach_flows(net)[0], src_r, rng.uniform(0, 1, n_src), sec_r, rng.uniform(0, 1, n_sec))
    counts = rng.integers(0, 10, n_sec)  # a section may have no reading
    row_sec = np.repeat(np.arange(n_sec), counts)
    row_t = np.concatenate([np.sort(rng.uniform(0, 24, c)) for c in counts]) if counts.sum() else np.zeros(0)
    q = rng.uniform(0.2, 5.0, n_sec)
    first = rng.uniform(-10, 10, n_src)
    check(pp, q, row_sec, row_t, first, 1.0, 6, (1.0, 2.0, 2.5), 0.2, dispersion, rng)


def test_erf_is_exactly_one_where_the_step_skips_it():
    from scipy.special import erf
    x = np.linspace(ERF_SATURATES, 60.0, 100_001)
    assert np.all(erf(x) == 1.0) and np.all(erf(-x) == -1.0)


_ROW_SEC: dict[int, np.ndarray] = {}  # the readings' sections of each PairRows the trace built (by id)


def _pair_rows_kept(pp, row_sec):
    pr = pair_rows(pp, row_sec)
    _ROW_SEC[id(pr)] = row_sec
    return pr


def _dense_box_fits(pp, pr, q, row_t, first, step, n, durations, k, D, w, wsum, ywc):
    return dense_fits(pp, q, _ROW_SEC[id(pr)], row_t, first, step, n, durations, k, D, w, wsum, ywc)


@pytest.mark.parametrize("seed", [10, 11, 12, 13])
def test_trace_ranks_the_same_with_the_dense_evaluation(seed, monkeypatch):
    """The ranked output on fixed seeded events (a random county tree, noisy spill, half the outfalls with
    their own readings) is the same with the pair evaluation as with the dense one it replaced."""
    from outfall.core.simulate import Point, Pulse, Source, Steady
    from outfall.core.simulate.scenario import readings_for
    from outfall.core.tracing import OutfallSite, SectionSite, trace
    trace_mod = importlib.import_module("outfall.core.tracing.trace")

    rng = np.random.default_rng(seed)
    n = 120
    parent = np.array([-1] + [int(rng.integers(max(0, i - 3), i)) for i in range(1, n)])
    net = network_from_arrays(parent, rng.uniform(500, 2500, n), velocity_m_s=rng.uniform(0.15, 0.6, n))
    types = ["工业排污口", "城镇污水处理厂排污口", "农业排口", "其他排口"]
    outs = [OutfallSite(f"P{i}", int(r), float(rng.uniform(0.05, 0.95)), types[i % 4], float(rng.uniform(0.003, 0.05)),
                        int(rng.integers(0, 3))) for i, r in enumerate(rng.integers(0, n, 40))]
    secs = [SectionSite(f"S{i}", int(r), 0.9) for i, r in enumerate(rng.choice(n, 12, replace=False))]
    secs.append(SectionSite("S_out", 0, 0.9))
    spill = int(rng.integers(len(outs)))
    srcs = [Source(o.code, o.reach, o.measure, o.discharge_m3_s,
                   Pulse(300.0, 20.0, 2.0, 3.0) if i == spill else Steady(3.0)) for i, o in enumerate(outs)]
    own = {o.code for o in outs if rng.random() < 0.5}
    rd = readings_for(net, srcs, [Point(s.code, s.reach, s.measure) for s in secs], np.arange(0.0, 72.0), own_data=own,
                      noise_rel=0.1, seed=seed, background_mg_l=0.3, dispersion_m2_s=5.0)
    at = float(np.argmax(rd["S_out"][1]))

    def run():
        return trace(net, outs, secs, rd, section="S_out", parameter="NH3N", at=at, window_h=72.0, n_boot=5).as_dict()

    got = run()
    monkeypatch.setattr(trace_mod, "pair_rows", _pair_rows_kept)
    monkeypatch.setattr(trace_mod, "box_fits", _dense_box_fits)
    monkeypatch.setattr(trace_mod, "pair_response",
                        lambda pp, pr, q, row_t, starts, d, k, D: response(pp, q, _ROW_SEC[id(pr)], row_t, starts, d, k, D))
    want = run()
    assert [c["outfall"] for c in got["candidates"]] == [c["outfall"] for c in want["candidates"]]
    assert got == want
