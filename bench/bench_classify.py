"""GB 3838 classification: vectorised (numpy searchsorted) vs a per-value Python loop, same run.

Target (issue #3): ≥ 20 million values/s vectorised."""

from __future__ import annotations

import numpy as np

from bench.common import best_of, print_table


def main(quick: bool = False) -> None:
    from outfall.core.standards import classify_array, classify_value

    n = 1_000_000 if quick else 10_000_000
    rng = np.random.default_rng(3702)
    values = rng.lognormal(mean=-0.5, sigma=1.0, size=n)  # NH3N-like, mg/L, spans classes I to 劣V
    do = rng.uniform(0.5, 12.0, size=n)
    t_nh3 = best_of(lambda: classify_array("NH3N", values), repeat=3)
    t_do = best_of(lambda: classify_array("DO", do), repeat=3)
    m = 100_000
    sub = values[:m].tolist()
    t_loop = best_of(lambda: [classify_value("NH3N", v) for v in sub], repeat=1)
    rows = [
        ["classify_array NH3N (upper bound)", f"{n:,}", f"{t_nh3 * 1e3:.1f}", f"{n / t_nh3 / 1e6:.1f}"],
        ["classify_array DO (lower bound)", f"{n:,}", f"{t_do * 1e3:.1f}", f"{n / t_do / 1e6:.1f}"],
        ["per-value Python loop (classify_value)", f"{m:,}", f"{t_loop * 1e3:.1f}", f"{m / t_loop / 1e6:.3f}"],
    ]
    print("target: ≥ 20 million values/s vectorised\n")
    print_table(["method", "values", "ms", "million values/s"], rows)
    print(f"\nspeed-up of the vectorised path over the loop: {(n / t_nh3) / (m / t_loop):,.0f}×")
