"""What-if (情景预测) on stored data: ``outfall whatif`` and ``GET /api/whatif/`` (shared/DESIGN.md §3).

Reads the current network, the snapped outfalls and sections (``outfall.traces.inputs``), and for each
parameter asked (or, without one, every parameter measured at a section in the period):

- a section's current concentration: the mean (mg/L) of its readings of the parameter in the period;
  below detection counts as detection limit × ``BELOW_DETECTION_FACTOR``, QC-invalid and missing
  readings are left out (``outfall.core.standards.counted_value``); a section without a reading is left out;
- a banned or merged outfall's current concentration: the mean of its own readings in the period, else
  None (the core then takes the typical effluent of its HJ 1312 type × its design discharge);

then runs the pure core (``outfall.core.tracing.whatif``) and returns its rows. The means are computed
in SQL (sum and count per site), never by loading a year of hourly readings into Python.

The period is a year (``2025``), a month (``2025-07``) in OUTFALL_TIME_ZONE, or by default the twelve
calendar months that end with the month of the latest section reading (so old data and the demo give an answer, not nothing).
Read-only: nothing is stored and no history is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone

from outfall.core.errors import InputError, NotFoundError, ValueParseError
from outfall.core.standards.parameters import lookup_parameter
from outfall.core.tracing.whatif import OutfallLoad, SectionState, current_load, whatif
from outfall.ledger.models import Outfall
from outfall.monitoring.counted import counted_value_sql
from outfall.monitoring.models import OutfallReading, Section, SectionReading
from outfall.rivers.selectors import current_network
from outfall.traces.inputs import outfall_sites, section_sites

__all__ = ["WhatIfResult", "parse_ban", "parse_merge", "parse_period", "run_whatif"]

_SEP = re.compile(r"[,，;；\s]+")


@dataclass
class WhatIfResult:
    """``rows``: the DESIGN §3 objects (dicts), by section then parameter; ``notes``: what was left out."""

    rows: list[dict]
    period: str
    notes: list[str] = field(default_factory=list)


def parse_ban(values) -> list[str]:
    """Outfall codes from ``--ban`` / ``?ban=`` values, each a comma-separated list.

    >>> parse_ban(["P1,P2", " P3 ", "P1"])
    ['P1', 'P2', 'P3']
    """
    out: list[str] = []
    for v in values or []:
        out += [c for c in _SEP.split(str(v).strip()) if c and c not in out]
    return out


def parse_merge(values) -> dict[str, str]:
    """``{outfall: into}`` from ``--merge`` / ``?merge=`` values, each ``CODE:INTO`` (comma-separated).

    >>> parse_merge(["P1:P3", "P2：P3"])
    {'P1': 'P3', 'P2': 'P3'}
    """
    out: dict[str, str] = {}
    for pair in parse_ban(values):
        a, sep, t = pair.replace("：", ":").partition(":")
        if not sep or not a.strip() or not t.strip():
            raise InputError(f"bad merge {pair!r}", user_message=f"合并须写成「排污口编码:并入的排污口编码」: {pair} "
                                                                 f"/ a merge is CODE:INTO")
        if a.strip() in out:
            raise InputError(f"merge {a} twice", user_message=f"排污口 {a.strip()} 被合并了两次 / merged twice")
        out[a.strip()] = t.strip()
    return out


def parse_period(text: str | None, latest: dt.datetime | None) -> tuple[dt.datetime, dt.datetime, str]:
    """(start, end, label) of a period: ``YYYY`` or ``YYYY-MM`` in the current time zone, or for None
    the twelve calendar months ending with the month of ``latest`` (the latest section reading).

    Raises InputError for another form, and for None when there is no reading at all."""
    tz = timezone.get_current_timezone()
    text = (text or "").strip()
    if not text:
        if latest is None:
            raise InputError("no readings", user_message="还没有任何断面监测数据，无法预测 / no section readings yet")
        end = latest.astimezone(tz)
        months = end.year * 12 + end.month - 1 - 11  # the latest reading's month and the eleven before it
        start = dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=tz)
        return start, end, f"{start:%Y-%m}～{end:%Y-%m}"
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", text)
    if not m or not (1 <= int(m.group(2) or 1) <= 12) or int(m.group(1)) < 1900:
        raise InputError(f"bad period {text!r}", user_message=f"时段须为年份 (2025) 或年月 (2025-07): {text} "
                                                              f"/ period is YYYY or YYYY-MM")
    y, mo = int(m.group(1)), int(m.group(2) or 0)
    if mo:
        start = dt.datetime(y, mo, 1, tzinfo=tz)
        end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=tz)
        return start, end - dt.timedelta(microseconds=1), f"{y:04d}-{mo:02d}"
    return dt.datetime(y, 1, 1, tzinfo=tz), dt.datetime(y + 1, 1, 1, tzinfo=tz) - dt.timedelta(microseconds=1), f"{y:04d}"


def _means(model, fk: str, ids, parameter: str, lo, hi) -> dict[int, float]:
    """{site pk: mean mg/L} of ``parameter`` in [lo, hi] (module docstring), one grouped query per 500 sites."""
    ids = list(ids)
    sums: dict[int, list[float]] = {}
    for start in range(0, len(ids), 500):
        base = (model.objects.filter(**{f"{fk}_id__in": ids[start:start + 500]}, parameter=parameter,
                                     time__gte=lo, time__lte=hi).exclude(qc_flag="invalid"))
        rows = (base.annotate(x=counted_value_sql()).values(f"{fk}_id").annotate(s=Sum("x"), n=Count("x"))
                .values_list(f"{fk}_id", "s", "n"))
        for pk, s, n in rows:
            if n:
                sums[pk] = [float(s), n]
    return {pk: s / n for pk, (s, n) in sums.items() if n}


def _parameter(text: str | None) -> str | None:
    if text is None or not str(text).strip():
        return None
    try:
        return lookup_parameter(str(text)).code
    except ValueParseError as exc:
        raise InputError(f"unknown parameter {text!r}", user_message=f"未知指标「{text}」/ unknown parameter") from exc


def _check_codes(ban: list[str], merge: dict[str, str], on_network: set[str]) -> None:
    if not ban and not merge:
        raise InputError("nothing to ban or merge", user_message="请给出要取缔 (--ban) 或合并 (--merge) 的排污口 "
                                                                "/ give outfalls to ban or merge")
    itself = [a for a, t in merge.items() if a == t]
    if itself:
        raise InputError(f"merge into itself {itself}", user_message="排污口不能合并到它自己 / an outfall cannot be "
                                                                     "merged into itself: " + ", ".join(itself))
    codes = list(dict.fromkeys([*ban, *merge, *merge.values()]))
    missing = [c for c in codes if c not in on_network]
    if not missing:
        return
    known = set(Outfall.objects.filter(code__in=missing).values_list("code", flat=True))
    unknown = [c for c in missing if c not in known]
    if unknown:
        raise InputError(f"unknown outfalls {unknown}", user_message="没有这些排污口 / unknown outfalls: "
                                                                     + ", ".join(unknown))
    raise InputError(f"outfalls off the network {missing}", user_message="这些排污口已注销或未定位到河网，无法预测 "
                                                                         "/ cancelled or not on the river network: "
                                                                         + ", ".join(missing))


def run_whatif(*, ban=(), merge=None, parameter: str | None = None, period: str | None = None,
               decay_per_day: float | None = None) -> WhatIfResult:
    """Predicted concentration (mg/L) and GB 3838-2002 class of every section the ban of ``ban`` and
    the merges ``merge`` ({outfall code: code it goes into}) change, for ``parameter`` (code or name;
    None: every parameter measured at a section in the period that a moved outfall emits).

    Raises InputError (Chinese first) for no network, unknown or unplaced outfalls, a merge into itself,
    into a banned or merged outfall, an unknown parameter, one that no moved outfall emits, a bad period.
    """
    ban, merge = list(ban), dict(merge or {})
    code = _parameter(parameter)
    try:
        net = current_network()
    except NotFoundError as exc:
        raise InputError("no network", user_message="尚未导入河网，无法预测 (outfall import rivers FILE) "
                                                    "/ no river network imported") from exc
    outs, oinfo, notes = outfall_sites(net)
    _check_codes(ban, merge, set(oinfo))
    secs, sinfo = section_sites(net)
    latest = SectionReading.objects.order_by("-time").values_list("time", flat=True).first()
    lo, hi, label = parse_period(period, latest)
    if code:
        params = [code]
    else:
        params = sorted(set(SectionReading.objects.filter(section_id__in=[i.pk for i in sinfo.values()],
                                                          time__gte=lo, time__lte=hi)
                            .values_list("parameter", flat=True).distinct()))
    moved = list(dict.fromkeys([*ban, *merge]))
    moved_pks = {oinfo[c].pk: c for c in moved}
    water = dict(Section.objects.filter(pk__in=[i.pk for i in sinfo.values()]).values_list("pk", "water_type"))
    rows, emitted, silent = [], [], {}
    for p in params:
        own = {moved_pks[pk]: v for pk, v in _means(OutfallReading, "outfall", moved_pks, p, lo, hi).items()}
        loads = [OutfallLoad(o, own.get(o.code)) for o in outs]
        by_code = {o.site.code: o for o in loads}
        why = {c: current_load(by_code[c], p) for c in moved}
        if not any(load > 0 for load, _ in why.values()):
            silent[p] = why
            continue
        emitted.append(p)
        current = _means(SectionReading, "section", [i.pk for i in sinfo.values()], p, lo, hi)
        states = [SectionState(s.code, s.reach, s.measure, current[sinfo[s.code].pk], label,
                               water.get(sinfo[s.code].pk) or "river") for s in secs if sinfo[s.code].pk in current]
        if code and len(states) < len(secs):
            notes.append(f"{len(secs) - len(states)} 个断面在 {label} 没有 {p} 监测数据，未预测 "
                         f"/ sections without readings in the period are left out")
        rows += [r.as_dict() for r in whatif(net, loads, states, parameter=p, ban=ban, merge=merge,
                                             decay_per_day=decay_per_day)]
    if code and silent:
        reasons = "; ".join(f"{c}: {reason}" for c, (_, reason) in silent[code].items())
        raise InputError(f"{code} not emitted by {moved}", user_message=f"所取缔/合并的排污口都不排放 {code}（没有本身监测"
                                                                        f"数据、设计排放量或该类型的典型浓度）/ none of "
                                                                        f"these outfalls emits {code}: {reasons}")
    if not code and not emitted:
        raise InputError(f"nothing emitted by {moved}", user_message=f"{label} 断面所测的指标，所取缔/合并的排污口都不排放"
                                                                     f"（{', '.join(params) or '无数据'}）/ these outfalls "
                                                                     f"emit none of the parameters measured")
    clipped = sorted({f"{r['section']} {r['parameter']}" for r in rows if r["predicted_mg_l"] == 0 < r["current_mg_l"]})
    if clipped:
        notes.append("预测浓度在 0 处截断：所减负荷超过断面实测的量，请核对河段流量或排污口数据 / the removed load exceeds "
                     "what the section carries (check the flows or the outfall's data): " + ", ".join(clipped))
    rows.sort(key=lambda r: (r["section"], r["parameter"]))
    return WhatIfResult(rows, label, notes)
