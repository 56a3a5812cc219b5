"""The trace report in words: numbers rounded to what the data can carry, the groups the data cannot
split named together with their joint share, and every candidate's evidence as a sentence.

Each function returns a (Chinese, English) pair. Shares are whole percent (never a false precision);
the exceedance multiple is (C − limit) / limit, as the glossary of shared/DESIGN.md and the 2011
surface water evaluation method (环办〔2011〕22号) define 超标倍数.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["num", "pct", "when", "exceedance", "groups", "certainty", "conclusion", "evidence_words",
           "data_reason", "type_reason"]


def num(v: float | None) -> str:
    """A value to three significant figures, never in exponent form; below 0.001 it shows as "<0.001".

    >>> num(3.14159), num(0.01534), num(1234.5), num(1.86e-06), num(0), num(None)
    ('3.14', '0.0153', '1234', '<0.001', '0', '—')
    """
    if v is None:
        return "—"
    if 0 < abs(v) < 0.001:
        return "<0.001" if v > 0 else ">-0.001"
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def pct(x: float) -> str:
    """A share (0–1) as whole percent; a share below 0.5 % but above zero shows as "<1%".

    >>> pct(0.624), pct(0.003), pct(0.0), pct(1.0)
    ('62%', '<1%', '0%', '100%')
    """
    if 0 < x < 0.005:
        return "<1%"
    return f"{round(100 * x):d}%"


def when(iso: str | None) -> str:
    """An ISO time as "YYYY-MM-DD HH:MM", with its UTC offset when it has one.

    >>> when("2026-05-01T08:00:00+08:00"), when("2026-05-01T08:00")
    ('2026-05-01 08:00 (UTC+08:00)', '2026-05-01 08:00')
    """
    if not iso:
        return "—"
    t = datetime.fromisoformat(iso)
    s = f"{t:%Y-%m-%d %H:%M}"
    off = t.utcoffset()
    if off is not None:
        m = int(off.total_seconds() // 60)
        s += f" (UTC{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d})"
    return s


def exceedance(observed: float, limit: float | None, unit: str) -> tuple[str, str]:
    """Observed against the limit and the exceedance multiple (C − limit) / limit.

    >>> exceedance(3.2, 1.0, "mg/L")[0]
    '实测 3.2 mg/L，限值 1 mg/L，超标 2.2 倍'
    >>> exceedance(0.8, 1.0, "mg/L")[1]
    'observed 0.8 mg/L, limit 1 mg/L, not exceeded (0.8 of the limit)'
    """
    if limit is None:
        return f"实测 {num(observed)} {unit}，无适用限值", f"observed {num(observed)} {unit}, no limit applies"
    head_zh, head_en = f"实测 {num(observed)} {unit}，限值 {num(limit)} {unit}", \
        f"observed {num(observed)} {unit}, limit {num(limit)} {unit}"
    if limit > 0 and observed > limit:
        m = num((observed - limit) / limit)
        return f"{head_zh}，超标 {m} 倍", f"{head_en}, exceeded by {m} times the limit"
    ratio = num(observed / limit) if limit > 0 else "—"
    return f"{head_zh}，未超标（为限值的 {ratio} 倍）", f"{head_en}, not exceeded ({ratio} of the limit)"


def groups(candidates: list[dict]) -> list[tuple[object, list[dict]]]:
    """Candidates gathered by ``group`` id, in the order each group's best member appears."""
    out: dict[object, list[dict]] = {}
    for c in candidates:
        out.setdefault(c["group"], []).append(c)
    return list(out.items())


def certainty(joint: float, sd: float, runner_up: float) -> tuple[str, str]:
    """How sure: fairly sure when the group carries at least half the reading and stays ahead of the
    next group by two standard deviations; moderately when a quarter and one deviation; else not sure.

    >>> certainty(0.7, 0.05, 0.1)[1], certainty(0.4, 0.1, 0.2)[1], certainty(0.3, 0.2, 0.25)[1]
    ('fairly sure', 'moderately sure', 'not sure')
    """
    if joint >= 0.5 and joint - 2 * sd > runner_up:
        return "较有把握", "fairly sure"
    if joint >= 0.25 and joint - sd > runner_up:
        return "有一定把握", "moderately sure"
    return "把握不大", "not sure"


def _who(c: dict) -> str:
    bits = [b for b in (c.get("name"), c.get("type"), c.get("town")) if b]
    return f"{c['outfall']}（{'，'.join(bits)}）" if bits else c["outfall"]


def _joint(members: list[dict]) -> tuple[float, float]:
    """A group's share and its standard deviation (the tracer splits both in the same proportions)."""
    return sum(c["share"] for c in members), sum(c["evidence"]["share_sd"] for c in members)


