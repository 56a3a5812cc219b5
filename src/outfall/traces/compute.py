"""One trace computed from the database, stored or not: the shared step of ``start_trace`` (which
stores it), ``outfall trace`` (which prints it) and any other caller. Checks the input and says,
Chinese first, what is missing and what was assumed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from outfall.core.errors import InputError
from outfall.core.simulate import DEFAULT_DECAY_PER_DAY
from outfall.core.standards.parameters import Parameter, lookup_parameter
from outfall.core.tracing import TraceResult, trace
from outfall.core.warning import LimitError, section_limit
from outfall.traces.inputs import TraceInputs, from_hours, load_inputs


def _local(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M")


@dataclass
class Computed:
    parameter: Parameter
    at: dt.datetime
    inputs: TraceInputs
    trace: TraceResult
    result: dict
    limit: float | None
    notes: list[str]


def _limit_of(section, parameter: str) -> float | None:
    try:
        lim = section_limit(parameter, section.target_class, water_type=section.water_type)
    except (LimitError, KeyError, ValueError):
        return None
    return float(lim.limit) if lim is not None else None


def _check_reading_at(inp, section, parameter, at: dt.datetime) -> None:
    """A clear answer when the section has no reading of the parameter at the time asked."""
    t, _v = inp.readings.get(section.code, (np.zeros(0), np.zeros(0)))
    name = f"{parameter.name_zh} ({parameter.code})"
    if t.size == 0:
        lo, hi = at - dt.timedelta(hours=inp.window_h), at + dt.timedelta(hours=inp.window_h)
        raise InputError(f"no readings of {parameter.code} at {section.code} near {at}",
                         user_message=f"断面「{section.code} {section.name}」在 {_local(lo)} 至 {_local(hi)} 没有{name}读数，"
                                      f"无法溯源；请换一个有读数的时间 / no readings of {parameter.code} within "
                                      f"±{inp.window_h:g} h of the time asked")
    interval = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    interval = interval if interval > 0 else 1.0
    near = int(np.argmin(np.abs(t - inp.at_h)))
    gap = abs(float(t[near]) - inp.at_h)
    if gap > max(0.5, interval / 2):
        raise InputError(f"no reading of {parameter.code} at {at}",
                         user_message=f"断面「{section.code} {section.name}」在 {_local(at)} 没有{name}读数；最近一次在 "
                                      f"{_local(from_hours(float(t[near])))}（相差 {gap:.1f} 小时），请以该时间溯源 / "
                                      f"no reading at the time asked; the nearest is {gap:.1f} h away")


def _assumption_notes(parameter: str, decay_per_day) -> list[str]:
    if decay_per_day is not None:
        return [f"衰减系数按所填 k = {decay_per_day:g} /d / decay as asked"]
    k = DEFAULT_DECAY_PER_DAY.get(parameter.upper())
    if k is None:
        return [f"{parameter} 无默认衰减系数，按保守物质 (k = 0) 计 / no default decay: treated as conservative"]
    return [f"衰减系数按默认 k = {k:g} /d（小型河流参考值，reference/tracing.md §2.3，宜按流域率定） / "
            f"default decay {k:g} per day"]


def run_trace(section, parameter: str, at: dt.datetime, *, decay_per_day: float | None = None,
              window_h: float | None = None) -> Computed:
    """Load the inputs (``traces.inputs``) and run the core's ``trace`` for ``parameter`` (code or
    name) at ``section`` at ``at`` (aware; naive = the site's time zone). Raises InputError with a
    clear message for an unknown parameter, a bad decay, a section off the network, no reading at
    the time asked; NotFoundError when no river network was imported."""
    param = lookup_parameter(parameter)
    if decay_per_day is not None and (not np.isfinite(decay_per_day) or decay_per_day < 0):
        raise InputError(f"decay {decay_per_day}",
                         user_message=f"衰减系数须为非负数（每天）: {decay_per_day} / decay must be ≥ 0 per day")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    inp = load_inputs(section, param.code, at, window_h=window_h)
    _check_reading_at(inp, section, param, at)
    limit = _limit_of(section, param.code)
    res = trace(inp.net, inp.index, inp.sections, inp.readings, section=section.code, parameter=param.code,
                at=inp.at_h, at_label=timezone.localtime(at).isoformat(), limit=limit, decay_per_day=decay_per_day,
                window_h=inp.window_h)
    notes = list(dict.fromkeys([*inp.notes, *res.notes, *_assumption_notes(param.code, decay_per_day)]))
    return Computed(param, at, inp, res, res.as_dict(), limit, notes)
