"""A trace's answer in words (Chinese first): each candidate's evidence, and the groups the data
cannot split shown as one group with their joint share."""

from __future__ import annotations

import re

_DATA = [(r"own readings elevated ×([\d.]+)", "自身监测数据在排放窗口内升高 ×{0} / own readings elevated ×{0}"),
         (r"own readings normal ×([\d.]+)", "自身监测数据在排放窗口内正常 ×{0} / own readings normal ×{0}"),
         (r"own readings, no baseline", "有自身监测数据，但无基线可比 / own readings, no baseline"),
         (r"own readings ×([\d.]+)", "自身监测数据 ×{0}（略高）/ own readings ×{0}"),
         (r"no own readings in its window", "排放窗口内无自身监测数据 / no own readings in its window"),
         (r"no own readings", "无自身监测数据 / no own readings")]
_TYPE = {"emits": "该类型排污口通常排放此指标 / its type emits it",
         "type does not emit it": "该类型排污口通常不排放此指标 / its type does not emit it",
         "type unknown": "排污口类型未知 / type unknown",
         "no type emits it": "没有已知类型排放此指标，类型不加权 / no type is known to emit it"}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * float(x):.0f}%"


def data_words(reason: str) -> str:
    for pattern, text in _DATA:
        m = re.fullmatch(pattern, reason or "")
        if m:
            return text.format(*m.groups())
    return reason or ""


def evidence_words(c: dict, *, unit: str = "mg/L") -> list[tuple[str, str]]:
    """(aspect, sentence) pairs for one candidate dict of ``TraceResult.as_dict()``."""
    e = c["evidence"]
    out = [("距离 / distance", f"沿河 {c['distance_km']:.2f} km / {c['distance_km']:.2f} km along the river"),
           ("流经时间 / travel time", f"约 {c['travel_time_h']:.1f} 小时到达断面 / {c['travel_time_h']:.1f} h to the section"),
           ("衰减后到达 / delivery", f"排放量的 {_pct(e['delivery'])} 在衰减后到达断面 / {_pct(e['delivery'])} arrives after decay")]
    feas = e.get("load_feasibility")
    if feas is None:
        out.append(("负荷可行性 / load", "无设计排放量或典型浓度，无法判断其负荷能否造成所见升高 / unknown (no discharge)"))
    elif feas >= 0.999:
        out.append(("负荷可行性 / load", "按设计排放量和未处理浓度，足以造成所见升高 / its load could produce the rise"))
    else:
        out.append(("负荷可行性 / load", f"其最大负荷只能解释所见升高的 {_pct(feas)} / could explain at most {_pct(feas)}"))
    out.append(("自身数据 / own data", data_words(e.get("data_reason", ""))))
    out.append(("类型 / type", _TYPE.get(e.get("type_reason", ""), e.get("type_reason", ""))))
    n = round((float(e.get("history") or 1.0) - 1.0) / 0.1)
    out.append(("历史 / history", f"以往核查发现排放 {n} 次 / {n} past violations" if n > 0
                else "无违法排放记录 / no past violations"))
    if e.get("load_ratio") is not None:
        out.append(("所需负荷 / load needed", f"为其正常负荷的 {e['load_ratio']:.1f} 倍 / {e['load_ratio']:.1f}× its usual load"))
    out.append(("估计贡献 / contribution", f"{c['estimated_contribution_mg_l']:.4g} {unit}（份额 {_pct(c['share'])}，"
                                         f"±{_pct(e.get('share_sd'))}）"))
    return out


def groups(result: dict) -> list[dict]:
    """Candidates in their groups, best group first: {id, members, share, score, joint}; ``joint``
    when the data cannot split the members (the group's share is then the answer, not each member's)."""
    out: dict[int, dict] = {}
    for c in result.get("candidates", []):
        g = out.setdefault(c["group"], {"id": c["group"], "members": [], "share": 0.0, "score": 0.0})
        g["members"].append(c)
        g["share"] += c["share"] or 0.0
        g["score"] += c["score"] or 0.0
    for g in out.values():
        g["joint"] = len(g["members"]) > 1
    return list(out.values())