def conclusion(report: dict) -> list[tuple[str, str]]:
    """The conclusion as paragraphs: the top candidate or group, its share and how sure, the next group,
    what is left unexplained; or, without candidates, that none lies upstream within the window."""
    cands = report["candidates"]
    window = num(report["model"]["window_h"])
    if not cands:
        return [(f"断面上游 {window} 小时流程内没有登记的排污口，本次超标无法归因到具体排污口；可能来自本底、面源或"
                 "未登记的排口，建议沿河排查。",
                 f"No registered outfall lies upstream within {window} h of travel: the reading cannot be "
                 "attributed to an outfall (background, diffuse or unregistered sources; walk the river).")]
    gs = groups(cands)
    joint, sd = _joint(gs[0][1])
    runner = _joint(gs[1][1])[0] if len(gs) > 1 else 0.0
    sure_zh, sure_en = certainty(joint, sd, runner)
    top = gs[0][1]
    if len(top) == 1:
        c = top[0]
        out = [(f"最可能的来源是排污口 {_who(c)}，估计约占本次实测浓度的 {pct(joint)}（±{pct(sd)}），{sure_zh}。",
                f"Most likely source: outfall {c['outfall']}, about {pct(joint)} (±{pct(sd)}) of the reading; "
                f"{sure_en}.")]
    else:
        codes = "、".join(c["outfall"] for c in top)
        out = [(f"现有数据无法区分以下 {len(top)} 个排污口：{codes}，它们合计约占本次实测浓度的 {pct(joint)}"
                f"（±{pct(sd)}），{sure_zh}；组内先后只反映类型、自有数据和历史记录，需现场核查区分。",
                f"The data cannot tell apart {len(top)} outfalls ({', '.join(c['outfall'] for c in top)}); "
                f"together about {pct(joint)} (±{pct(sd)}) of the reading, {sure_en}. Their order inside the "
                "group reflects only type, own data and history: verify on site.")]
    if len(gs) > 1 and runner < 0.005:
        out.append(("其余候选排污口的份额均不足 1%。", "Every other candidate carries less than 1 %."))
    elif len(gs) > 1:
        nxt = gs[1][1]
        codes = "、".join(c["outfall"] for c in nxt[:5]) + ("等" if len(nxt) > 5 else "")
        out.append((f"其次为 {codes}，合计约 {pct(runner)}。",
                    f"Next: {', '.join(c['outfall'] for c in nxt[:5])}{' …' if len(nxt) > 5 else ''}, "
                    f"about {pct(runner)} together."))
    un = max(report["unexplained_share"], 0.0)
    out.append((f"另有约 {pct(un)} 无法由候选排污口解释（本底、面源或未登记排口）。以上为模型估算，结论以现场核查为准。",
                f"About {pct(un)} is not explained by the candidates (background, diffuse or unregistered "
                "sources). Model estimates: confirm on site."))
    return out


_DATA = [(r"^no own readings$", "无自有监测数据", "no own readings"),
         (r"^no own readings in its window$", "窗口内无自有监测数据", "no own readings in its window"),
         (r"^own readings, no baseline$", "有自有数据但无基线", "own readings, no baseline"),
         (r"^own readings elevated ×(.+)$", "自有数据升高 ×{}", "own readings elevated ×{}"),
         (r"^own readings normal ×(.+)$", "自有数据正常 ×{}", "own readings normal ×{}"),
         (r"^own readings ×(.+)$", "自有数据 ×{}", "own readings ×{}")]
_TYPE = {"emits": ("该类型排放此指标", "its type emits it"),
         "type does not emit it": ("该类型通常不排放此指标", "its type does not emit it"),
         "type unknown": ("类型未知", "type unknown"),
         "no type emits it": ("无已知类型排放此指标", "no type is known to emit it")}


def data_reason(reason: str) -> tuple[str, str]:
    """The tracer's own-data reason in words (unknown reasons pass through unchanged).

    >>> data_reason("own readings elevated ×3.2")
    ('自有数据升高 ×3.2', 'own readings elevated ×3.2')
    """
    for pat, zh, en in _DATA:
        m = re.match(pat, reason)
        if m:
            return zh.format(*m.groups()), en.format(*m.groups())
    return reason, reason


def type_reason(reason: str) -> tuple[str, str]:
    """The tracer's type reason in words."""
    return _TYPE.get(reason, (reason, reason))


def evidence_words(c: dict) -> tuple[str, str]:
    """One candidate's evidence as a sentence: distance, travel time, delivery after decay, load
    feasibility, own data, type and history (history factor = 1 + 0.1 · violations, at most 10)."""
    e = c["evidence"]
    feas = e["load_feasibility"]
    if feas is None:
        f_zh, f_en = "排放量未知，无法判断负荷", "discharge unknown"
    elif feas >= 0.99:
        f_zh, f_en = "负荷足以造成该峰值", "its load can produce the peak"
    else:
        f_zh, f_en = f"负荷仅够所需的 {pct(feas)}", f"its load gives only {pct(feas)} of what is needed"
    d_zh, d_en = data_reason(e["data_reason"])
    t_zh, t_en = type_reason(e["type_reason"])
    n = round((e["history"] - 1.0) / 0.1)
    h_zh, h_en = (f"{n} 次违法/超标记录", f"{n} past violations") if n > 0 else ("无违法记录", "no past violation")
    zh = (f"距断面 {num(c['distance_km'])} km，流经约 {num(c['travel_time_h'])} h；衰减后到达 {pct(e['delivery'])}；"
          f"{f_zh}；{d_zh}；{t_zh}；{h_zh}")
    en = (f"{num(c['distance_km'])} km, {num(c['travel_time_h'])} h; {pct(e['delivery'])} delivered after decay; "
          f"{f_en}; {d_en}; {t_en}; {h_en}")
    return zh, en
