"""The series a check evaluates, loaded from the stored readings: one per (section, parameter) and
one per outfall discharge limit, with the limit the core compares them with.

Per series the limit is the core's: a section's target class (``section_limit``, with its water
type) or an outfall's discharge limit (``OutfallLimit`` → ``DischargeLimit``). A sample-basis limit is
compared with every sample reading; a daily/monthly limit with the statistic of that local day or
month: the one reported in the readings (a reading of that ``basis``, e.g. a monthly average from a
self-monitoring report), else the one computed from the samples of the period
(``basis_statistics``). A section's series hold its samples only (its limits are per sample).

Readings: values are already in the registry unit. A reading below detection (qualifier ``<``, no
value) counts as half its detection limit, and is skipped when no detection limit is known; readings
marked missing or QC-invalid are skipped. Enough readings before ``since`` are loaded for the
repeated and jump windows, and back to the start of every open episode, so an incremental check and
a full replay find the same episodes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Min, Q

from outfall.alerts.models import Alert, OutfallLimit
from outfall.core.enums import WaterClass
from outfall.core.standards import counted_value
from outfall.core.standards.parameters import registry
from outfall.core.warning import DischargeLimit, LimitError, basis_statistics, section_limit
from outfall.monitoring.models import OutfallReading, Section, SectionReading


def utc(s: int) -> dt.datetime:
    """A datetime (UTC) from seconds since 1970-01-01 UTC."""
    return dt.datetime.fromtimestamp(int(s), tz=dt.UTC)


@dataclass
class Series:
    """One series of readings with its limit (None: only the jump rule applies)."""

    kind: str
    site: object
    parameter: str
    basis: str
    limit: object  # SeriesLimit or None
    target: str | None = None
    period_s: int = 0  # length of a daily/monthly statistic's period: its start may precede ``since``




#: How far before its start a site's lead-in window is first looked for (a second, unbounded look
#: follows only for a site reporting too rarely to fill it).
_LEAD_IN = dt.timedelta(days=31)
#: Sites per query when loading readings.
_SITES_PER_QUERY = 500


def _cutoffs(model, fk: str, ids, since, kind: str, window: int) -> dict[int, dt.datetime | None]:
    """Per site: the time from which readings are loaded (None: all of them): ``window`` distinct
    reading times before ``since`` or the start of the site's earliest open episode."""
    if since is None:
        return dict.fromkeys(ids)
    opened = dict(Alert.objects.filter(site_kind=kind, episode_open=True, **{f"{kind}_id__in": ids})
                  .values(f"{kind}_id").annotate(t=Min("opened_at")).values_list(f"{kind}_id", "t"))
    out = {}
    params = sorted(registry())
    for sid in ids:
        start = min(since, opened.get(sid) or since)
        times = None
        for bound in ({"time__gte": start - _LEAD_IN}, {}):  # the index's (site, parameter, time) ranges
            times = list(model.objects.filter(**{fk: sid, "parameter__in": params, "time__lt": start}, **bound)
                         .order_by("-time").values_list("time", flat=True).distinct()[window - 1:window])
            if times:
                break
        out[sid] = times[0] if times else None
    return out


def _load(model, fk: str, ids, cutoffs, *, bases=("sample",)) -> dict[tuple, tuple[list, list]]:
    """(site id, parameter, basis) → (times in s, values) of the usable readings of ``bases``.

    One query per few hundred sites, ``site IN (…) AND parameter IN (every registry code) AND time ≥
    the earliest cutoff``: a seek per (site, parameter) in the readings' unique index, in its order
    (an OR of one condition per site made SQLite scan the whole table). Readings of a site before
    its own cutoff are dropped here."""
    out: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    params = sorted(registry())  # every stored reading's parameter is a registry code (the parsers map to it)
    ordered = sorted(ids)
    for a in range(0, len(ordered), _SITES_PER_QUERY):
        part = ordered[a:a + _SITES_PER_QUERY]
        cuts = {sid: cutoffs.get(sid) for sid in part}
        q = Q(**{f"{fk}__in": part, "parameter__in": params, "basis__in": bases})
        if all(c is not None for c in cuts.values()):
            q &= Q(time__gte=min(cuts.values()))
        rows = (model.objects.filter(q).exclude(qc_flag="invalid").order_by(fk, "parameter", "time")
                .values_list(fk, "parameter", "time", "value", "qualifier", "detection_limit", "basis"))
        for sid, p, t, v, qual, dl, basis in rows.iterator(chunk_size=20000):
            cut = cuts[sid]
            if cut is not None and t < cut:
                continue
            x = counted_value(v, qual, dl)
            if x is not None:
                ts, vs = out[(sid, p, basis)]
                ts.append(int(t.timestamp()))
                vs.append(x)
    return out


