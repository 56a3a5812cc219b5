"""Early-warning rules: every rule over 1,000,000 readings of 1,000 sites, against pandas.

``python -m bench warning`` (``--quick``: 200,000 readings of 200 sites). Target: ≥ 1 million
readings/s for every rule together (the per-reading rules, their episodes, the period rules and the
station-offline check). The peer is a plain pandas groupby implementation of two rules
(exceedance and k-of-n repeated exceedance), measured in the same run on the same data; both must
flag the same readings.
"""

from __future__ import annotations

import numpy as np

from bench.common import best_of, print_table

TARGET = 1e6  # readings/s


def _data(sites: int, per_site: int):
    from outfall.core.warning import SeriesSpec, section_limit

    rng = np.random.default_rng(370285)
    n = sites * per_site
    series = np.repeat(np.arange(sites), per_site)
    t0 = 1_735_660_800  # 2025-01-01 00:00 +08:00
    time = t0 + np.tile(np.arange(per_site) * 4 * 3600, sites)  # every 4 h
    params = np.where(np.arange(sites) % 4 == 3, "DO", "NH3N")
    base = np.where(params == "DO", 7.0, 0.5)
    value = base[series] * rng.lognormal(0.0, 0.25, n)
    spikes = rng.random(n) < 0.003  # illegal-discharge pulses
    value[spikes & (params[series] == "NH3N")] *= 6.0
    value[spikes & (params[series] == "DO")] *= 0.4
    drop = rng.random(n) < 0.002  # station offline now and then
    keep = ~drop
    limits = [section_limit(p, "III") for p in params]
    spec = SeriesSpec.from_limits(limits, steps=[0.01] * sites, intervals_s=[4 * 3600] * sites)
    return series[keep], time[keep], value[keep], spec, params


def _ours(series, time, value, spec, rules):
    from outfall.core.standards import classify_array
    from outfall.core.warning import Readings, class_worse, episodes, evaluate, gaps_now, period_means, trends

    r = Readings.from_arrays(series, time, value)
    f = evaluate(r, spec, rules)
    out = {name: episodes(r, f.flags(name)) for name in ("over", "approaching", "repeated", "jump", "gap")}
    pm = period_means(r, rules=rules)
    ranks = np.zeros(len(pm.series), dtype=np.int8)
    do = spec.kind[pm.series] == 1
    ranks[do] = classify_array("DO", pm.mean[do])
    ranks[~do] = classify_array("NH3N", pm.mean[~do])
    out["class_worse"] = class_worse(pm, ranks)
    out["trend"] = trends(pm, spec.kind, rules=rules)
    out["offline"] = gaps_now(r, spec, int(time.max()) + 86400, rules)
    return r, f, out


def _pandas(series, time, value, spec, rules):
    import pandas as pd

    df = pd.DataFrame({"site": series, "time": time, "value": value})
    df = df.sort_values(["site", "time"], kind="stable")
    upper = pd.Series(spec.upper)
    lower = pd.Series(spec.lower)
    df["over"] = (df["value"] > upper.loc[df["site"]].to_numpy()) | (df["value"] < lower.loc[df["site"]].to_numpy())
    count = df.groupby("site")["over"].rolling(rules.repeat_n, min_periods=1).sum().reset_index(level=0, drop=True)
    df["repeated"] = df["over"] & (count.loc[df.index] >= rules.repeat_k)
    return df


def main(quick: bool = False) -> None:
    from outfall.core.warning import DEFAULT_RULES as rules

    sites, per_site = (200, 1000) if quick else (1000, 1000)
    series, time, value, spec, _ = _data(sites, per_site)
    n = len(value)
    r, f, out = _ours(series, time, value, spec, rules)
    df = _pandas(series, time, value, spec, rules)
    same = np.array_equal(f.over, df["over"].to_numpy()) and np.array_equal(f.repeated, df["repeated"].to_numpy())
    t_all = best_of(lambda: _ours(series, time, value, spec, rules), repeat=3)
    t_two = best_of(lambda: _two_rules(series, time, value, spec, rules), repeat=3)
    t_pd = best_of(lambda: _pandas(series, time, value, spec, rules), repeat=2)
    rows = [
        ["ours: every rule + episodes + periods + offline", f"{n:,}", f"{t_all * 1e3:,.0f}", f"{n / t_all / 1e6:,.2f}"],
        ["ours: exceedance + repeated only", f"{n:,}", f"{t_two * 1e3:,.0f}", f"{n / t_two / 1e6:,.2f}"],
        ["peer: pandas groupby (exceedance + repeated)", f"{n:,}", f"{t_pd * 1e3:,.0f}", f"{n / t_pd / 1e6:,.2f}"],
    ]
    found = {k: (len(v) if not isinstance(v, tuple) else int(v[0].sum())) for k, v in out.items()}
    found["class_worse"] = int(out["class_worse"].sum())
    print(f"{sites:,} sites × {per_site:,} readings (4-hourly), NH3N and DO against class III; "
          f"target ≥ {TARGET / 1e6:.0f} M readings/s for every rule; same flags as pandas: {same}\n")
    print_table(["method", "readings", "ms", "M readings/s"], rows)
    rate = n / t_all
    verdict = "met" if rate >= TARGET else "MISSED"
    print(f"\nevery rule: {rate / 1e6:,.2f} M readings/s — target {verdict}; "
          f"{t_pd / t_two:,.1f}× pandas on the same two rules. Episodes found: {found}")


def _two_rules(series, time, value, spec, rules):
    from outfall.core.warning import Readings, evaluate

    return evaluate(Readings.from_arrays(series, time, value), spec, rules, with_jump=False)
