"""The demo year, generated from the river network (no Django): baselines per section, and discharges
at named demo outfalls carried to the sections below them by ``outfall.core.simulate``.

Each series is one ``simulate`` call on the demo network (``laixi.REACHES``, its velocities and
flows): the background is the section's baseline, which varies with the season and the hour; the
sources are the discharges of ``EVENTS`` (a box pulse at the outfall, spread by dispersion, decayed
on the way, mixed into the river flow) and the simulator adds the relative measurement noise
(seeded); values are then rounded to the parameter's reporting precision as the simulator's
``decimals`` rounds them (GB/T 8170 half to even, ``_report`` does it on whole arrays). So a
discharge shows at every section below its outfall, at the hour its travel time gives, diluted by
each section's flow and decayed on the way (``DEFAULT_DECAY_PER_DAY``).

Baselines sit at about 45 % of each section's target limit (``_SHARE``), with a seasonal swing
(ammonia highest in winter, when nitrification is slow; phosphorus and organic matter highest in the
summer rains), a small diurnal one (±4 %), and dissolved oxygen that follows water temperature
(saturation × 0.89–0.99, × 0.95–1.01 at class II: photosynthesis by day, respiration by night).
They stay below 80 % of their limits all year (the "approaching" share of the default rules); the
one baseline feature the rules see is a summer thunderstorm over 马连庄 (``STORMS``).

Outfalls with online monitoring (``online_monitoring`` in the ledger) report their own NH₃-N and
COD once a day (the day's mean, at 10:00): their usual effluent for their type, plus the part of
the day an event of theirs lasted. The culprit of the main event has no online monitor, so tracing
has work to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from outfall.core.network import Network, ReachInput, build_network, snap_points
from outfall.core.simulate import Point, Pulse, Source, simulate
from outfall.core.standards.evaluation import do_saturation
from outfall.core.standards.parameters import registry
from outfall.core.standards.values import round_report
from outfall.demo.laixi import REACHES, SECTIONS

__all__ = ["TZ", "START", "EVENTS", "Discharge", "demo_network", "section_points", "outfall_points",
           "section_readings", "outfall_readings", "hours_since_start", "ONLINE_PARAMETERS"]

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2025, 1, 1, tzinfo=TZ)
#: Longitudinal dispersion of the demo rivers, m²/s (small rivers 1–30 m²/s, Fischer et al. 1979).
DISPERSION_M2_S = 5.0
#: Baseline as a share of the target's limit (the yearly mean before the seasonal swing).
_SHARE = 0.45
#: target class → limit (mg/L) of the parameters whose baseline follows the target (GB 3838-2002 Table 1).
_LIMIT = {"II": {"NH3N": 0.5, "TP": 0.1, "CODMN": 4.0, "COD": 15.0, "BOD5": 3.0},
          "III": {"NH3N": 1.0, "TP": 0.2, "CODMN": 6.0, "COD": 20.0, "BOD5": 4.0},
          "IV": {"NH3N": 1.5, "TP": 0.3, "CODMN": 10.0, "COD": 30.0, "BOD5": 6.0}}
#: Lakes and reservoirs: TP and TN limits of the lake column (class III: 0.05 and 1.0 mg/L).
_LAKE = {"TP": 0.05, "TN": 1.0}
#: Relative measurement noise of an automatic station (a manual sample: 1.25 ×).
_NOISE = {"NH3N": 0.08, "TP": 0.08, "CODMN": 0.06, "COD": 0.06, "BOD5": 0.08, "TN": 0.06, "WT": 0.02, "DO": 0.015,
          "PH": 0.008, "CHLA": 0.15, "SD": 0.05}
#: Daily own readings of an online-monitored outfall: parameter → usual effluent by level-1 type, mg/L.
ONLINE_PARAMETERS = ("NH3N", "COD")
_EFFLUENT = {"城镇污水处理厂排污口": {"NH3N": 1.2, "COD": 28.0}, "工业排污口": {"NH3N": 6.0, "COD": 60.0},
             "农业排口": {"NH3N": 35.0, "COD": 220.0}, "其他排口": {"NH3N": 12.0, "COD": 110.0}}
_EFFLUENT_OTHER = {"NH3N": 15.0, "COD": 150.0}


@dataclass(frozen=True)
class Discharge:
    """A discharge at a demo outfall (by its unique ledger name): from ``start`` for ``hours`` hours at
    ``q_m3_s`` with the concentrations ``conc_mg_l``; ``note`` says what happened (Chinese)."""

    outfall: str
    start: dt.datetime
    hours: float
    q_m3_s: float
    conc_mg_l: dict
    note: str


#: The demo year's discharges. The first is the main story: ammonia-preserved latex wastewater let out
#: overnight by the largest industrial discharger on 洙河 (2,785 m³/d design, no online monitor); it
#: reaches 洙河入大沽河口 (S03) about 17 h later and 大沽河沽河桥 (S04) about 6 h after that.
EVENTS = [
    Discharge("莱西市官庄橡胶有限公司排污口", dt.datetime(2025, 7, 13, 21, tzinfo=TZ), 12.0, 0.032,
              {"NH3N": 300.0, "CODMN": 120.0, "TP": 2.0},
              "夜间偷排含氨胶乳废水 / night-time release of ammonia-preserved latex wastewater"),
    Discharge("莱西市沟头养殖场排口", dt.datetime(2025, 9, 2, 4, tzinfo=TZ), 16.0, 0.010,
              {"NH3N": 500.0, "TP": 50.0, "CODMN": 300.0},
              "养殖粪污塘雨后溢流直排 / manure lagoon overflowing after rain"),
    Discharge("莱西市河崖养殖场排口(3号)", dt.datetime(2025, 11, 10, 12, tzinfo=TZ), 20.0, 0.008,
              {"NH3N": 450.0, "COD": 1500.0, "TP": 30.0},
              "养殖废水未经处理排放 (该口有在线监测) / untreated farm wastewater (an online-monitored outfall)"),
]


#: Baseline features that are not discharges: a summer thunderstorm over the upper 大沽河 washes
#: particulate phosphorus and organic matter off the fields into 马连庄 (section, start, hours, factors).
STORMS = [("370285S01", dt.datetime(2025, 8, 9, 14, tzinfo=TZ), 12.0, {"TP": 1.7, "CODMN": 1.3})]
#: Sections on cool upland streams: a smaller summer swing of water temperature (°C, half-range).
_WT_SWING = {"370285S01": 10.0}


def hours_since_start(t: dt.datetime) -> float:
    return (t - START).total_seconds() / 3600.0


def _reaches() -> list[ReachInput]:
    return [ReachInput(rid, list(coords), name=name, to_id=to, velocity_m_s=u, flow_m3_s=q, kind=kind)
            for rid, name, kind, to, u, q, coords in REACHES]


@lru_cache(maxsize=1)
def demo_network() -> Network:
    """The demo network as the rivers app builds it from ``laixi.rivers_geojson()``."""
    return build_network(_reaches())


@lru_cache(maxsize=1)
def section_points() -> dict[str, Point]:
    """Section code → where it snaps on the demo network (the rivers app's rule, ``snap_points``)."""
    net = demo_network()
    res = snap_points(net, [s[6][0] for s in SECTIONS], [s[6][1] for s in SECTIONS])
    return {s[0]: Point(s[0], int(res.reach[k]), float(res.measure[k])) for k, s in enumerate(SECTIONS)}


@lru_cache(maxsize=1)
def outfall_points() -> dict[str, tuple[Point, dict]]:
    """Outfall name → (its snap on the demo network, its ledger row from ``ledger.outfall_rows``)."""
    from outfall.demo.ledger import outfall_rows

    rows = outfall_rows()
    res = snap_points(demo_network(), [r["lon"] for r in rows], [r["lat"] for r in rows])
    return {r["name"]: (Point(r["name"], int(res.reach[k]), float(res.measure[k])), r) for k, r in enumerate(rows)}


def _sources(parameter: str) -> list[Source]:
    out = []
    pts = outfall_points()
    for ev in EVENTS:
        pt, _row = pts[ev.outfall]
        c = ev.conc_mg_l.get(parameter, 0.0)
        out.append(Source(ev.outfall, pt.reach, pt.measure, ev.q_m3_s,
                          Pulse(c, hours_since_start(ev.start), ev.hours)))
    return out


def _times(automatic: bool, days: int) -> np.ndarray:
    """Hours since START: every 4 h at an automatic station, the 12th of each month at 10:00 otherwise."""
    if automatic:
        return np.arange(days * 6, dtype=float) * 4.0
    months = [START.replace(month=m, day=12, hour=10) for m in range(1, 13)]
    return np.array([hours_since_start(t) for t in months if hours_since_start(t) < days * 24])


def _baseline(code: str, target: str, water_type: str, parameter: str, t_h: np.ndarray) -> np.ndarray:
    doy = t_h / 24.0
    hour = np.mod(t_h, 24.0)  # START is local midnight: hours since START give the local hour
    day = np.sin(2 * np.pi * (hour - 9.0) / 24.0)  # peaks at 15:00, lowest at 03:00
    winter = np.cos(2 * np.pi * (doy - 20.0) / 365.0)
    summer = np.cos(2 * np.pi * (doy - 200.0) / 365.0)
    wt = 15.5 - _WT_SWING.get(code, 12.0) * np.cos(2 * np.pi * (doy - 15.0) / 365.0) + 1.0 * day
    if parameter == "WT":
        return wt
    if parameter == "DO":
        sat = np.array([do_saturation(float(x)) for x in np.round(wt, 1)])
        return sat * ((0.98 + 0.03 * day) if target in ("I", "II") else (0.94 + 0.05 * day))
    if parameter == "PH":
        return 7.7 + 0.2 * day
    if parameter in ("CHLA", "SD"):
        chla = 0.004 + 0.010 * np.maximum(0.0, np.cos(2 * np.pi * (doy - 230.0) / 365.0))
        return chla if parameter == "CHLA" else np.maximum(0.3, 2.2 - 90.0 * chla)
    lake = water_type == "lake"
    if parameter == "TN":
        base = _SHARE * _LAKE["TN"] if lake else 0.6 + 3.0 * _SHARE * _LIMIT[target]["NH3N"]
        return base * (1.0 + 0.2 * winter)
    limit = _LAKE["TP"] if lake and parameter == "TP" else _LIMIT[target][parameter]
    seasonal = 1.0 + (0.25 * winter if parameter == "NH3N" else 0.2 * summer)
    storm = np.ones_like(t_h)
    for where, start, hours, factors in STORMS:
        if where == code and parameter in factors:  # a quick rise (3 h), then a fall over ``hours``
            x = t_h - hours_since_start(start)
            shape = np.where(x < 0, 0.0, np.where(x < 3.0, x / 3.0, np.exp(-(x - 3.0) / hours)))
            storm = storm + (factors[parameter] - 1.0) * shape
    return _SHARE * limit * seasonal * (1.0 + 0.04 * day) * storm


def _parameters(automatic: bool, water_type: str) -> list[str]:
    ps = ["WT", "PH", "DO", "NH3N", "TP", "CODMN", "TN"]
    if not automatic:
        ps += ["COD", "BOD5"]
    if water_type == "lake":
        ps += ["CHLA", "SD"]
    return ps


def _report(values: np.ndarray, decimals: int) -> np.ndarray:
    """``round_report`` (GB/T 8170 half to even) on an array: NumPy's rounding, and the exact rule for
    the values within 1e-9 of a tie (the only ones where the two may differ)."""
    values = np.asarray(values, float)
    out = np.round(values, decimals)
    scaled = values * 10.0 ** decimals
    near_tie = np.flatnonzero(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-9)
    for i in near_tie:
        out[i] = round_report(float(values[i]), decimals)
    return out


def section_readings(code: str, target: str, water_type: str, automatic: bool, *, seed: int,
                     days: int = 365) -> list[tuple[dt.datetime, str, float]]:
    """(time, parameter, value) of one demo section over ``days`` days from START, deterministic for a
    seed; values in the parameter's registry unit (mg/L, ℃, m, pH), at its reporting precision."""
    net = demo_network()
    pt = section_points()[code]
    t = _times(automatic, days)
    reg = registry()
    times = [START + dt.timedelta(hours=float(h)) for h in t]
    out: list[tuple[dt.datetime, str, float]] = []
    for n, p in enumerate(_parameters(automatic, water_type)):
        base = _baseline(code, target, water_type, p, t)
        srcs = _sources(p) if p in {k for ev in EVENTS for k in ev.conc_mg_l} else []
        if srcs:  # the outfalls' own flow dilutes the background: keep the undisturbed river at the baseline
            dilution = simulate(net, srcs, [pt], [0.0], parameter=p, background_mg_l=1.0,
                                decay_per_day=0.0)[0, 0] - simulate(net, srcs, [pt], [0.0], parameter=p,
                                                                     decay_per_day=0.0)[0, 0]
            base = base / dilution
        noise = _NOISE[p] * (1.0 if automatic else 1.25)
        values = simulate(net, srcs, [pt], t, parameter=p, background_mg_l=base, dispersion_m2_s=DISPERSION_M2_S,
                          noise_rel=noise, seed=seed * 100 + n)[0]
        values = _report(values, reg[p].decimals)
        out.extend(zip(times, [p] * len(times), values.tolist(), strict=True))
    return out


def outfall_readings(*, days: int = 365, seed: int = 370285) -> dict[str, list[tuple[dt.datetime, str, float]]]:
    """Outfall name → its own daily readings (10:00) of ``ONLINE_PARAMETERS``, for every online-monitored
    demo outfall: its usual effluent with noise, plus the discharge of an event it causes."""
    rng = np.random.default_rng(seed)
    reg = registry()
    t = np.arange(days, dtype=float) * 24.0 + 10.0
    times = [START + dt.timedelta(hours=float(h)) for h in t]
    events = {ev.outfall: ev for ev in EVENTS}
    out = {}
    for name, (_pt, row) in sorted(outfall_points().items()):
        if not row["online_monitoring"]:
            continue
        usual = _EFFLUENT.get(row["type_l1"], _EFFLUENT_OTHER)
        rows = []
        for p in ONLINE_PARAMETERS:
            c = np.full(t.size, usual[p])
            ev = events.get(name)
            if ev is not None and p in ev.conc_mg_l:
                # a daily reading is the day's mean: the share of the day the discharge lasted
                day_share = np.clip((np.minimum(t + 14, hours_since_start(ev.start) + ev.hours)
                                     - np.maximum(t - 10, hours_since_start(ev.start))) / 24.0, 0.0, 1.0)
                c = usual[p] + (ev.conc_mg_l[p] - usual[p]) * day_share
            v = np.maximum(0.0, c * (1.0 + 0.1 * rng.standard_normal(t.size)))
            rows.extend(zip(times, [p] * t.size, _report(v, reg[p].decimals).tolist(), strict=True))
        out[name] = rows
    return out


def event_arrivals(event: Discharge) -> dict[str, float]:
    """Section code → hours from the start of ``event`` to its arrival there (only sections below it)."""
    from outfall.core.simulate import paths_between

    net = demo_network()
    src, _row = outfall_points()[event.outfall]
    out = {}
    for code, pt in section_points().items():
        ps = paths_between(net, src.reach, src.measure, pt.reach, pt.measure)
        if ps:
            out[code] = round(min(p.tau_h for p in ps), 1)
    return out


if __name__ == "__main__":  # pragma: no cover - a look at the year
    for ev in EVENTS:
        print(ev.outfall, ev.start, event_arrivals(ev))