def section_series(ids, since, rules, *, cutoffs: dict | None = None) -> tuple[list[Series], list]:
    """The sample series of the sections ``ids`` (one per parameter with readings), loaded from
    ``cutoffs`` (site id → time; default: the per-reading rules' lead-in before ``since``)."""
    window = max(rules.jump_window, rules.repeat_n) + 1
    sections = {s.pk: s for s in Section.objects.filter(pk__in=ids)}
    if cutoffs is None:
        cutoffs = _cutoffs(SectionReading, "section_id", sections, since, "section", window)
    data = _load(SectionReading, "section_id", sections, cutoffs)
    series, arrays = [], []
    for (sid, p, _basis), (ts, vs) in sorted(data.items()):
        series.append(section_series_of(sections[sid], p))
        arrays.append((ts, vs))
    return series, arrays


def section_series_of(section, parameter: str) -> Series:
    """The sample series of one section and parameter, with its target-class limit (None: ungraded)."""
    try:
        lim = section_limit(parameter, section.target_class, water_type=section.water_type)
    except (LimitError, KeyError, ValueError):
        lim = None
    return Series("section", section, parameter, "sample", lim, WaterClass(section.target_class).label)


def period_start(since: dt.datetime, months_before: int, *, utc_offset_h: int = 8) -> dt.datetime:
    """The UTC start of the local (Beijing) month ``months_before`` months before the one of ``since``.

    >>> period_start(dt.datetime(2025, 3, 10, tzinfo=dt.UTC), 2).isoformat()
    '2024-12-31T16:00:00+00:00'
    """
    local = since.astimezone(dt.timezone(dt.timedelta(hours=utc_offset_h)))
    months = local.year * 12 + local.month - 1 - months_before
    start = dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=local.tzinfo)
    return start.astimezone(dt.UTC)


def outfall_series(ids, since, rules) -> tuple[list[Series], list]:
    limits = list(OutfallLimit.objects.filter(outfall_id__in=ids).select_related("outfall"))
    if not limits:
        return [], []
    site_ids = {lim.outfall_id for lim in limits}
    window = max(rules.jump_window, rules.repeat_n) + 1
    cut = _cutoffs(OutfallReading, "outfall_id", site_ids, since, "outfall", window)
    if any(lim.basis.startswith("monthly") for lim in limits):
        cut = {k: (v - dt.timedelta(days=31 * window) if v else None) for k, v in cut.items()}
    elif any(lim.basis.startswith("daily") for lim in limits):
        cut = {k: (v - dt.timedelta(days=window) if v else None) for k, v in cut.items()}
    data = _load(OutfallReading, "outfall_id", site_ids, cut, bases=sorted({"sample", *(lim.basis for lim in limits)}))
    series, arrays = [], []
    for lim in limits:
        t, v = _limit_series(data, lim)
        dlim = DischargeLimit(lim.parameter, lim.limit, lim.kind, lim.basis, lim.valid_from, lim.valid_to)
        period = {"sample": 0, "daily": 86400, "monthly": 31 * 86400}[lim.basis.partition("_")[0]]
        series.append(Series("outfall", lim.outfall, lim.parameter, lim.basis, dlim.series_limit(), period_s=period))
        arrays.append((t.tolist(), v.tolist()))
    return series, arrays


def _valid(lim, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The readings within the limit's validity (local days, both ends inclusive)."""
    if lim.valid_from:
        keep = t >= int(dt.datetime.combine(lim.valid_from, dt.time(), tzinfo=dt.UTC).timestamp()) - 8 * 3600
        t, v = t[keep], v[keep]
    if lim.valid_to:
        keep = t < int(dt.datetime.combine(lim.valid_to, dt.time(), tzinfo=dt.UTC).timestamp()) + 16 * 3600
        t, v = t[keep], v[keep]
    return t, v


def _limit_series(data: dict, lim) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) and values compared with one outfall limit: the samples for a ``sample`` limit;
    for a daily/monthly one, per local period the statistic reported with that basis, else the one
    computed from the period's samples (a report is the official figure of its period). Readings
    outside the limit's validity count for neither."""
    ts, vs = data.get((lim.outfall_id, lim.parameter, "sample"), ([], []))
    t, v = _valid(lim, np.asarray(ts, dtype=np.int64), np.asarray(vs, dtype=float))
    if lim.basis == "sample":
        return t, v
    by_period = dict(zip(*basis_statistics(t, v, lim.basis), strict=True)) if len(t) else {}
    rts, rvs = data.get((lim.outfall_id, lim.parameter, lim.basis), ([], []))
    rt, rv = _valid(lim, np.asarray(rts, dtype=np.int64), np.asarray(rvs, dtype=float))
    if len(rt):
        by_period.update(zip(*basis_statistics(rt, rv, lim.basis), strict=True))
    starts = sorted(by_period)
    return np.asarray(starts, dtype=np.int64), np.asarray([by_period[k] for k in starts], dtype=float)
