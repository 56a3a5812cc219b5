"""From the database to the tracing core's inputs (``outfall.core.tracing.trace``), reusable by
every caller that runs the core on stored data (the trace service, ``outfall trace``, a what-if).

- the network: ``outfall.rivers.selectors.current_network`` (built once per import);
- outfalls: every outfall not cancelled that has a snap (``rivers.Snap``), with its HJ 1312 level-1
  type, its design discharge (m³/d → m³/s) and its past violations (verification tasks of it that
  found it discharging, and what the apps above add through :data:`violation_sources`);
- sections: every section with a snap;
- readings of ONE parameter in [at − window, at + window], filtered by site, parameter and time in
  SQL (the readings tables' unique index begins with exactly these), never a scan of all readings.
  Times are hours (float) since :data:`EPOCH`. A reading below detection (qualifier ``<``, no value)
  counts as its detection limit × the core's ``BELOW_DETECTION_FACTOR`` (``outfall.core.standards.counted_value``, as the alerts check);
  missing and QC-invalid readings are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count

from outfall.core.errors import InputError
from outfall.core.standards import counted_value
from outfall.core.tracing import OutfallIndex, OutfallSite, SectionSite
from outfall.core.tracing.trace import DEFAULT_WINDOW_H
from outfall.ledger.models import Outfall
from outfall.monitoring.models import OutfallReading, Section, SectionReading
from outfall.rivers.models import Snap
from outfall.rivers.selectors import current_network, network_key

__all__ = ["EPOCH", "TraceInputs", "from_hours", "load_inputs", "load_readings", "outfall_sites", "section_sites",
           "to_hours"]

#: Hours are counted from here (UTC); stored with every trace's inputs.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
SECONDS_PER_DAY = 86400.0


def to_hours(t: dt.datetime) -> float:
    """Hours (float) from :data:`EPOCH` to the aware time ``t``.

    >>> to_hours(dt.datetime(2000, 1, 2, 6, tzinfo=dt.UTC))
    30.0
    """
    return (t - EPOCH).total_seconds() / 3600.0


def from_hours(h: float) -> dt.datetime:
    """The aware UTC time ``h`` hours after :data:`EPOCH` (whole seconds).

    >>> from_hours(30.0).isoformat()
    '2000-01-02T06:00:00+00:00'
    """
    return EPOCH + dt.timedelta(seconds=round(float(h) * 3600.0))




@dataclass
class SiteInfo:
    """What the pages, the report and the map say about a site besides its position on the network."""

    pk: int
    code: str
    name: str
    lon: float
    lat: float
    extra: dict = field(default_factory=dict)


#: Functions ``() -> {outfall pk: count}`` of an outfall's other past violations, added up with the
#: verification tasks' (STYLE rule 16: the apps above traces — cases, remediation — append theirs in
#: their ``apps.py``; traces never imports them).
violation_sources: list = []


def violations_by_outfall() -> dict[int, int]:
    """Outfall pk → number of its past violations: verification tasks that found it discharging, plus
    what every function in :data:`violation_sources` counts (substantiated cases, remediation)."""
    from outfall.traces.models import VerificationTask

    counts = dict(VerificationTask.objects.filter(state="done", result="discharging").values("outfall_id")
                  .annotate(n=Count("id")).values_list("outfall_id", "n"))
    for source in violation_sources:
        for pk, n in source().items():
            counts[pk] = counts.get(pk, 0) + int(n)
    return counts


def outfall_sites(net) -> tuple[list[OutfallSite], dict[str, SiteInfo], list[str]]:
    """(sites, info by code, notes) of every snapped outfall not cancelled."""
    rows = (Snap.objects.filter(outfall__isnull=False).exclude(outfall__status="cancelled")
            .values_list("outfall_id", "outfall__code", "outfall__name", "outfall__type_l1",
                         "outfall__design_discharge_m3_d", "outfall__lon", "outfall__lat", "outfall__town__name",
                         "outfall__town_id", "reach__reach_id", "measure").order_by("outfall__code"))
    violations = violations_by_outfall()
    sites, info, missing = [], {}, 0
    for pk, code, name, typ, q_d, lon, lat, town, town_id, reach_id, measure in rows:
        r = net.index.get(reach_id)
        if r is None:
            missing += 1
            continue
        q = float(q_d) / SECONDS_PER_DAY if q_d else None
        sites.append(OutfallSite(code, int(r), float(measure), typ or "", q, violations.get(pk, 0)))
        info[code] = SiteInfo(pk, code, name, lon, lat, {"type": typ or "", "town": town or "", "town_id": town_id,
                                                         "design_discharge_m3_d": q_d})
    notes = []
    unsnapped = Outfall.objects.active().filter(snap__isnull=True).count()
    if unsnapped:
        notes.append(f"{unsnapped} 个排污口未定位到河网，未参与溯源 / outfalls not on the network are left out")
    if missing:
        notes.append(f"{missing} 个排污口的河段不在当前河网中 / outfalls snapped to reaches no longer in the network")
    return sites, info, notes


def section_sites(net) -> tuple[list[SectionSite], dict[str, SiteInfo]]:
    """(sites, info by code) of every snapped section."""
    rows = (Snap.objects.filter(section__isnull=False)
            .values_list("section_id", "section__code", "section__name", "section__river", "section__lon",
                         "section__lat", "reach__reach_id", "measure", "distance_m", "far").order_by("section__code"))
    sites, info = [], {}
    for pk, code, name, river, lon, lat, reach_id, measure, dist, far in rows:
        r = net.index.get(reach_id)
        if r is None:
            continue
        sites.append(SectionSite(code, int(r), float(measure)))
        info[code] = SiteInfo(pk, code, name, lon, lat, {"river": river, "distance_m": dist, "far": far})
    return sites, info


def load_readings(parameter: str, lo: dt.datetime, hi: dt.datetime, *, section_ids, outfall_ids
                  ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{site code: (hours since EPOCH, values)} of ``parameter`` in [lo, hi], sorted by time, for
    the given section and outfall pks (by site, parameter and time in SQL)."""
    out: dict[str, tuple[list, list]] = {}
    for model, fk, ids in ((SectionReading, "section", section_ids), (OutfallReading, "outfall", outfall_ids)):
        ids = list(ids)
        for start in range(0, len(ids), 500):
            qs = (model.objects.filter(**{f"{fk}_id__in": ids[start:start + 500]}, parameter=parameter,
                                       time__gte=lo, time__lte=hi).exclude(qc_flag="invalid")
                  .values_list(f"{fk}__code", "time", "value", "qualifier", "detection_limit").order_by(fk, "time"))
            for code, t, v, q, dl in qs:
                x = counted_value(v, q, dl)
                if x is not None:
                    ts, vs = out.setdefault(code, ([], []))
                    ts.append(to_hours(t))
                    vs.append(x)
    return {c: (np.asarray(t, float), np.asarray(v, float)) for c, (t, v) in out.items()}


