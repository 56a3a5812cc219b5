"""Read queries of monitoring: samples of a section, its latest class, period assessments."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.utils import timezone

from outfall.core.standards import evaluate_sample, period_mean, stored_value
from outfall.core.standards.values import ParsedValue
from outfall.monitoring import periods
from outfall.monitoring.models import Section, SectionReading


def samples(section: Section, *, since: dt.datetime | None = None) -> dict[dt.datetime, dict[str, ParsedValue]]:
    """time → {parameter: value} for a section (every source and basis; of two rows at one time, the
    one written last wins)."""
    qs = SectionReading.objects.filter(section=section)
    if since is not None:
        qs = qs.filter(time__gte=since)
    out: dict = defaultdict(dict)
    for t, p, v, q, dl, raw in qs.order_by("time", "pk").values_list("time", "parameter", "value", "qualifier",
                                                                "detection_limit", "raw"):
        out[t][p] = stored_value(v, q, dl, raw)
    return out


def series(section: Section) -> dict[str, list[tuple[dt.datetime, float]]]:
    """parameter → [(time, value)] of a section's measured values in time order, for its charts;
    values that are not finite numbers (stored before the parser refused them) are left out."""
    out: dict[str, list] = defaultdict(list)
    for when, p, v in (SectionReading.objects.filter(section=section).exclude(value=None).order_by("time")
                       .values_list("time", "parameter", "value")):
        if math.isfinite(v):
            out[p].append((when, v))
    return out


def latest_evaluation(section: Section):
    """(time, SampleEvaluation) of the newest sample that has a class, or (None, None)."""
    last = (SectionReading.objects.filter(section=section).exclude(qualifier="missing")
            .order_by("-time").values_list("time", flat=True).first())
    if last is None:
        return None, None
    since = last - dt.timedelta(days=3)
    for t, values in sorted(samples(section, since=since).items(), reverse=True):
        ev = evaluate_sample(values, water_type=section.water_type, target=section.target_class)
        if ev.water_class is not None:
            return t, ev
    return None, None


def series_of_samples(loaded: dict) -> dict[str, list[tuple[dt.datetime, float]]]:
    """:func:`series` from samples already read (:func:`samples`), without reading them again:
    measured values only (below-detection and missing ones have no value to draw)."""
    out: dict[str, list] = defaultdict(list)
    for t in sorted(loaded):
        for p, v in loaded[t].items():
            if v.qualifier == "" and v.value is not None and math.isfinite(v.value):
                out[p].append((t, v.value))
    return out


def period_evaluations(section: Section, *, by: str = "month", since: dt.datetime | None = None,
                       loaded: dict | None = None) -> list[dict]:
    """Monthly (or yearly) assessment: arithmetic mean of each item over the local month (year), then
    the single-factor method (环办〔2011〕22号 §2.2–2.3). The means are summed in the database
    (:mod:`outfall.monitoring.periods`), so the cost does not grow with the section's history;
    ``loaded`` (samples already read) computes them from those instead
    (:func:`period_evaluations_of_samples`)."""
    if loaded is not None:
        return period_evaluations_of_samples(section, loaded, by=by)
    months, years = periods.section_periods(section, since=since)
    return _period_rows(section, years if by == "year" else months)


def monthly_and_yearly(section: Section) -> tuple[list[dict], list[dict]]:
    """Both tables of a section page from one aggregate query (:func:`period_evaluations`), kept
    while the readings do not change (:func:`page_data`)."""
    _series, months, years = page_data(section)
    return _period_rows(section, months), _period_rows(section, years)


#: section pk → (readings key, chart series, month sums, year sums), the last sections shown
_pages: dict[int, tuple] = {}


def page_data(section: Section) -> tuple[dict, dict, dict]:
    """(chart overview series, {month: {parameter: PeriodSum}}, {year: …}) of a section page, computed
    again only when the readings changed (:func:`outfall.monitoring.layers.readings_key`: two
    index-only aggregates), so the scan of a section's history (tens of ms a year of hourly readings
    on a quiet machine) is paid by the first view after a change, not by every view."""
    from outfall.monitoring.charts import CHART_BUCKETS
    from outfall.monitoring.layers import readings_key
    from outfall.monitoring.series import chart_series

    key = (readings_key(), section.created_at)
    got = _pages.get(section.pk)
    if got is not None and got[0] == key:
        return got[1:]
    codes = sorted(set(SectionReading.objects.filter(section=section).values_list("parameter", flat=True)
                       .distinct()))
    value = (chart_series(section, codes=codes, buckets=CHART_BUCKETS),
             *periods.section_periods(section, parameters=codes))
    if len(_pages) >= 64:
        _pages.pop(next(iter(_pages)))
    _pages[section.pk] = (key, *value)
    return value


def _period_rows(section: Section, groups: dict) -> list[dict]:
    rows = []
    for key in sorted(groups):
        means = {p: acc.mean() for p, acc in groups[key].items()}
        ev = evaluate_sample(means, water_type=section.water_type, target=section.target_class)
        row = {"period": key, "means": means, "evaluation": ev, "n": max(a.rows for a in groups[key].values())}
        if section.water_type == "lake":
            row["tli"], row["trophic"] = trophic_state(means)
        rows.append(row)
    return rows


def period_evaluations_of_samples(section: Section, loaded: dict, *, by: str = "month") -> list[dict]:
    """:func:`period_evaluations` from samples read row by row (:func:`samples`): the reference the
    aggregated tables are tested against."""
    tz = timezone.get_current_timezone()
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t, values in loaded.items():
        lt = t.astimezone(tz)
        key = f"{lt.year}" if by == "year" else f"{lt.year}-{lt.month:02d}"
        for p, v in values.items():
            groups[key][p].append(v)
    rows = []
    for key in sorted(groups):
        means = {p: period_mean(vs) for p, vs in groups[key].items()}
        ev = evaluate_sample(means, water_type=section.water_type, target=section.target_class)
        row = {"period": key, "means": means, "evaluation": ev, "n": max(len(v) for v in groups[key].values())}
        if section.water_type == "lake":
            row["tli"], row["trophic"] = trophic_state(means)
        rows.append(row)
    return rows


def trophic_state(means: dict) -> tuple[float | None, str]:
    """TLI(Σ) of a lake's period means (chlorophyll-a converted from mg/L to mg/m³) and its grade."""
    from outfall.core.standards import tli, trophic_grade

    values = {p: means[p].value for p in ("CHLA", "TP", "TN", "SD", "CODMN") if p in means and means[p].value}
    if "CHLA" not in values:
        return None, ""
    values["CHLA"] *= 1000.0
    index = tli(values)
    return round(index, 1), trophic_grade(index)


