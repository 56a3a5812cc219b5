"""The input of the trace report, checked before anything is drawn: a missing key or a value of the
wrong type raises :class:`~outfall.core.errors.InputError` naming the key by its path
(``candidates[3].evidence.delivery``). Keys beyond these are ignored.

The spec below is the contract between the app that gathers a trace from the database and
:func:`outfall.reports.trace_docx.trace_report_docx`. A spec is a kind name (``"str"``, ``"num"``…;
a trailing ``?`` admits None), a dict of key → spec (the value must be a dict with those keys), a
one-item list ``[spec]`` (a list whose items all match) or ``(spec, None)`` (that spec, or None).
"""

from __future__ import annotations

import math
from datetime import datetime

from outfall.core.errors import InputError

__all__ = ["TRACE_REPORT_SPEC", "check_trace_report", "check"]

EVIDENCE = {"distance_km": "num", "travel_time_h": "num", "delivery": "num", "load_feasibility": "num?",
            "data": "num", "data_reason": "str", "type": "num", "type_reason": "str", "history": "num",
            "share_sd": "num", "expected_contribution_mg_l": "num?", "load_ratio": "num?"}
CANDIDATE = {"outfall": "str", "score": "num", "share": "num", "distance_km": "num", "travel_time_h": "num",
             "estimated_contribution_mg_l": "num", "group": "id", "evidence": EVIDENCE, "name": "str?",
             "type": "str?", "town": "str?", "lon": "num?", "lat": "num?"}
TRACE_REPORT_SPEC = {
    "title": "str",
    "section": {"code": "str", "name": "str?", "river": "str?"},
    "parameter": {"code": "str", "name": "str?", "unit": "str?"},
    "at": "iso",
    "observed": "num",
    "limit": "num?",
    "alert": ({"id": "id", "rule": "str", "severity": "str?", "state": "str", "opened_at": "iso?"}, None),
    "candidates": [CANDIDATE],
    "unexplained_share": "num",
    "notes": ["str"],
    "model": {"version": "str", "decay_per_day": "num?", "window_h": "num", "dispersion_m2_s": "num"},
    "map": {"reaches": [{"id": "id", "coords": "coords", "upstream": "bool"}],
            "sections": [{"code": "str", "name": "str?", "lon": "num?", "lat": "num?"}],
            "outfalls": [{"code": "str", "lon": "num?", "lat": "num?", "share": "num?"}]},
    "series": [{"section": "str", "times": ["iso"], "observed": ["num?"], "explained": ["num?"]}],
    "tasks": [{"outfall": "str", "assignee": "str?", "deadline": "str?", "state": "str", "result": "str?",
               "note": "str?"}],
    "generated_by": "str",
    "generated_at": "iso",
}

_ZH = {"str": "文本", "num": "有限数值", "id": "编号（整数或文本）", "iso": "ISO 8601 时间", "bool": "是/否",
       "coords": "坐标列表 [[经度, 纬度], ...]", "dict": "对象", "list": "列表"}


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _ok(kind: str, v) -> bool:
    if kind == "str":
        return isinstance(v, str)
    if kind == "num":
        return _is_num(v)
    if kind == "id":
        return isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "iso":
        if not isinstance(v, str):
            return False
        try:
            datetime.fromisoformat(v)
        except ValueError:
            return False
        return True
    if kind == "coords":
        return isinstance(v, list) and all(
            isinstance(c, (list, tuple)) and len(c) >= 2 and _is_num(c[0]) and _is_num(c[1]) for c in v)
    raise ValueError(f"unknown kind {kind!r}")


def _wrong(path: str, kind: str, v) -> InputError:
    return InputError(f"trace report: {path} should be {kind}, got {type(v).__name__}",
                      user_message=f"溯源报告数据「{path}」应为{_ZH.get(kind, kind)}，实际为 {type(v).__name__} / "
                                   f"{path} should be {kind}")


def check(value, spec, path: str) -> None:
    """Raise InputError naming ``path`` (and the key inside it) where ``value`` does not match ``spec``.

    >>> check({"a": [1, 2.5]}, {"a": ["num"]}, "x")
    >>> check({"a": [1, "2"]}, {"a": ["num"]}, "x")
    Traceback (most recent call last):
    ...
    outfall.core.errors.InputError: trace report: x.a[1] should be num, got str
    """
    if isinstance(spec, tuple):
        if value is None:
            return
        spec = spec[0]
    if isinstance(spec, str):
        kind, nullable = spec.rstrip("?"), spec.endswith("?")
        if (value is None and nullable) or _ok(kind, value):
            return
        raise _wrong(path, kind, value)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise _wrong(path, "dict", value)
        for key, sub in spec.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                raise InputError(f"trace report: missing key {where}",
                                 user_message=f"溯源报告数据缺少「{where}」/ missing key {where}")
            check(value[key], sub, where)
        return
    if not isinstance(value, list):
        raise _wrong(path, "list", value)
    for n, item in enumerate(value):
        check(item, spec[0], f"{path}[{n}]")


def check_trace_report(report) -> dict:
    """Check ``report`` against :data:`TRACE_REPORT_SPEC` and the lengths of each series; return it."""
    check(report, TRACE_REPORT_SPEC, "")
    for n, s in enumerate(report["series"]):
        if not len(s["times"]) == len(s["observed"]) == len(s["explained"]):
            where = f"series[{n}]"
            raise InputError(f"trace report: {where} times, observed and explained differ in length",
                             user_message=f"溯源报告数据「{where}」的 times、observed、explained 长度不一致 / "
                                          "series lengths differ")
    return report
