"""Each rule explains itself in one Chinese sentence and one English one: which value, which limit,
since when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from outfall.core.enums import AlertRule

__all__ = ["Facts", "explain"]


@dataclass(frozen=True)
class Facts:
    """What a sentence needs; fields a rule does not use stay None.

    ``value``/``limit`` in ``unit``; ``since`` is when the episode opened, ``time`` the reading's
    time; ``multiple`` (C − L)/L; ``pct`` the exceedance percentage of a discharge limit;
    ``count``/``window`` the k of n of the repeated rule; ``z`` the jump score; ``hours`` a gap;
    ``target`` the target class label; ``before``/``after`` period class labels; ``rho`` the trend.
    """

    site: str
    parameter: str
    unit: str = ""
    value: float | None = None
    limit: float | None = None
    kind: str = "max"
    time: dt.datetime | None = None
    since: dt.datetime | None = None
    multiple: float | None = None
    pct: float | None = None
    count: int | None = None
    window: int | None = None
    z: float | None = None
    hours: float | None = None
    target: str | None = None
    before: str | None = None
    after: str | None = None
    rho: float | None = None
    basis: str = "sample"
    parameter_en: str | None = None


def _t(t: dt.datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t else "—"


def _n(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def explain(rule: AlertRule | str, f: Facts) -> tuple[str, str]:
    """(Chinese, English) sentence for one finding.

    Examples
    --------
    >>> zh, en = explain("exceedance", Facts("马连庄", "氨氮", "mg/L", 1.6, 1.0, target="Ⅲ类", multiple=0.6,
    ...               time=dt.datetime(2025, 11, 6, 20), since=dt.datetime(2025, 11, 6, 16),
    ...               parameter_en="Ammonia"))
    >>> zh
    '马连庄 氨氮 1.6 mg/L，超过水质目标Ⅲ类限值 1 mg/L（超标 0.60 倍），2025-11-06 20:00 读数；自 2025-11-06 16:00 起持续超标。'
    >>> en
    'Ammonia at 马连庄 read 1.6 mg/L at 2025-11-06 20:00, over the Ⅲ类 target limit 1 mg/L (0.60 times over), since 2025-11-06 16:00.'
    """
    r = AlertRule(rule)
    p_en = f.parameter_en or f.parameter
    u = f" {f.unit}" if f.unit else ""
    word = "低于" if f.kind == "min" else "超过"
    if r == AlertRule.EXCEEDANCE:
        mult = f"（超标 {f.multiple:.2f} 倍）" if f.multiple is not None else ""
        mult_en = f" ({f.multiple:.2f} times over)" if f.multiple is not None else ""
        return (f"{f.site} {f.parameter} {_n(f.value)}{u}，{word}水质目标{f.target or ''}限值 {_n(f.limit)}{u}{mult}，"
                f"{_t(f.time)} 读数；自 {_t(f.since)} 起持续超标。",
                f"{p_en} at {f.site} read {_n(f.value)}{u} at {_t(f.time)}, {'below' if f.kind == 'min' else 'over'} "
                f"the {f.target or ''} target limit {_n(f.limit)}{u}{mult_en}, since {_t(f.since)}.")
    if r == AlertRule.DISCHARGE:
        return (f"{f.site} {f.parameter}（{f.basis}）{_n(f.value)}{u}，{word}排放限值 {_n(f.limit)}{u}，"
                f"超标 {f.pct:.1f}%，{_t(f.time)}；自 {_t(f.since)} 起。",
                f"{p_en} ({f.basis}) at outfall {f.site} was {_n(f.value)}{u} at {_t(f.time)}, "
                f"{f.pct:.1f}% beyond its discharge limit {_n(f.limit)}{u}, since {_t(f.since)}.")
    if r == AlertRule.APPROACHING:
        return (f"{f.site} {f.parameter} {_n(f.value)}{u}，已接近限值 {_n(f.limit)}{u}（尚未超标），{_t(f.time)}。",
                f"{p_en} at {f.site} read {_n(f.value)}{u} at {_t(f.time)}, close to its limit {_n(f.limit)}{u}.")
    if r == AlertRule.REPEATED:
        return (f"{f.site} {f.parameter} 最近 {f.window} 次读数中 {f.count} 次超过限值 {_n(f.limit)}{u}，"
                f"最新 {_n(f.value)}{u}（{_t(f.time)}）。",
                f"{p_en} at {f.site} was over its limit {_n(f.limit)}{u} in {f.count} of the last {f.window} "
                f"readings, latest {_n(f.value)}{u} at {_t(f.time)}.")
    if r == AlertRule.JUMP:
        return (f"{f.site} {f.parameter} {_n(f.value)}{u} 较近期水平突变（稳健分数 {f.z:.1f}），{_t(f.time)}。",
                f"{p_en} at {f.site} jumped to {_n(f.value)}{u} at {_t(f.time)} (robust score {f.z:.1f} "
                f"against its recent readings).")
    if r == AlertRule.GAP:
        return (f"{f.site} {f.parameter} 已 {f.hours:.1f} 小时无数据（最后读数 {_t(f.time)}），站点可能离线。",
                f"No {p_en} reading from {f.site} for {f.hours:.1f} h (last at {_t(f.time)}); the station may be "
                f"offline.")
    if r == AlertRule.CLASS_WORSE:
        return (f"{f.site} {f.parameter} 时段均值 {_n(f.value)}{u} 为{f.after}，差于上一时段的{f.before}。",
                f"{p_en} at {f.site} averaged {_n(f.value)}{u}, {f.after}, worse than {f.before} in the "
                f"previous period.")
    return (f"{f.site} {f.parameter} 近期时段均值呈显著{'下降' if f.kind == 'min' else '上升'}趋势（ρ = {f.rho:.2f}）。",
            f"{p_en} at {f.site} shows a significant {'falling' if f.kind == 'min' else 'rising'} trend over "
            f"recent periods (rho = {f.rho:.2f}).")