#: (section pk, newest reading time, days) → that section's item means over the days before it
_recent_means: dict[tuple, dict] = {}


def river_assessments(sections, *, days: int = 30, latest: dict | None = None) -> list[dict]:
    """Each river's status from its sections' means over the last ``days`` (环办〔2011〕22号 §2.7):
    the mean method under 5 sections, class proportions from 5. ``latest`` (section pk → newest
    reading time, e.g. :func:`outfall.monitoring.layers.latest_times`) saves a query per section,
    and a section's means are read again only when its newest reading time changed."""
    from outfall.core.standards import assess_river

    wanted: list[tuple] = []
    for s in sections:
        if s.water_type == "lake":
            continue
        last = (latest.get(s.pk) if latest is not None else
                SectionReading.objects.filter(section=s).order_by("-time").values_list("time", flat=True).first())
        if last is not None:
            wanted.append((s, (s.pk, last, days)))
    if len(_recent_means) > 10_000:
        _recent_means.clear()
    stale = {key[0]: key[1] - dt.timedelta(days=days) for _s, key in wanted if key not in _recent_means}
    if stale:  # the means of every section whose readings changed, in one aggregate query
        fresh = periods.recent_means(stale)
        for _s, key in wanted:
            if key[0] in stale:
                _recent_means[key] = fresh[key[0]]
    by_river: dict[str, list] = defaultdict(list)
    for s, key in wanted:
        by_river[s.river or s.name].append(_recent_means[key])
    out = []
    for river, secs in sorted(by_river.items()):
        a = assess_river(secs)
        out.append({"river": river, "sections": len(secs), "assessment": a})
    return out
