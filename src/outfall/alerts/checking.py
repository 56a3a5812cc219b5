"""check_alerts(): run the warning rules over stored readings and turn episodes into alerts.

Per series the limit is the core's: a section's target class (``section_limit``, with its water
type) or an outfall's discharge limit (``OutfallLimit`` → ``DischargeLimit``). A sample-basis limit is
compared with every reading; a daily/monthly limit with the statistic of the samples of that local
day or month (``basis_statistics``; the readings carry no basis of their own).

Readings: values are already in the registry unit. A reading below detection (qualifier ``<``, no
value) counts as half its detection limit, and is skipped when no detection limit is known; readings
marked missing or QC-invalid are skipped.

Replays are idempotent: an episode is stored under (site, parameter, rule, basis, opened_at), and an
episode that overlaps a stored alert of the same series and rule attaches to it. Enough readings
before ``since`` are loaded for the repeated and jump windows, and back to the start of every open
episode, so an incremental check and a full replay find the same episodes.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Min, Q

from outfall.alerts.gaps import ALL_PARAMETERS, gap_fields, gap_findings
from outfall.alerts.models import Alert, AlertStep, OutfallLimit
from outfall.alerts.receptors import downstream_receptors
from outfall.alerts.rules import current_rules
from outfall.core.enums import AlertRule, WaterClass
from outfall.core.standards import BELOW_DETECTION_FACTOR
from outfall.core.standards.parameters import registry
from outfall.core.warning import (
    DischargeLimit,
    Facts,
    LimitError,
    Readings,
    SeriesSpec,
    basis_statistics,
    episodes,
    evaluate,
    explain,
    section_limit,
    severity_of,
)
from outfall.history.services import actor_name, record_change
from outfall.monitoring.models import OutfallReading, Section, SectionReading

log = logging.getLogger("outfall.alerts")

#: The per-reading rules each kind of site is checked with, and the Findings flag of each.
SECTION_RULES = (AlertRule.EXCEEDANCE, AlertRule.REPEATED, AlertRule.APPROACHING, AlertRule.JUMP)
OUTFALL_RULES = (AlertRule.DISCHARGE, AlertRule.REPEATED, AlertRule.JUMP)
_FLAG = {AlertRule.EXCEEDANCE: "over", AlertRule.DISCHARGE: "over", AlertRule.REPEATED: "repeated",
         AlertRule.APPROACHING: "approaching", AlertRule.JUMP: "jump"}


@dataclass
class Touched:
    """An alert a check created or updated; ``new`` when this check created it."""

    alert: Alert
    new: bool


@dataclass
class _Series:
    kind: str
    site: object
    parameter: str
    basis: str
    limit: object  # SeriesLimit or None
    target: str | None = None
    period_s: int = 0  # length of a daily/monthly statistic's period: its start may precede ``since``


def _utc(s: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(s), tz=dt.UTC)


def _value(value, qualifier, detection_limit) -> float | None:
    """The number a reading counts as (module docstring): below detection, the detection limit times
    the core's :data:`~outfall.core.standards.BELOW_DETECTION_FACTOR` (one half), as in period means."""
    if value is not None and qualifier != "missing":
        return float(value)
    if qualifier == "<" and detection_limit:
        return float(detection_limit) * BELOW_DETECTION_FACTOR
    return None


def _cutoffs(model, fk: str, ids, since, kind: str, window: int) -> dict[int, dt.datetime | None]:
    """Per site: the time from which readings are loaded (None: all of them)."""
    if since is None:
        return dict.fromkeys(ids)
    opened = dict(Alert.objects.filter(site_kind=kind, episode_open=True, **{f"{kind}_id__in": ids})
                  .values(f"{kind}_id").annotate(t=Min("opened_at")).values_list(f"{kind}_id", "t"))
    out = {}
    for sid in ids:
        start = min(since, opened.get(sid) or since)
        times = (model.objects.filter(**{fk: sid, "time__lt": start}).order_by("-time")
                 .values_list("time", flat=True).distinct()[window - 1:window])
        out[sid] = times[0] if times else None
    return out


