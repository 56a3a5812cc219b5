"""check_alerts(): run the warning rules over stored readings and turn episodes into alerts.

The series and their limits come from :mod:`outfall.alerts.series`; the rules are the core's
(``evaluate``, ``episodes``); the alerts are written in bulk by :mod:`outfall.alerts.storing`
(a few statements per check whatever the number of alerts, with their first steps and history).

Replays are idempotent: an episode is stored under (site, parameter, rule, basis, opened_at), and an
episode that overlaps a stored alert of the same series and rule attaches to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid

import numpy as np
from django.db import transaction

from outfall.alerts.gaps import ALL_PARAMETERS, gap_fields, gap_findings
from outfall.alerts.models import Alert, OutfallLimit
from outfall.alerts.periods import PERIOD_RULES, period_candidates
from outfall.alerts.receptors import downstream_receptors_of
from outfall.alerts.rules import current_rules
from outfall.alerts.series import Series, outfall_series, section_series, utc
from outfall.alerts.storing import Candidate, Touched, lock_sites, snapshot, store_candidates
from outfall.core.enums import AlertRule
from outfall.core.standards.parameters import registry
from outfall.core.warning import (
    Facts,
    Readings,
    SeriesSpec,
    episodes,
    evaluate,
    explain,
    severity_of,
)
from outfall.history.services import actor_name, record_change
from outfall.monitoring.models import Section, SectionReading

log = logging.getLogger("outfall.alerts")

__all__ = ["OUTFALL_RULES", "PERIOD_RULES", "SECTION_RULES", "Touched", "check_alerts", "on_readings_written"]

#: The per-reading rules each kind of site is checked with, and the Findings flag of each.
SECTION_RULES = (AlertRule.EXCEEDANCE, AlertRule.REPEATED, AlertRule.APPROACHING, AlertRule.JUMP)
OUTFALL_RULES = (AlertRule.DISCHARGE, AlertRule.REPEATED, AlertRule.JUMP)
_FLAG = {AlertRule.EXCEEDANCE: "over", AlertRule.DISCHARGE: "over", AlertRule.REPEATED: "repeated",
         AlertRule.APPROACHING: "approaching", AlertRule.JUMP: "jump"}


def _facts(ser: Series, rule: AlertRule, f, r: Readings, first: int, last: int, rules, n_over: int) -> Facts:
    p = registry().get(ser.parameter)
    lim = ser.limit
    tz = dt.timezone(dt.timedelta(hours=8))
    return Facts(site=ser.site.name or ser.site.code, parameter=p.name_zh if p else ser.parameter,
                 unit=p.unit if p else "", value=float(r.value[last]), limit=None if lim is None else lim.limit,
                 kind=lim.kind if lim is not None else "max", time=utc(r.time[last]).astimezone(tz),
                 since=utc(r.time[first]).astimezone(tz), multiple=_nanmax(f.multiple[first:last + 1]),
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
    series_start = int(np.searchsorted(r.series, r.series[last]))  # sorted by series: its first reading
    lo = max(series_start, last - rules.repeat_n + 1)
    n_over = int(f.over[lo:last + 1].sum())
    facts = _facts(ser, rule, f, r, first, last, rules, n_over)
    multiple = _nanmax(f.multiple[first:last + 1])
    pct = _nanmax(f.pct[first:last + 1]) if ser.limit is not None else None
    hours = min((d["travel_time_h"] for d in receptors), default=None)
    zh, en = explain(rule, facts)
    return {"last_time": utc(r.time[last]), "value": float(r.value[last]),
            "limit": None if ser.limit is None else ser.limit.limit,
            "limit_kind": "" if ser.limit is None else ser.limit.kind, "multiple": multiple,
            "exceedance_pct": None if pct is None else round(pct, 3), "peak": peak,
            "readings_count": int(last - first + 1), "rules_version": rules.version, "receptors": receptors,
            "severity": severity_of(rule, multiple=multiple, receptor_hours=hours, rules=rules).value,
            "episode_open": closed_at == -1, "recovered_at": None if closed_at == -1 else utc(r.time[closed_at]),
            "explanation_zh": zh, "explanation_en": en}


@transaction.atomic
def check_alerts(*, sections=None, outfalls=None, since: dt.datetime | None = None, now: dt.datetime | None = None,
                 actor=None, rules=None, which=None) -> list[Touched]:
    """Evaluate the rules on the readings of ``sections``/``outfalls`` (ids; None: every site) and
    store the episodes as alerts, in bulk (:mod:`outfall.alerts.storing`).

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
        Only these rules (default every rule: :data:`SECTION_RULES`, :data:`OUTFALL_RULES`, the
        period rules of sections (:data:`~outfall.alerts.periods.PERIOD_RULES`, monthly) and, with
        ``now``, the station-offline rule).

    Returns
    -------
    list of Touched
        Every alert created or updated (``new`` for created), each once, in the order found.
    """
    rules = rules or current_rules()
    sec_ids = list(Section.objects.values_list("pk", flat=True)) if sections is None else list(sections)
    out_ids = (list(OutfallLimit.objects.values_list("outfall_id", flat=True).distinct())
               if outfalls is None else list(outfalls))
    lock_sites(sec_ids, out_ids)  # a concurrent check of these sites waits for this one's commit
    series, arrays = section_series(sec_ids, since, rules) if sec_ids else ([], [])
    s2, a2 = outfall_series(out_ids, since, rules) if out_ids else ([], [])
    series, arrays = series + s2, arrays + a2
    batch = uuid.uuid4()
    only = None if which is None else {AlertRule(w) for w in which}
    gaps = now is not None and sec_ids and (only is None or AlertRule.GAP in only)
    candidates, closed_gaps = _gap_candidates(sec_ids, now, rules) if gaps else ([], [])
    n_readings = 0
    receptors: dict[int, list] = {}
    if series:
        r, f = _evaluate(series, arrays, rules)
        n_readings = len(r)
        candidates += _episode_candidates(series, r, f, since, rules, only, receptors)
    loaded = (series, arrays) if since is None else None
    candidates += period_candidates(sec_ids, since, rules, only, receptors, loaded=loaded)
    touched = store_candidates(candidates, actor=actor, batch=batch)
    touched += _close_gaps(closed_gaps, actor=actor, batch=batch)
    _finish(touched, len(series), n_readings, actor)
    return touched


def _evaluate(series: list[Series], arrays: list, rules):
    idx = np.concatenate([np.full(len(ts), k, dtype=np.int64) for k, (ts, _v) in enumerate(arrays)])
    r = Readings.from_arrays(idx, np.concatenate([np.asarray(ts, dtype=np.int64) for ts, _ in arrays]),
                             np.concatenate([np.asarray(vs, dtype=float) for _, vs in arrays]))
    steps = [10.0 ** -(registry()[s.parameter].decimals) if s.parameter in registry() else 0.0 for s in series]
    return r, evaluate(r, SeriesSpec.from_limits([s.limit for s in series], steps=steps), rules)


def _episode_candidates(series: list[Series], r: Readings, f, since, rules, only, receptors: dict) -> list[Candidate]:
    """The episodes of the per-reading rules that end at or after ``since``, in rule order."""
    since_s = None if since is None else int(since.timestamp())
    found = []
    for rule_set, kind in ((SECTION_RULES, "section"), (OUTFALL_RULES, "outfall")):
        for rule in rule_set:
            if only is not None and rule not in only:
                continue
            for ep in episodes(r, f.flags(_FLAG[rule]), grace=rules.episode_grace):
                ser = series[ep.series]
                if ser.kind != kind or (ser.limit is None and rule != AlertRule.JUMP):
                    continue
                end = ep.last if ep.closed_at == -1 else ep.closed_at
                if since_s is not None and r.time[end] < since_s - ser.period_s:
                    continue
                found.append((ser, rule, ep))
    receptors.update(downstream_receptors_of({ser.site.pk: ser.site for ser, _r, _e in found
                                              if ser.kind == "section"}.values()))
    return [Candidate(ser.kind, ser.site, ser.parameter, ser.basis, rule, utc(r.time[ep.first]),
                      _episode_fields(ser, rule, f, r, ep.first, ep.last, ep.closed_at, rules,
                                      receptors.get(ser.site.pk, []) if ser.kind == "section" else []))
            for ser, rule, ep in found]


def _finish(touched: list[Touched], n_series: int, n_readings: int, actor) -> None:
    from outfall.alerts.notify import schedule_notifications

    new_ids = [t.alert.pk for t in touched if t.new]
    if new_ids:
        schedule_notifications(new_ids, event="new")
    log.info("check_alerts: %d series, %d readings, %d alerts touched (%d new) by %s", n_series, n_readings,
             len(touched), len(new_ids), actor_name(actor))


def _gap_candidates(section_ids, now, rules) -> tuple[list[Candidate], list]:
    """A candidate for every silent automatic station; the sections reporting again."""
    silent, back = [], []
    for f in gap_findings(section_ids, now, rules):
        if f["silent"]:
            silent.append(Candidate("section", f["section"], ALL_PARAMETERS, "sample", AlertRule.GAP, f["last"],
                                    gap_fields(f, rules)))
        else:
            back.append(f["section"])
    return silent, back


def _close_gaps(sections, *, actor, batch) -> list[Touched]:
    """Close the open offline alerts of stations that report again (few: kept one at a time)."""
    touched = []
    for alert in Alert.objects.filter(section__in=sections, rule=AlertRule.GAP.value, episode_open=True):
        before = snapshot(alert)
        back = (SectionReading.objects.filter(section_id=alert.section_id, time__gt=alert.last_time)
                .order_by("time").values_list("time", flat=True).first())
        alert.episode_open, alert.recovered_at = False, back
        alert.save(update_fields=["episode_open", "recovered_at", "updated_at"])
        record_change(alert, action="update", actor=actor, before=before, after=snapshot(alert), batch_id=batch)
        touched.append(Touched(alert, False))
    return touched


def on_readings_written(section_ids, outfall_ids, earliest_time, actor, *, rows: int = 0, kind: str = "") -> None:
    """The monitoring hook: check the sites a batch wrote, from its earliest reading on (a station
    that reports again has its offline alert closed). A file of at least
    ``OUTFALL_ALERT_WORKER_ROWS`` rows is checked by the worker (``check_alerts_task``), so its import
    returns without waiting; a push, and any smaller batch, is checked here, before the response."""
    from django.conf import settings

    limit = getattr(settings, "OUTFALL_ALERT_WORKER_ROWS", 0)
    if kind != "push" and limit and rows >= limit:
        from outfall.alerts.tasks import check_alerts_task

        try:
            check_alerts_task(sorted(section_ids), sorted(outfall_ids),
                              earliest_time.isoformat() if earliest_time else None, getattr(actor, "pk", None))
            log.info("alerts check of %d rows queued for the worker", rows)
            return
        except Exception:  # noqa: BLE001 — a queue that is down must not lose the check: run it here
            log.exception("could not queue the alerts check of %d rows; running it now", rows)
    check_readings_written(section_ids, outfall_ids, earliest_time, actor)


def check_readings_written(section_ids, outfall_ids, earliest_time, actor) -> list[Touched]:
    """The check of a batch of readings: its sites, from its earliest reading, with the clock of now;
    the sites of a large batch in groups (``outfall.alerts.batches``), so memory stays bounded."""
    from django.utils import timezone

    from outfall.alerts.batches import site_batches

    now = timezone.now()
    touched: list[Touched] = []
    for sections, outfalls in site_batches(section_ids, outfall_ids, earliest_time):
        touched += check_alerts(sections=sections, outfalls=outfalls, since=earliest_time, actor=actor, now=now)
    return touched
