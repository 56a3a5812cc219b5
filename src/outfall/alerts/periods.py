"""The period rules in the app (环办〔2011〕22号 §2.2 and §2.9, through :mod:`outfall.core.warning.periods`):
a section's monthly mean class worse than the previous counted month (``class_worse``) when that
month is off target or fell ``rules.class_worse_min_drop`` classes, and a significant adverse trend
of its monthly means (``trend``) once the last month has reached ``rules.trend_floor_share`` of the
limit: the seasons move every river's monthly means, and a warning must be worth a look.

A month counts only with at least ``rules.period_min_samples`` samples (the core's rule), so one
sample too few never flips a class; a mean equal to a class limit is in the better class (GB
3838-2002, the core's ``classify_array``). The trend is tested at the end of every counted month over
the ``rules.trend_periods`` counted months ending there, so a trend alert opens at the first month
the trend is significant and closes at the first month it no longer is, like every other episode.

The months are local (Beijing time). A full check computes the monthly means from the samples it
loaded (the core's ``period_means``); a check from ``since`` (the hook of every import and push)
has the database sum the samples per month from the start of the month ``rules.trend_periods``
months before it, so an import does not reload months of readings; it stores the episodes that
reach the month of ``since`` or later; each alert's ``opened_at`` and ``last_time`` are the starts of its
first and last flagged months, ``value`` the last month's mean; it has no limit (``exceedance_pct``
null, DESIGN §3).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Case, Count, IntegerField, Max, Sum, Value, When

from outfall.alerts.receptors import downstream_receptors_of
from outfall.alerts.series import Series, period_start, section_series, section_series_of, utc
from outfall.alerts.storing import Candidate
from outfall.core.enums import AlertRule, WaterClass
from outfall.core.standards.gb3838 import classify_array
from outfall.core.standards.parameters import registry
from outfall.core.warning import (
    Facts,
    PeriodMeans,
    Readings,
    SeriesSpec,
    class_worse,
    episodes,
    explain,
    near_limit,
    period_means,
    severity_of,
    trends,
)
from outfall.monitoring.counted import counted_value_sql
from outfall.monitoring.models import Section, SectionReading

__all__ = ["PERIOD_RULES", "period_candidates"]

PERIOD_RULES = (AlertRule.CLASS_WORSE, AlertRule.TREND)
#: Seconds of the longest month: an episode ending less than this before ``since`` may still be the
#: month of ``since``.
_MONTH_S = 31 * 86400
_EMPTY = PeriodMeans(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))


def _ranks(series: list[Series], pm: PeriodMeans) -> np.ndarray:
    """Class rank (1 … 6; 0 ungraded) of every counted month's mean, per the series' parameter."""
    ranks = np.zeros(len(pm.series), dtype=np.int64)
    for k in np.unique(pm.series):
        ser = series[k]
        at = pm.series == k
        p = registry().get(ser.parameter)
        ranks[at] = classify_array(ser.parameter, pm.mean[at], water_type=ser.site.water_type,
                                   decimals=p.decimals if p else None)
    return ranks


def _rolling_trends(pm: PeriodMeans, kinds: np.ndarray, rules) -> dict[int, float]:
    """index into ``pm`` → rho, for every counted month ending a significant adverse trend over
    the ``rules.trend_periods`` counted months up to it (the core's test, window by window)."""
    k = rules.trend_periods
    n = len(pm.series)
    if n < k:
        return {}
    first = np.searchsorted(pm.series, pm.series)  # sorted by series: the first month of each one's
    ends = np.flatnonzero(np.arange(n) - first >= k - 1)
    if not len(ends):
        return {}
    idx = (ends[:, None] - (k - 1) + np.arange(k)[None, :]).ravel()
    windows = PeriodMeans(np.repeat(np.arange(len(ends)), k), pm.start_s[idx], pm.mean[idx], pm.count[idx])
    hits = trends(windows, kinds[pm.series[ends]], rules=rules)
    return {int(ends[w]): rho for w, (rho, _p) in hits.items()}


def _monthly_from_readings(series: list[Series], arrays: list, rules) -> tuple[list[Series], PeriodMeans]:
    """Counted monthly means by the core's ``period_means`` from loaded samples (a full check)."""
    keep = [k for k, s in enumerate(series) if s.kind == "section" and s.limit is not None and arrays[k][0]]
    series = [series[k] for k in keep]
    if not series:
        return [], _EMPTY
    idx = np.concatenate([np.full(len(arrays[k][0]), j, dtype=np.int64) for j, k in enumerate(keep)])
    r = Readings.from_arrays(idx, np.concatenate([np.asarray(arrays[k][0], dtype=np.int64) for k in keep]),
                             np.concatenate([np.asarray(arrays[k][1], dtype=float) for k in keep]))
    return series, period_means(r, period="M", rules=rules)


def _month_bounds(sections, start: dt.datetime) -> list[dt.datetime]:
    """UTC starts of the local months from ``start`` to the one after the sections' latest sample."""
    latest = SectionReading.objects.filter(section_id__in=sections, time__gte=start).aggregate(t=Max("time"))["t"]
    bounds = [start]
    while latest is not None and bounds[-1] <= latest:
        bounds.append(period_start(bounds[-1] + dt.timedelta(days=40), 0))
    return bounds


def _monthly_in_database(sections, since, rules) -> tuple[list[Series], PeriodMeans]:
    """Counted monthly means from ``rules.trend_periods`` months before ``since`` on, summed by the
    database per (section, parameter, month) — the samples are never loaded one by one — with the
    core's rules: a sample below detection counts as :data:`BELOW_DETECTION_FACTOR` × its
    detection limit, missing and QC-invalid ones not at all, and a month counts with at least
    ``rules.period_min_samples`` samples (a test checks the means equal ``period_means``)."""
    bounds = _month_bounds(sections, period_start(since, rules.trend_periods))
    if len(bounds) < 2:
        return [], _EMPTY
    month = Case(*[When(time__gte=b, then=Value(i)) for i, b in reversed(list(enumerate(bounds[:-1])))],
                 default=Value(-1), output_field=IntegerField())
    x = counted_value_sql()
    rows = (SectionReading.objects.filter(section_id__in=sections, parameter__in=sorted(registry()), basis="sample",
                                          time__gte=bounds[0], time__lt=bounds[-1])
            .exclude(qc_flag="invalid").annotate(m=month, x=x).values("section_id", "parameter", "m")
            .annotate(n=Count("x"), total=Sum("x")).order_by("section_id", "parameter", "m"))
    by_id = {s.pk: s for s in Section.objects.filter(pk__in=sections)}
    keys: dict[tuple, int] = {}
    series: list[Series] = []
    cols: list[tuple] = []
    for row in rows:
        if row["n"] < rules.period_min_samples:
            continue
        key = (row["section_id"], row["parameter"])
        if key not in keys:
            ser = section_series_of(by_id[key[0]], key[1])
            if ser.limit is None:
                keys[key] = -1
                continue
            keys[key] = len(series)
            series.append(ser)
        if keys[key] >= 0:
            cols.append((keys[key], int(bounds[row["m"]].timestamp()), row["total"] / row["n"], row["n"]))
    if not cols:
        return [], _EMPTY
    a = np.array(cols, dtype=float)
    return series, PeriodMeans(a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2], a[:, 3].astype(np.int64))