def _load(model, fk: str, ids, cutoffs) -> dict[tuple[int, str], tuple[list, list]]:
    """(site id, parameter) → (times in s, values) of the usable readings."""
    out: dict[tuple[int, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    q = Q()
    for sid in ids:
        q |= Q(**{fk: sid}) if cutoffs.get(sid) is None else Q(**{fk: sid, "time__gte": cutoffs[sid]})
    rows = (model.objects.filter(q).exclude(qc_flag="invalid").order_by(fk, "parameter", "time")
            .values_list(fk, "parameter", "time", "value", "qualifier", "detection_limit"))
    for sid, p, t, v, qual, dl in rows.iterator(chunk_size=20000):
        x = _value(v, qual, dl)
        if x is not None:
            ts, vs = out[(sid, p)]
            ts.append(int(t.timestamp()))
            vs.append(x)
    return out


def _section_series(ids, since, rules) -> tuple[list[_Series], list]:
    window = max(rules.jump_window, rules.repeat_n) + 1
    sections = {s.pk: s for s in Section.objects.filter(pk__in=ids)}
    data = _load(SectionReading, "section_id", sections, _cutoffs(SectionReading, "section_id", sections, since,
                                                                   "section", window))
    series, arrays = [], []
    for (sid, p), (ts, vs) in sorted(data.items()):
        s = sections[sid]
        try:
            lim = section_limit(p, s.target_class, water_type=s.water_type)
        except (LimitError, KeyError, ValueError):
            lim = None
        series.append(_Series("section", s, p, "sample", lim, WaterClass(s.target_class).label))
        arrays.append((ts, vs))
    return series, arrays


def _outfall_series(ids, since, rules) -> tuple[list[_Series], list]:
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
    data = _load(OutfallReading, "outfall_id", site_ids, cut)
    series, arrays = [], []
    for lim in limits:
        ts, vs = data.get((lim.outfall_id, lim.parameter), ([], []))
        t, v = np.asarray(ts, dtype=np.int64), np.asarray(vs, dtype=float)
        if lim.valid_from:
            keep = t >= int(dt.datetime.combine(lim.valid_from, dt.time(), tzinfo=dt.UTC).timestamp()) - 8 * 3600
            t, v = t[keep], v[keep]
        if lim.valid_to:
            keep = t < int(dt.datetime.combine(lim.valid_to, dt.time(), tzinfo=dt.UTC).timestamp()) + 16 * 3600
            t, v = t[keep], v[keep]
        if lim.basis != "sample" and len(t):
            t, v = basis_statistics(t, v, lim.basis)
        dlim = DischargeLimit(lim.parameter, lim.limit, lim.kind, lim.basis, lim.valid_from, lim.valid_to)
        period = {"sample": 0, "daily": 86400, "monthly": 31 * 86400}[lim.basis.partition("_")[0]]
        series.append(_Series("outfall", lim.outfall, lim.parameter, lim.basis, dlim.series_limit(), period_s=period))
        arrays.append((t.tolist(), v.tolist()))
    return series, arrays


def _facts(ser: _Series, rule: AlertRule, f, r: Readings, first: int, last: int, rules, n_over: int) -> Facts:
    p = registry().get(ser.parameter)
    lim = ser.limit
    tz = dt.timezone(dt.timedelta(hours=8))
    return Facts(site=ser.site.name or ser.site.code, parameter=p.name_zh if p else ser.parameter,
                 unit=p.unit if p else "", value=float(r.value[last]), limit=None if lim is None else lim.limit,
                 kind=lim.kind if lim is not None else "max", time=_utc(r.time[last]).astimezone(tz),
                 since=_utc(r.time[first]).astimezone(tz), multiple=_nanmax(f.multiple[first:last + 1]),
                 pct=_num(f.pct[last]), count=n_over, window=rules.repeat_n, z=_num(f.z[last]) or 0.0,
                 target=ser.target, basis=ser.basis, parameter_en=p.name_en if p else None)


def _nanmax(a) -> float | None:
    return float(np.nanmax(a)) if np.any(~np.isnan(a)) else None


def _num(x) -> float | None:
    x = float(x) if x is not None else math.nan
    return None if math.isnan(x) else x


def _episode_fields(ser, rule, f, r, first, last, closed_at, rules, receptors) -> dict:
    vals = r.value[first:last + 1]
    lower = ser.limit is not None and ser.limit.kind == "min"
    peak = float(vals.min() if lower else vals.max())
    series_start = int(np.flatnonzero(r.series == r.series[last])[0])
    lo = max(series_start, last - rules.repeat_n + 1)
    n_over = int(f.over[lo:last + 1].sum())
    facts = _facts(ser, rule, f, r, first, last, rules, n_over)
    multiple = _nanmax(f.multiple[first:last + 1])
    pct = _nanmax(f.pct[first:last + 1]) if ser.limit is not None else None
    hours = min((d["travel_time_h"] for d in receptors), default=None)
    zh, en = explain(rule, facts)
    return {"last_time": _utc(r.time[last]), "value": float(r.value[last]),
            "limit": None if ser.limit is None else ser.limit.limit,
            "limit_kind": "" if ser.limit is None else ser.limit.kind, "multiple": multiple,
            "exceedance_pct": None if pct is None else round(pct, 3), "peak": peak,
            "readings_count": int(last - first + 1), "rules_version": rules.version, "receptors": receptors,
            "severity": severity_of(rule, multiple=multiple, receptor_hours=hours, rules=rules).value,
            "episode_open": closed_at == -1, "recovered_at": None if closed_at == -1 else _utc(r.time[closed_at]),
            "explanation_zh": zh, "explanation_en": en}


_COMPARED = ("last_time", "value", "limit", "multiple", "exceedance_pct", "peak", "readings_count", "severity",
             "episode_open", "recovered_at", "receptors", "rules_version")


def _snap(a: Alert) -> dict:
    return {k: (getattr(a, k).isoformat() if isinstance(getattr(a, k), dt.datetime) else getattr(a, k))
            for k in ("state", "opened_at", *_COMPARED)}


def _existing(key: dict, opened_at, last_time) -> Alert | None:
    """The stored alert this episode belongs to: same series and rule, overlapping it, or still open."""
    return (Alert.objects.filter(**key, opened_at__lte=last_time)
            .filter(Q(last_time__gte=opened_at) | Q(episode_open=True)).order_by("opened_at").first())


def _store(ser: _Series, rule: AlertRule, opened_at, fields: dict, *, actor, batch) -> Touched | None:
    key = {"site_kind": ser.kind, "site_code": ser.site.code, "parameter": ser.parameter, "rule": rule.value,
           "basis": ser.basis}
    for attempt in range(3):
        existing = _existing(key, opened_at, fields["last_time"])
        if existing is not None:
            before = _snap(existing)
            if existing.opened_at < opened_at:  # the window began inside a stored episode: keep its count
                newer = fields["readings_count"]
                fields = {**fields, "readings_count": max(existing.readings_count, newer)}
            for k, v in fields.items():
                setattr(existing, k, v)
            if opened_at < existing.opened_at:
                existing.opened_at = opened_at
            after = _snap(existing)
            if after == before:
                return Touched(existing, False)
            existing.save()
            record_change(existing, action="update", actor=actor, before=before, after=after, batch_id=batch)
            return Touched(existing, False)
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    **key, section=ser.site if ser.kind == "section" else None,
                    outfall=ser.site if ser.kind == "outfall" else None, town_id=ser.site.town_id,
                    opened_at=opened_at, **fields)
        except IntegrityError:  # a concurrent check stored it first: merge into theirs
            log.info("alert %s raced; merging (attempt %d)", key, attempt + 1)
            continue
        AlertStep.objects.create(alert=alert, from_state="", to_state=alert.state, actor=None,
                                 actor_name="系统", note="规则触发 / raised by the rules")
        record_change(alert, action="create", actor=actor, before=None, after=_snap(alert), batch_id=batch)
        return Touched(alert, True)
    raise IntegrityError(f"could not store alert {key} after 3 attempts")


@transaction.atomic
def check_alerts(*, sections=None, outfalls=None, since: dt.datetime | None = None, now: dt.datetime | None = None,
                 actor=None, rules=None, which=None) -> list[Touched]:
    """Evaluate the rules on the readings of ``sections``/``outfalls`` (ids; None: every site) and
    store the episodes as alerts.

    Parameters
    ----------
    sections, outfalls : iterable of int, optional
        Site ids to check; None checks every site of that kind, an empty set none.
    since : datetime, optional
        Only episodes with a reading (or their recovery) at or after this time are stored and reported.
        Earlier readings are still loaded for the rules' windows. None: every reading.
    now : datetime, optional
        The clock of the station-offline rule (:mod:`outfall.alerts.gaps`): with it, automatic
        stations silent too long at ``now`` get a ``gap`` alert and those reporting again have it
        closed. None: that rule is not run (a replay of old readings).
    actor : User, optional
        Who ran the check (the pushing account for a hook), written to history.
    rules : RuleSet, optional
        Thresholds; default :func:`outfall.alerts.rules.current_rules`.
    which : iterable of AlertRule or str, optional
        Only these rules (default every rule of :data:`SECTION_RULES` and :data:`OUTFALL_RULES`).

    Returns
    -------
    list of Touched
        Every alert created or updated (``new`` for created), in the order found.
    """
    rules = rules or current_rules()
    sec_ids = list(Section.objects.values_list("pk", flat=True)) if sections is None else list(sections)
    out_ids = (list(OutfallLimit.objects.values_list("outfall_id", flat=True).distinct())
               if outfalls is None else list(outfalls))
    series, arrays = _section_series(sec_ids, since, rules) if sec_ids else ([], [])
    s2, a2 = _outfall_series(out_ids, since, rules) if out_ids else ([], [])
    series, arrays = series + s2, arrays + a2
    batch = uuid.uuid4()
    only = None if which is None else {AlertRule(w) for w in which}
    gaps = now is not None and sec_ids and (only is None or AlertRule.GAP in only)
    touched = _check_gaps(sec_ids, now, rules, actor=actor, batch=batch) if gaps else []
    if not series:
        _finish(touched, 0, 0, actor)
        return touched
    idx = np.concatenate([np.full(len(ts), k, dtype=np.int64) for k, (ts, _v) in enumerate(arrays)])
    r = Readings.from_arrays(idx, np.concatenate([np.asarray(ts, dtype=np.int64) for ts, _ in arrays]),
                             np.concatenate([np.asarray(vs, dtype=float) for _, vs in arrays]))
    steps = [10.0 ** -(registry()[s.parameter].decimals) if s.parameter in registry() else 0.0 for s in series]
    f = evaluate(r, SeriesSpec.from_limits([s.limit for s in series], steps=steps), rules)
    since_s = None if since is None else int(since.timestamp())
    receptor_cache = {}
    for rule_set, kind in ((SECTION_RULES, "section"), (OUTFALL_RULES, "outfall")):
        for rule in rule_set:
            if only is not None and rule not in only:
                continue
            flags = f.flags(_FLAG[rule])
            for ep in episodes(r, flags, grace=rules.episode_grace):
                ser = series[ep.series]
                if ser.kind != kind or (ser.limit is None and rule != AlertRule.JUMP):
                    continue
                end = ep.last if ep.closed_at == -1 else ep.closed_at
                if since_s is not None and r.time[end] < since_s - ser.period_s:
                    continue
                receptors = []
                if kind == "section":
                    if ser.site.pk not in receptor_cache:
                        receptor_cache[ser.site.pk] = downstream_receptors(ser.site)
                    receptors = receptor_cache[ser.site.pk]
                fields = _episode_fields(ser, rule, f, r, ep.first, ep.last, ep.closed_at, rules, receptors)
                t = _store(ser, rule, _utc(r.time[ep.first]), fields, actor=actor, batch=batch)
                if t is not None:
                    touched.append(t)
    _finish(touched, len(series), len(r), actor)
    return touched


def _finish(touched: list[Touched], n_series: int, n_readings: int, actor) -> None:
    from outfall.alerts.notify import schedule_notifications

    new_ids = [t.alert.pk for t in touched if t.new]
    if new_ids:
        schedule_notifications(new_ids, event="new")
    log.info("check_alerts: %d series, %d readings, %d alerts touched (%d new) by %s", n_series, n_readings,
             len(touched), len(new_ids), actor_name(actor))


def _check_gaps(section_ids, now, rules, *, actor, batch) -> list[Touched]:
    """Open an alert for every silent automatic station, close the open ones that report again."""
    touched = []
    for f in gap_findings(section_ids, now, rules):
        ser = _Series("section", f["section"], ALL_PARAMETERS, "sample", None)
        if f["silent"]:
            touched.append(_store(ser, AlertRule.GAP, f["last"], gap_fields(f, rules), actor=actor, batch=batch))
            continue
        for alert in Alert.objects.filter(section=f["section"], rule=AlertRule.GAP.value, episode_open=True):
            before = _snap(alert)
            back = (SectionReading.objects.filter(section=f["section"], time__gt=alert.last_time)
                    .order_by("time").values_list("time", flat=True).first())
            alert.episode_open, alert.recovered_at = False, back
            alert.save(update_fields=["episode_open", "recovered_at", "updated_at"])
            record_change(alert, action="update", actor=actor, before=before, after=_snap(alert), batch_id=batch)
            touched.append(Touched(alert, False))
    return touched


def on_readings_written(section_ids, outfall_ids, earliest_time, actor) -> None:
    """The monitoring hook: check the sites a batch wrote, from its earliest reading on (a station
    that reports again has its offline alert closed)."""
    from django.utils import timezone

    check_alerts(sections=section_ids, outfalls=outfall_ids, since=earliest_time, actor=actor, now=timezone.now())