@dataclass
class TraceInputs:
    """Everything the core needs for one trace, plus what the pages say about the sites."""

    net: object
    index: OutfallIndex
    outfalls: list[OutfallSite]
    sections: list[SectionSite]
    readings: dict[str, tuple[np.ndarray, np.ndarray]]
    section: SectionSite
    parameter: str
    at_h: float
    window_h: float
    outfall_info: dict[str, SiteInfo]
    section_info: dict[str, SiteInfo]
    network: tuple
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON that reproduces the trace: feed it to :func:`from_dict`-style code with the same network."""
        ids = self.net.ids
        return {"epoch": EPOCH.isoformat(), "network": list(self.network), "section": self.section.code,
                "parameter": self.parameter, "at_h": self.at_h, "window_h": self.window_h,
                "outfalls": [[o.code, ids[o.reach], o.measure, o.type_l1, o.discharge_m3_s, o.violations]
                             for o in self.outfalls],
                "sections": [[s.code, ids[s.reach], s.measure] for s in self.sections],
                "readings": {c: [t.tolist(), v.tolist()] for c, (t, v) in sorted(self.readings.items())}}


_index_cache: dict = {}


def outfall_index(net, key: tuple, outfalls: list[OutfallSite]) -> OutfallIndex:
    """The core's outfall index for these sites, reused while the network and the sites are unchanged
    (its flows are computed once per network, not per trace)."""
    cached = _index_cache.get("entry")
    if cached is not None and cached[0] == key and cached[1] is net and cached[2] == outfalls:
        return cached[3]
    index = OutfallIndex(net, outfalls)
    _index_cache["entry"] = (key, net, list(outfalls), index)
    return index


def _section_site(section: Section, net) -> tuple[SectionSite, list[str]]:
    snap = Snap.objects.filter(section=section).select_related("reach").first()
    if snap is None or snap.reach.reach_id not in net.index:
        raise InputError(f"section {section.code} not snapped",
                         user_message=f"断面「{section.code} {section.name}」未定位到河网（没有河网位置），无法溯源；"
                                      f"请先导入河网或核对断面坐标 / the section is not on the river network")
    notes = []
    if snap.far:
        notes.append(f"断面距最近河段 {snap.distance_m:.0f} 米，河网位置可能不准 / the section is far from the river")
    return SectionSite(section.code, net.index[snap.reach.reach_id], float(snap.measure)), notes


def load_inputs(section: Section, parameter: str, at: dt.datetime, *, window_h: float | None = None) -> TraceInputs:
    """The core's inputs for a trace of ``parameter`` (registry code) at ``section`` at ``at``.

    Raises InputError (Chinese first) when the section is not on the network or has no reading of
    the parameter in the window; NotFoundError when no river network was imported.
    """
    window_h = float(window_h or DEFAULT_WINDOW_H)
    if not (0 < window_h <= 24 * 30):
        raise InputError(f"window {window_h}", user_message=f"时间窗须在 0～720 小时之间: {window_h:g} / window 0..720 h")
    net = current_network()
    key = network_key()
    sec, notes = _section_site(section, net)
    outs, oinfo, onotes = outfall_sites(net)
    secs, sinfo = section_sites(net)
    index = outfall_index(net, tuple(key), outs)
    cand = index.find(sec, window_h=window_h)
    cand_pks = [oinfo[outs[i].code].pk for i in cand.idx]
    lo, hi = at - dt.timedelta(hours=window_h), at + dt.timedelta(hours=window_h)
    readings = load_readings(parameter, lo, hi, section_ids=[s.pk for s in sinfo.values()], outfall_ids=cand_pks)
    return TraceInputs(net, index, outs, secs, readings, sec, parameter, to_hours(at), window_h, oinfo, sinfo,
                       tuple(key), notes + onotes)