def period_candidates(sections, since, rules, only, receptors: dict, *, loaded=None) -> list[Candidate]:
    """The class-worse and trend episodes of ``sections`` (ids) as candidates to store.

    ``receptors``: section id → downstream receptors (computed here for the sections missing);
    ``loaded``: the (series, arrays) of every sample of the sections, when the check loaded them all
    (``since`` None)."""
    wanted = [r for r in PERIOD_RULES if only is None or r in only]
    if not wanted or not sections:
        return []
    if since is None:
        series, pm = _monthly_from_readings(*(loaded or section_series(sections, None, rules)), rules)
    else:
        series, pm = _monthly_in_database(sections, since, rules)
    if not len(pm.series):
        return []
    ranks = _ranks(series, pm)
    spec = SeriesSpec.from_limits([s.limit for s in series])
    targets = np.array([WaterClass.parse(s.target).rank if s.target else 6 for s in series], dtype=np.int64)
    flags = {AlertRule.CLASS_WORSE: class_worse(pm, ranks, targets, min_drop=rules.class_worse_min_drop)}
    rho = _rolling_trends(pm, spec.kind, rules)
    flags[AlertRule.TREND] = (np.isin(np.arange(len(pm.series)), list(rho))
                              & near_limit(pm, spec, rules.trend_floor_share))
    months = Readings(pm.series, pm.start_s, pm.mean, np.arange(len(pm.series)))
    since_s = None if since is None else int(since.timestamp())
    out = []
    for rule in wanted:
        for ep in episodes(months, flags[rule]):
            end = ep.last if ep.closed_at == -1 else ep.closed_at
            if since_s is not None and pm.start_s[end] < since_s - _MONTH_S:
                continue
            ser = series[ep.series]
            if ser.site.pk not in receptors:
                receptors.update(downstream_receptors_of([ser.site]))
            out.append(Candidate("section", ser.site, ser.parameter, "sample", rule, utc(pm.start_s[ep.first]),
                                 _fields(ser, rule, pm, ranks, rho, ep, rules, receptors[ser.site.pk])))
    return out


def _fields(ser: Series, rule: AlertRule, pm: PeriodMeans, ranks, rho: dict, ep, rules, receptors) -> dict:
    first, last, closed_at = ep.first, ep.last, ep.closed_at
    means = pm.mean[first:last + 1]
    lower = ser.limit.kind == "min"
    p = registry().get(ser.parameter)
    label = lambda rank: WaterClass.from_rank(int(rank)).label if rank > 0 else "—"  # noqa: E731
    facts = Facts(site=ser.site.name or ser.site.code, parameter=p.name_zh if p else ser.parameter,
                  unit=p.unit if p else "", value=float(pm.mean[last]), kind=ser.limit.kind,
                  time=utc(pm.start_s[last]), since=utc(pm.start_s[first]), target=ser.target,
                  before=label(ranks[last - 1]) if rule == AlertRule.CLASS_WORSE else None,
                  after=label(ranks[last]), rho=rho.get(last), parameter_en=p.name_en if p else None)
    zh, en = explain(rule, facts)
    hours = min((d["travel_time_h"] for d in receptors), default=None)
    return {"last_time": utc(pm.start_s[last]), "value": float(pm.mean[last]), "limit": None, "limit_kind": "",
            "multiple": None, "exceedance_pct": None, "peak": float(means.min() if lower else means.max()),
            "readings_count": int(pm.count[first:last + 1].sum()), "rules_version": rules.version,
            "receptors": receptors, "severity": severity_of(rule, receptor_hours=hours, rules=rules).value,
            "episode_open": closed_at == -1, "recovered_at": None if closed_at == -1 else utc(pm.start_s[closed_at]),
            "explanation_zh": zh, "explanation_en": en}
