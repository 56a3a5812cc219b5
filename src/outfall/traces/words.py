"""A trace's answer in words (in the user's language): each candidate's evidence, and the groups the data
cannot split shown as one group with their joint share."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

_DATA = [(r"own readings elevated ×([\d.]+)", gettext_noop("自身监测数据在排放窗口内升高 ×%(x)s")),
         (r"own readings normal ×([\d.]+)", gettext_noop("自身监测数据在排放窗口内正常 ×%(x)s")),
         (r"own readings, no baseline", gettext_noop("有自身监测数据，但无基线可比")),
         (r"own readings ×([\d.]+)", gettext_noop("自身监测数据 ×%(x)s（略高）")),
         (r"no own readings in its window", gettext_noop("排放窗口内无自身监测数据")),
         (r"no own readings", gettext_noop("无自身监测数据"))]
_TYPE = {"emits": gettext_noop("该类型排污口通常排放此指标"),
         "type does not emit it": gettext_noop("该类型排污口通常不排放此指标"),
         "type unknown": gettext_noop("排污口类型未知"),
         "no type emits it": gettext_noop("没有已知类型排放此指标，类型不加权")}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * float(x):.0f}%"


def data_words(reason: str) -> str:
    """The core's reason about an outfall's own readings, as a sentence in the active language."""
    for pattern, text in _DATA:
        m = re.fullmatch(pattern, reason or "")
        if m:
            return _(text) % {"x": m.group(1)} if m.groups() else _(text)
    return reason or ""


def evidence_words(c: dict, *, unit: str = "mg/L") -> list[tuple[str, str]]:
    """(aspect, sentence) pairs for one candidate dict of ``TraceResult.as_dict()``, in the active
    language (distance in km along the river, travel time in hours, shares in per cent)."""
    e = c["evidence"]
    out = [(_("距离"), _("沿河 %(km)s km") % {"km": f"{c['distance_km']:.2f}"}),
           (_("流经时间"), _("约 %(h)s 小时到达断面") % {"h": f"{c['travel_time_h']:.1f}"}),
           (_("衰减后到达"), _("排放量的 %(pct)s 在衰减后到达断面") % {"pct": _pct(e["delivery"])})]
    feas = e.get("load_feasibility")
    if feas is None:
        out.append((_("负荷可行性"), _("无设计排放量或典型浓度，无法判断其负荷能否造成所见升高")))
    elif feas >= 0.999:
        out.append((_("负荷可行性"), _("按设计排放量和未处理浓度，足以造成所见升高")))
    else:
        out.append((_("负荷可行性"), _("其最大负荷只能解释所见升高的 %(pct)s") % {"pct": _pct(feas)}))
    out.append((_("自身数据"), data_words(e.get("data_reason", ""))))
    reason = e.get("type_reason", "")
    out.append((_("类型"), _(_TYPE[reason]) if reason in _TYPE else reason))
    n = round((float(e.get("history") or 1.0) - 1.0) / 0.1)
    out.append((_("历史"), _("以往核查发现排放 %(n)s 次") % {"n": n} if n > 0 else _("无违法排放记录")))
    if e.get("load_ratio") is not None:
        out.append((_("所需负荷"), _("为其正常负荷的 %(x)s 倍") % {"x": f"{e['load_ratio']:.1f}"}))
    out.append((_("估计贡献"), _("%(value)s %(unit)s（份额 %(share)s，±%(sd)s）") % {
        "value": f"{c['estimated_contribution_mg_l']:.4g}", "unit": unit, "share": _pct(c["share"]),
        "sd": _pct(e.get("share_sd"))}))
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
