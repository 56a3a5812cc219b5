"""Early-warning rules (outfall.core.warning): hand-worked cases at the edge of every threshold
(equal to a limit is not over it, GB 3838-2002), rule sets refused at entry, discharge limits, and
hypothesis invariants: episodes never duplicate, an episode's readings are all flagged, evaluating
in two halves gives the same episodes as at once, over ⇔ classified worse than the target."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimal_places, near_limits, upper_bound_codes

from outfall.core.enums import AlertRule, AlertSeverity, AlertState, WaterClass
from outfall.core.standards import classify_array, spearman_trend
from outfall.core.warning import (
    DEFAULT_RULES,
    Facts,
    LimitError,
    PeriodMeans,
    Readings,
    RuleConfigError,
    RuleSet,
    SeriesSpec,
    basis_statistics,
    can_transition,
    class_worse,
    episodes,
    evaluate,
    exceedance_pct,
    explain,
    gaps_now,
    make_discharge_limit,
    period_means,
    section_limit,
    severity_of,
    trends,
)
from outfall.core.warning.engine import KIND_MAX

H = 3600


def run(values, limit, *, rules=DEFAULT_RULES, interval_h=4.0, times_h=None):
    times = [int(h * H) for h in (times_h if times_h is not None else [i * interval_h for i in range(len(values))])]
    r = Readings.from_arrays([0] * len(values), times, values)
    spec = SeriesSpec.from_limits([limit], steps=[0.001], intervals_s=[interval_h * H])
    return r, evaluate(r, spec, rules)


# --- the limits ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, target, at, over", [
    ("NH3N", "III", 1.0, 1.001), ("NH3N", "II", 0.5, 0.501), ("TP", "III", 0.2, 0.201), ("COD", "I", 15, 16),
    ("CODMN", "IV", 10, 10.1), ("BOD5", "III", 4, 4.1),
])
def test_equal_to_the_limit_is_not_over_it(code, target, at, over):
    lim = section_limit(code, target)
    assert not lim.is_over(at) and lim.is_over(over)


def test_do_is_a_lower_bound_and_ph_a_range():
    do = section_limit("DO", "III")
    assert (do.kind, do.limit) == ("min", 5.0)
    assert not do.is_over(5.0) and do.is_over(4.9) and not do.is_over(12)
    ph = section_limit("PH", "III")
    assert [ph.is_over(x) for x in (5.9, 6.0, 7.5, 9.0, 9.1)] == [True, False, False, False, True]


def test_lake_tp_uses_the_lake_column_and_worse_v_is_no_target():
    assert section_limit("TP", "III", water_type="lake").limit == 0.05
    assert section_limit("TN", "III") is None and section_limit("TN", "III", water_type="lake").limit == 1.0
    with pytest.raises(LimitError):
        section_limit("NH3N", "劣V")


@given(code=upper_bound_codes, target=st.sampled_from(["I", "II", "III", "IV", "V"]), data=st.data())
def test_over_means_classified_worse_than_the_target(code, target, data):
    """The rule and the classification never disagree, rounding included (GB/T 8170)."""
    value, d = data.draw(near_limits())
    lim = section_limit(code, target, decimals=d)
    rank = int(classify_array(code, [value], decimals=d)[0])
    assert lim.is_over(value) == (rank > WaterClass.parse(target).rank)


@given(value=st.floats(0, 20, allow_nan=False), d=decimal_places, target=st.sampled_from(["I", "II", "III", "IV", "V"]))
def test_do_over_means_classified_worse(value, d, target):
    lim = section_limit("DO", target, decimals=d)
    assert lim.is_over(value) == (int(classify_array("DO", [value], decimals=d)[0]) > WaterClass.parse(target).rank)


# --- per-reading rules at their edges --------------------------------------------------------------

def test_exceedance_multiple_only_when_over_and_never_for_do():
    _, f = run([1.0, 1.5, 2.5], section_limit("NH3N", "III"))
    assert f.over.tolist() == [False, True, True]
    assert math.isnan(f.multiple[0]) and f.multiple[1:].round(6).tolist() == [0.5, 1.5]
    _, f = run([4.0], section_limit("DO", "III"))
    assert f.over[0] and math.isnan(f.multiple[0]) and round(float(f.pct[0]), 6) == 20.0


def test_approaching_share_edges():
    rules = RuleSet(approach_share=0.8)
    _, f = run([0.79, 0.8, 1.0, 1.01], section_limit("NH3N", "III"), rules=rules)
    assert f.approaching.tolist() == [False, True, True, False]  # 1.0 is at the limit: not over, approaching
    _, f = run([6.26, 6.25, 5.0, 4.9], section_limit("DO", "III"), rules=rules)  # 5 / 0.8 = 6.25
    assert f.approaching.tolist() == [False, True, True, False]
    _, f = run([6.29, 6.3, 7.5, 8.7, 8.71, 9.0, 9.1], section_limit("PH", "III"), rules=rules)  # margin 0.3
    assert f.approaching.tolist() == [True, True, False, True, True, True, False]


def test_repeated_k_of_n_edges():
    rules = RuleSet(repeat_k=3, repeat_n=5)
    lim = section_limit("NH3N", "III")
    _, f = run([2, 0.1, 2, 0.1, 0.1, 2, 0.1, 2], lim, rules=rules)
    assert f.repeated.tolist() == [False, False, False, False, False, False, False, False]
    _, f = run([2, 0.1, 2, 0.1, 2, 0.1], lim, rules=rules)
    assert f.repeated.tolist() == [False, False, False, False, True, False]  # 3 of the last 5 at index 4
    _, f = run([2, 2, 0.1, 0.1, 0.1, 2], lim, rules=rules)
    assert not f.repeated[5]  # the window of 5 has dropped the first two


def test_repeated_never_counts_another_series():
    lim = section_limit("NH3N", "III")
    r = Readings.from_arrays([0, 0, 0, 1], [0, 1, 2, 3], [2, 2, 2, 2])
    f = evaluate(r, SeriesSpec.from_limits([lim, lim]), RuleSet(repeat_k=2, repeat_n=3))
    assert f.repeated.tolist() == [False, True, True, False]


def test_jump_flags_a_spike_below_the_limit_and_needs_a_full_window():
    rng = np.random.default_rng(1)
    base = (0.30 + 0.01 * rng.standard_normal(30)).round(3).tolist()
    values = base[:20] + [0.8] + base[20:]  # 0.8 is still class III for NH3N: a jump, not an exceedance
    _, f = run(values, section_limit("NH3N", "III"), rules=RuleSet(jump_window=12, jump_z=6))
    assert np.flatnonzero(f.jump).tolist() == [20] and not f.over.any()
    assert np.isnan(f.z[:12]).all()  # fewer than 12 earlier readings: not evaluated
    _, f = run([0.3] * 20 + [0.3005], section_limit("NH3N", "III"))
    assert not f.jump.any()  # a flat series: the spread is floored, noise is no jump


def test_jump_of_do_is_a_drop():
    values = [8.0, 8.1, 7.9, 8.0, 8.2, 7.8, 8.0, 8.1, 7.9, 8.0, 8.1, 7.9, 3.0, 12.0]
    _, f = run(values, section_limit("DO", "III"))
    assert f.jump.tolist()[12:] == [True, False]


def test_gap_edges_and_station_offline_now():
    lim = section_limit("NH3N", "III")
    _, f = run([0.1, 0.1, 0.1], lim, interval_h=4, times_h=[0, 12, 24.01])  # factor 3 × 4 h = 12 h
    assert f.gap.tolist() == [False, False, True]
    assert f.gap_h[1:].round(2).tolist() == [12.0, 12.01]
    r = Readings.from_arrays([0, 1], [0, 0], [0.1, 0.1])
    spec = SeriesSpec.from_limits([lim, lim], intervals_s=[4 * H, math.nan])
    silent, hours = gaps_now(r, spec, 13 * H)
    assert silent.tolist() == [True, False] and hours.tolist() == [13.0, 13.0]  # no interval: the rule is off


def test_missing_values_are_no_readings():
    r = Readings.from_arrays([0, 0, 0], [0, 1, 2], [0.1, math.nan, 0.2])
    assert r.value.tolist() == [0.1, 0.2] and r.order.tolist() == [0, 2]


# --- period rules ----------------------------------------------------------------------------------

def test_a_month_needs_enough_samples_to_flip_its_class():
    day = 86400
    times = [0, day, 2 * day, 40 * day, 41 * day]  # January: 3 samples; February: 2
    r = Readings.from_arrays([0] * 5, times, [0.2, 0.3, 0.4, 3.0, 3.0])
    pm = period_means(r, rules=RuleSet(period_min_samples=3))
    assert pm.count.tolist() == [3] and pm.mean.round(6).tolist() == [0.3]
    pm = period_means(r, rules=RuleSet(period_min_samples=2))
    ranks = classify_array("NH3N", pm.mean)
    assert ranks.tolist() == [2, 6] and class_worse(pm, ranks).tolist() == [False, True]


@given(st.lists(st.lists(st.floats(0.01, 5.0), min_size=6, max_size=9), min_size=1, max_size=5))
def test_vectorised_trend_equals_spearman_trend(groups):
    series = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    mean = np.concatenate([np.array(g) for g in groups])
    start = np.concatenate([np.arange(len(g)) * 100 for g in groups])
    pm = PeriodMeans(series, start, mean, np.full(len(mean), 3))
    rules = RuleSet(trend_periods=6)
    got = trends(pm, np.full(len(groups), KIND_MAX), rules=rules)
    for k, g in enumerate(groups):
        ref = spearman_trend(g[-6:], alpha=rules.trend_alpha)
        assert (k in got) == (ref.trend == "上升"), (g, ref, got.get(k))
        if k in got:
            assert got[k][0] == pytest.approx(ref.rho)


# --- episodes ----------------------------------------------------------------------------------------

flag_series = st.lists(st.lists(st.booleans(), min_size=1, max_size=30), min_size=1, max_size=6)


def _readings(groups):
    series = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    times = np.concatenate([np.arange(len(g)) for g in groups])
    flags = np.concatenate([np.array(g, dtype=bool) for g in groups])
    return Readings.from_arrays(series, times, np.zeros(len(flags))), flags


@given(flag_series)
def test_episodes_cover_every_flag_once_and_only_flags(groups):
    r, flags = _readings(groups)
    eps = list(episodes(r, flags))
    covered = np.zeros(len(flags), dtype=int)
    for e in eps:
        assert flags[e.first:e.last + 1].all()  # an episode's readings are all flagged
        assert (r.series[e.first:e.last + 1] == e.series).all()
        covered[e.first:e.last + 1] += 1
        if e.closed_at >= 0:
            assert e.closed_at == e.last + 1 and not flags[e.closed_at] and r.series[e.closed_at] == e.series
        else:
            assert e.last == len(flags) - 1 or r.series[e.last + 1] != e.series
    assert (covered == flags).all()  # no flagged reading left out, none in two episodes


@given(flag_series, st.data())
def test_two_halves_give_the_same_episodes_as_once(groups, data):
    """Evaluating new readings with the episodes left open by the earlier ones is the same as
    evaluating all at once: a replay never opens a second alert for one episode."""
    cuts = [data.draw(st.integers(0, len(g))) for g in groups]
    r_all, f_all = _readings(groups)
    pos = r_all.positions()
    whole = [(e.series, int(pos[e.first])) for e in episodes(r_all, f_all) if e.first >= 0]
    first_half = [g[:c] for g, c in zip(groups, cuts, strict=True)]
    second_half = [g[c:] for g, c in zip(groups, cuts, strict=True)]
    opened = []
    open_at_end = np.zeros(len(groups), dtype=bool)
    for k, g in enumerate(first_half):
        if g:
            r, f = _readings([g])
            for e in episodes(r, f):
                opened.append((k, e.first))
                open_at_end[k] = e.closed_at < 0
    for k, (g, c) in enumerate(zip(second_half, cuts, strict=True)):
        if g:
            r, f = _readings([g])
            for e in episodes(r, f, initially_open=np.array([open_at_end[k]])):
                if not e.continues:
                    opened.append((k, e.first + c))
    assert sorted(opened) == sorted(whole)


# --- rule sets, lifecycle, severity ------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    {"approach_share": 1.0}, {"approach_share": 0}, {"repeat_k": 6, "repeat_n": 5}, {"repeat_k": 0},
    {"jump_window": 2}, {"jump_z": 0}, {"gap_factor": 1.0}, {"trend_periods": 3}, {"trend_alpha": 1.5},
    {"approach_share": float("nan")}, {"repeat_k": "3"}, {"no_such_rule": 1},
])
def test_impossible_rule_sets_are_refused_at_entry(bad):
    with pytest.raises(RuleConfigError) as exc:
        RuleSet.from_dict(bad)
    assert exc.value.user_message


def test_rule_sets_round_trip_and_version():
    rules = RuleSet(repeat_k=2)
    assert RuleSet.from_dict(rules.to_dict()) == rules
    assert rules.with_changes(jump_z=4).version == rules.version + 1


def test_lifecycle_and_severity():
    assert can_transition("new", "acknowledged") and can_transition("tracing", "confirmed")
    assert not can_transition("closed", "new") and not can_transition("confirmed", "tracing")
    assert all(can_transition(s, "closed") or s in (AlertState.TRACING, AlertState.CLOSED) for s in AlertState)
    assert severity_of("exceedance", multiple=0.99) == AlertSeverity.MEDIUM
    assert severity_of("exceedance", multiple=1.0) == AlertSeverity.HIGH
    assert severity_of("exceedance", multiple=0.2, receptor_hours=24.0) == AlertSeverity.HIGH
    assert severity_of("exceedance", multiple=0.2, receptor_hours=24.1) == AlertSeverity.MEDIUM
    assert severity_of("repeated", receptor_hours=1) == AlertSeverity.CRITICAL


# --- discharge limits ----------------------------------------------------------------------------------

def test_discharge_limits_checked_and_converted():
    lim = make_discharge_limit("COD", "50", "mg/L", kind="max", basis="daily_avg",
                               valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31))
    assert (lim.parameter, lim.limit, lim.basis) == ("COD", 50.0, "daily_avg")
    assert lim.valid_on(dt.date(2025, 12, 31)) and not lim.valid_on(dt.date(2026, 1, 1))
    assert make_discharge_limit("NH3N", 8000, "ug/L").limit == 8.0
    for args, kw in [(("NH3N", 5, None), {}), (("NH3N", 5, ""), {}), (("NH3N", 5, "℃"), {}),
                     (("NH3N", -1, "mg/L"), {}), (("NH3N", "inf", "mg/L"), {}), (("NH3N", "x", "mg/L"), {}),
                     (("NOPE", 5, "mg/L"), {}), (("NH3N", 5, "mg/L"), {"kind": "avg"}),
                     (("NH3N", 5, "mg/L"), {"basis": "weekly"}),
                     (("NH3N", 5, "mg/L"), {"valid_from": dt.date(2025, 2, 1), "valid_to": dt.date(2025, 1, 1)})]:
        with pytest.raises(LimitError) as exc:
            make_discharge_limit(*args, **kw)
        assert exc.value.user_message


def test_exceedance_pct_both_kinds_and_an_outfall_series():
    assert exceedance_pct(10.0, 8.0) == 25.0 and exceedance_pct(8.0, 8.0) == 0.0
    assert exceedance_pct(5.4, 6.0, "min") == pytest.approx(10.0)
    lim = make_discharge_limit("NH3N", 8, "mg/L").series_limit()
    _, f = run([7.9, 8.0, 12.0], lim)
    assert f.over.tolist() == [False, False, True] and round(float(f.pct[2]), 6) == 50.0


def test_basis_statistics_local_days():
    beijing_midnight = 16 * H  # 1970-01-02 00:00 +08:00 is 16:00 UTC on the 1st
    start, stat = basis_statistics([beijing_midnight - 1, beijing_midnight, beijing_midnight + 1], [1, 3, 5],
                                   "daily_max")
    assert stat.tolist() == [1.0, 5.0] and start.tolist() == [-8 * H, beijing_midnight]
    with pytest.raises(LimitError):
        basis_statistics([0], [1.0], "sample")


def test_every_rule_explains_itself_in_both_languages():
    t = dt.datetime(2025, 11, 6, 20)
    f = Facts("马连庄", "氨氮", "mg/L", 1.6, 1.0, time=t, since=t, multiple=0.6, pct=60.0, count=3, window=5, z=7.2,
              hours=13.0, target="Ⅲ类", before="Ⅲ类", after="Ⅳ类", rho=0.9, parameter_en="Ammonia")
    for rule in AlertRule:
        zh, en = explain(rule, f)
        assert "马连庄" in zh and "马连庄" in en and zh != en
    assert "1.6" in explain("exceedance", f)[0] and "1 mg/L" in explain("exceedance", f)[0]


@given(st.lists(st.booleans(), min_size=1, max_size=40), st.integers(0, 5))
def test_episode_grace_joins_runs_and_never_adds_episodes(flags, grace):
    """grace=0 is the plain run rule; a larger grace never gives more episodes, and every episode
    still starts and ends on a flagged reading."""
    r = Readings.from_arrays([0] * len(flags), range(len(flags)), [0.0] * len(flags))
    f = np.array(flags)
    plain, joined, more = episodes(r, f), episodes(r, f, grace=grace), episodes(r, f, grace=grace + 1)
    assert len(episodes(r, f, grace=0)) == len(plain)
    assert len(more) <= len(joined) <= len(plain)
    for e in joined:
        assert f[e.first] and f[e.last]
        gaps = np.diff(np.flatnonzero(f[e.first:e.last + 1])) - 1
        assert (gaps <= grace).all()
