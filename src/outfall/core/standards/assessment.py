"""Rivers, basins, lakes and trends (环办〔2011〕22号 §2.7–2.9; 总站生字〔2001〕090号 for TLI).

- A river or basin with fewer than ``PROPORTION_MIN_SECTIONS`` sections: each item averaged over the
  sections, then the single-factor method. With that many or more: the class-proportion method
  (share of sections in Ⅰ–Ⅲ and in 劣Ⅴ) with the 优/良好/轻度/中度/重度 thresholds of §2.7.
  The exact wording on "5 sections" is unconfirmed (standards.md §2.7): the threshold is a parameter.
- Lake trophic state: TLI(Σ) = Σ W_j·TLI(j), W_j = r_ij² / Σ r_ij² with chlorophyll-a as reference.
- Trend: grade change (无明显变化 / 有所变化 / 明显变化) and, for proportions, ΔG − ΔD.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outfall.core.enums import WaterClass
from outfall.core.standards.evaluation import SampleEvaluation, evaluate_sample, period_mean

__all__ = ["PROPORTION_MIN_SECTIONS", "RiverAssessment", "assess_river", "proportion_status", "tli",
           "trophic_grade", "grade_change", "proportion_trend", "spearman_trend", "STATUS_ORDER"]

PROPORTION_MIN_SECTIONS = 5
STATUS_ORDER = ("优", "良好", "轻度污染", "中度污染", "重度污染")


@dataclass(frozen=True)
class RiverAssessment:
    method: str  # "mean" (fewer sections) or "proportion"
    status: str
    water_class: WaterClass | None = None  # for the mean method
    share_good: float | None = None  # Ⅰ–Ⅲ share, percent (proportion method)
    share_worse_v: float | None = None  # 劣Ⅴ share, percent
    evaluation: SampleEvaluation | None = None


def proportion_status(share_good: float, share_worse_v: float) -> str:
    """Qualitative status from class proportions in percent (§2.7 table).

    >>> proportion_status(90, 0), proportion_status(80, 5), proportion_status(60, 19.9), proportion_status(50, 40)
    ('优', '良好', '轻度污染', '重度污染')
    """
    if share_good >= 90:
        return "优"
    if share_good >= 75:
        return "良好"
    if share_worse_v < 20:
        return "轻度污染"
    if share_worse_v < 40:
        return "中度污染"
    return "重度污染"


def assess_river(sections: Sequence[Mapping[str, object]], *, water_type: str = "river",
                 min_sections: int = PROPORTION_MIN_SECTIONS) -> RiverAssessment:
    """Assess a river/basin from its sections' values for the period ({code: value} per section)."""
    if not sections:
        raise ValueError("no sections")
    if len(sections) < min_sections:
        codes = {c for s in sections for c in s}
        means = {c: period_mean([s.get(c) for s in sections]) for c in codes}
        ev = evaluate_sample(means, water_type=water_type)
        return RiverAssessment("mean", ev.status or "", ev.water_class, evaluation=ev)
    classes = [evaluate_sample(s, water_type=water_type).water_class for s in sections]
    classes = [c for c in classes if c is not None]
    n = len(classes)
    good = 100.0 * sum(c.rank <= 3 for c in classes) / n
    worse = 100.0 * sum(c == WaterClass.WORSE_V for c in classes) / n
    return RiverAssessment("proportion", proportion_status(good, worse), share_good=round(good, 1),
                           share_worse_v=round(worse, 1))


_TLI = {  # parameter: (a, b, r²) with TLI(j) = 10 (a + b ln x)
    "CHLA": (2.5, 1.086, 1.0),  # chlorophyll-a in mg/m³
    "TP": (9.436, 1.624, 0.7056),
    "TN": (5.453, 1.694, 0.6724),
    "SD": (5.118, -1.94, 0.6889),
    "CODMN": (0.109, 2.661, 0.6889),
}


def tli(values: Mapping[str, float]) -> float:
    """Comprehensive trophic level index TLI(Σ) over the items given (chl-a in mg/m³, SD in m, others mg/L).

    Hand-worked: TLI(chl) = 10(2.5 + 1.086 ln 10) = 50.01, TLI(TP) = 45.71, TLI(TN) = 54.53,
    TLI(SD) = 51.18, TLI(CODMn) = 37.98; weights r²/Σr² with Σr² = 3.7558 → 48.02.

    >>> round(tli({"CHLA": 10, "TP": 0.05, "TN": 1.0, "SD": 1.0, "CODMN": 4.0}), 2)
    48.02
    """
    items = {k: v for k, v in values.items() if k in _TLI and v is not None and v > 0}
    if "CHLA" not in items:
        raise ValueError("TLI needs chlorophyll-a, the reference parameter")
    total_r2 = sum(_TLI[k][2] for k in items)
    return sum(_TLI[k][2] / total_r2 * 10 * (_TLI[k][0] + _TLI[k][1] * math.log(v)) for k, v in items.items())


def trophic_grade(index: float) -> str:
    """贫营养 < 30 ≤ 中营养 ≤ 50 < 轻度富营养 ≤ 60 < 中度富营养 ≤ 70 < 重度富营养."""
    if index < 30:
        return "贫营养"
    if index <= 50:
        return "中营养"
    if index <= 60:
        return "轻度富营养"
    if index <= 70:
        return "中度富营养"
    return "重度富营养"


def grade_change(before: str, after: str) -> str:
    """Trend between two status grades (§2.9): 无明显变化 / 有所变化 / 明显变化 (好转 or 变差).

    >>> grade_change("良好", "良好"), grade_change("良好", "轻度污染"), grade_change("中度污染", "良好")
    ('无明显变化', '有所变差', '明显好转')
    """
    d = STATUS_ORDER.index(after) - STATUS_ORDER.index(before)
    if d == 0:
        return "无明显变化"
    word = "变差" if d > 0 else "好转"
    return ("有所" if abs(d) == 1 else "明显") + word


def proportion_trend(good_before: float, worse_before: float, good_after: float, worse_after: float) -> str:
    """ΔG − ΔD in percentage points (§2.9): > 0 improving; |ΔG − ΔD| > 20 明显.

    >>> proportion_trend(70, 10, 95, 0), proportion_trend(80, 0, 75, 2), proportion_trend(80, 0, 80, 0)
    ('明显好转', '有所变差', '无明显变化')
    """
    x = (good_after - good_before) - (worse_after - worse_before)
    if x == 0:
        return "无明显变化"
    return ("明显" if abs(x) > 20 else "有所") + ("好转" if x > 0 else "变差")


def spearman_trend(series: Sequence[float], *, alpha: float = 0.05) -> tuple[float, float, str]:
    """Spearman rank correlation of a series with time: (rho, p, 上升/下降/无显著趋势)."""
    from scipy.stats import spearmanr

    ys = [y for y in series if y is not None]
    if len(ys) < 4:
        return float("nan"), float("nan"), "数据不足"
    rho, p = spearmanr(range(len(ys)), ys)
    if p < alpha:
        return float(rho), float(p), "上升" if rho > 0 else "下降"
    return float(rho), float(p), "无显著趋势"
