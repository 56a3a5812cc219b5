"""GB 3838 classification: the vectorised path against np.searchsorted and a per-value Python loop, same run.

Target: ≥ 20 million values/s vectorised. ``python -m bench classify`` (``--quick``: 1 million values).
The loop rows run on a subset (their rate does not depend on N); every row reports values per second.
"""

from __future__ import annotations

import numpy as np

from bench.common import best_of, print_table

TARGET = 20e6  # values/s


def main(quick: bool = False) -> None:
    from outfall.core.standards import classify_array, classify_value, evaluate_sample
    from outfall.core.standards.gb3838 import thresholds

    n = 1_000_000 if quick else 10_000_000
    rng = np.random.default_rng(3702)
    nh3 = rng.lognormal(mean=-0.5, sigma=1.0, size=n)  # NH3N-like, mg/L: spans class I to 劣V
    nh3[rng.random(n) < 0.01] = np.nan  # 1 % missing
    do = rng.uniform(0.5, 12.0, size=n)
    tp = nh3 / 10
    t_nh3 = thresholds("NH3N")

    timings = [
        ("classify_array NH3N (upper bound)", n, best_of(lambda: classify_array("NH3N", nh3), repeat=3)),
        ("classify_array NH3N, rounded to 3 decimals", n,
         best_of(lambda: classify_array("NH3N", nh3, decimals=3), repeat=3)),
        ("classify_array DO (lower bound)", n, best_of(lambda: classify_array("DO", do), repeat=3)),
        ("classify_array TP lake", n, best_of(lambda: classify_array("TP", tp, water_type="lake"), repeat=3)),
        ("peer: np.searchsorted(thresholds) + 1, NaN → 0", n, best_of(lambda: _searchsorted(t_nh3, nh3), repeat=3)),
    ]
    m = 200_000 if quick else 1_000_000
    sub = nh3[:m].tolist()
    timings.append(("peer: Python loop of classify_value", m,
                    best_of(lambda: [classify_value("NH3N", v) for v in sub], repeat=1)))
    k = 20_000
    samples = [{"PH": 7.5, "DO": d, "CODMN": 3.1, "NH3N": v, "TP": 0.08} for d, v in zip(do[:k], nh3[:k], strict=True)]
    timings.append(("evaluate_sample, 5 items a sample (values)", 5 * k,
                    best_of(lambda: [evaluate_sample(s) for s in samples], repeat=1)))

    same = np.array_equal(classify_array("NH3N", nh3[:m]), _searchsorted(t_nh3, nh3[:m]))
    same = same and [c.rank if c else 0 for c in (classify_value("NH3N", v) for v in sub[:10_000])] == \
        classify_array("NH3N", nh3[:10_000]).tolist()
    rows = [[name, f"{count:,}", f"{t * 1e3:,.1f}", f"{count / t / 1e6:,.1f}"] for name, count, t in timings]
    print(f"target: ≥ {TARGET / 1e6:.0f} million values/s vectorised; all paths give the same classes: {same}\n")
    print_table(["method", "values", "ms", "million values/s"], rows)
    best = timings[0][1] / timings[0][2]
    loop = timings[5][1] / timings[5][2]
    print(f"\nclassify_array: {best / 1e6:,.0f} million values/s ({'meets' if best >= TARGET else 'MISSES'} the "
          f"target), {best / loop:,.0f}× the Python loop, {timings[4][2] / timings[0][2]:.1f}× np.searchsorted")


def _searchsorted(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = np.searchsorted(t, x, side="left").astype(np.int8)
    out += 1
    out[np.isnan(x)] = 0
    return out
