"""Rivers, basins, lakes and trends (环办〔2011〕22号 §2.5, §2.7–2.9; 总站生字〔2001〕090号 for TLI).

- River or basin (§2.7). Fewer than ``min_sections`` sections (default
  :data:`PROPORTION_MIN_SECTIONS` = 5): each item is averaged over the sections, then the single-factor
  method. That many or more: the class-proportion method, the share of sections in Ⅰ–Ⅲ (G) and in
  劣Ⅴ (D), graded 优 G ≥ 90 %; 良好 75 % ≤ G < 90 %; 轻度污染 G < 75 % and D < 20 %; 中度污染 G < 75 %
  and 20 % ≤ D < 40 %; 重度污染 G < 75 % and D ≥ 40 %. Whether exactly 5 sections takes the
  proportion method is unconfirmed (standards.md §2.7), hence the parameter. Main pollutants of a
  river (§2.5): the items worse than Ⅲ ranked by their section exceedance rate, the first three,
  none when the river is 优 or 良好.
- Lake or reservoir (§2.8): average over time at each point, then over the points, then the
  single-factor method with the lake TP limits; trophic state TLI(Σ) = Σ W_j·TLI(j) with
  W_j = r_j² / Σ r_j² and chlorophyll-a as the reference parameter.
- Trend (§2.9): change of status grade (无明显变化 / 有所 / 明显 + 好转 or 变差); for proportions
  ΔG − ΔD (> 0 better, |ΔG − ΔD| > 20 明显; the "≤ 10 无明显变化" band is unconfirmed and a
  parameter); Spearman rank correlation of a series with time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from outfall.core.enums import WaterClass
from outfall.core.standards.evaluation import SampleEvaluation, Value, as_parsed, evaluate_sample, period_mean
from outfall.core.standards.gb3838 import EVALUATED
from outfall.core.standards.parameters import convert

__all__ = ["PROPORTION_MIN_SECTIONS", "STATUS_ORDER", "TLI_PARAMETERS", "RiverAssessment", "LakeAssessment",
           "SpearmanTrend", "assess_river", "assess_proportions", "assess_lake", "proportion_status", "tli",
           "trophic_grade", "grade_change", "proportion_trend", "spearman_trend"]

PROPORTION_MIN_SECTIONS = 5
STATUS_ORDER = ("优", "良好", "轻度污染", "中度污染", "重度污染")
Sample = Mapping[str, Value]


@dataclass(frozen=True)
class RiverAssessment:
    """A river or basin for one period (§2.7).

    ``method`` is "mean" (fewer sections: ``water_class`` and ``evaluation`` of the averaged
    items) or "proportion" (``share_good`` = Ⅰ–Ⅲ and ``share_worse_v`` = 劣Ⅴ, percent of the
    sections with a class; ``shares`` per class). ``exceedance_rates``: code → percent of the
    sections with that item where it is worse than Ⅲ.
    """

    method: str
    status: str | None
    water_class: WaterClass | None = None
    share_good: float | None = None
    share_worse_v: float | None = None
    evaluation: SampleEvaluation | None = None
    shares: dict[str, float] = field(default_factory=dict)
    main_pollutants: tuple[str, ...] = ()
    exceedance_rates: dict[str, float] = field(default_factory=dict)
    n_sections: int = 0


def proportion_status(share_good: float, share_worse_v: float) -> str:
    """Status of a river from its class proportions in percent (§2.7 table).

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


def assess_proportions(classes: Sequence[WaterClass | str | None]) -> RiverAssessment:
    """The class-proportion method on section classes (§2.7); sections without a class are left out.

    >>> a = assess_proportions(["II", "II", "III", "IV", "劣V"])
    >>> a.share_good, a.share_worse_v, a.status
    (60.0, 20.0, '中度污染')
    """
    cs = [WaterClass.parse(c) if isinstance(c, str) else c for c in classes]
    cs = [c for c in cs if c is not None]
    if not cs:
        return RiverAssessment("proportion", None, n_sections=0)
    n = len(cs)
    shares = {m.value: round(100.0 * sum(c == m for c in cs) / n, 1) for m in WaterClass}
    good = 100.0 * sum(c.rank <= 3 for c in cs) / n
    worse = 100.0 * sum(c == WaterClass.WORSE_V for c in cs) / n
    return RiverAssessment("proportion", proportion_status(good, worse), share_good=round(good, 1),
                           share_worse_v=round(worse, 1), shares=shares, n_sections=n)


def assess_river(sections: Sequence[Sample], *, water_type: str = "river",
                 min_sections: int = PROPORTION_MIN_SECTIONS) -> RiverAssessment:
    """Assess a river or basin from its sections' period values (环办〔2011〕22号 §2.7, §2.5).

    Parameters
    ----------
    sections : sequence of mapping
        One mapping per section: code → the section's period value (mg/L; float, ParsedValue or
        reported string), e.g. each item's :func:`period_mean`.
    water_type : {"river", "lake"}, keyword-only
    min_sections : int, keyword-only
        From this many sections on, the class-proportion method (default 5).

    Examples
    --------
    Three sections: NH₃-N (0.5 + 1.2 + 1.9)/3 = 1.2 → class IV; the river is 轻度污染.

    >>> a = assess_river([{"NH3N": 0.5}, {"NH3N": 1.2}, {"NH3N": 1.9}])
    >>> a.method, a.water_class.value, a.status, a.main_pollutants
    ('mean', 'IV', '轻度污染', ('NH3N',))
    """
    if not sections:
        raise ValueError("no sections")
    if len(sections) < min_sections:
        codes = [c for c in EVALUATED if any(c in s for s in sections)]
        means = {c: period_mean([s[c] for s in sections if c in s]) for c in codes}
        ev = evaluate_sample(means, water_type=water_type)
        return RiverAssessment("mean", ev.status, ev.water_class, evaluation=ev,
                               main_pollutants=ev.main_pollutants, n_sections=len(sections))
    evs = [evaluate_sample(s, water_type=water_type) for s in sections]
    a = assess_proportions([e.water_class for e in evs])
    rates = {}
    for code in EVALUATED:
        with_item = [e for e in evs if code in e.classes and code not in e.censored]
        if with_item:
            rates[code] = round(100.0 * sum(e.classes[code].rank > 3 for e in with_item) / len(with_item), 1)
    main: tuple[str, ...] = ()
    if a.status not in (None, "优", "良好"):
        ranked = sorted((c for c, r in rates.items() if r > 0), key=lambda c: (-rates[c], EVALUATED.index(c)))
        main = tuple(ranked[:3])
    return RiverAssessment("proportion", a.status, share_good=a.share_good, share_worse_v=a.share_worse_v,
                           shares=a.shares, main_pollutants=main, exceedance_rates=rates, n_sections=a.n_sections)


#: parameter → (a, b, r_j²) with TLI(j) = 10 (a + b ln x); x in mg/L except chl-a in mg/m³ and SD in m.
TLI_PARAMETERS = {
    "CHLA": (2.5, 1.086, 1.0),
    "TP": (9.436, 1.624, 0.84 ** 2),
    "TN": (5.453, 1.694, 0.82 ** 2),
    "SD": (5.118, -1.94, 0.83 ** 2),
    "CODMN": (0.109, 2.661, 0.83 ** 2),
}


def tli(values: Mapping[str, Value], *, chla_unit: str = "mg/m³") -> float:
    """Comprehensive trophic level index TLI(Σ) (总站生字〔2001〕090号; 环办〔2011〕22号 §2.8).

    Parameters
    ----------
    values : mapping
        Code → value: CHLA in ``chla_unit``, TP, TN and CODMN in mg/L, SD in m. Items absent,
        missing or not positive are left out and the weights renormalised; a below-detection
        value counts as half its limit.
    chla_unit : str, keyword-only
        Unit of CHLA: mg/m³ (= µg/L, the unit of the formula; the default) or the registry's mg/L
        (then converted, ×1000).

    Returns
    -------
    float
        TLI(Σ), dimensionless (0–100).

    Raises
    ------
    ValueError
        Without chlorophyll-a, the reference parameter.

    Examples
    --------
    Chl-a 10 mg/m³: TLI = 10(2.5 + 1.086 ln 10) = 50.01; TP 0.05 → 45.71; TN 1.0 → 54.53; SD 1.0
    → 51.18; CODMn 4.0 → 37.98; weights r²/Σr² with Σr² = 3.7558 → 48.02.

    >>> round(tli({"CHLA": 10, "TP": 0.05, "TN": 1.0, "SD": 1.0, "CODMN": 4.0}), 2)
    48.02
    >>> round(tli({"CHLA": 0.010, "TP": 0.05, "TN": 1.0, "SD": 1.0, "CODMN": 4.0}, chla_unit="mg/L"), 2)
    48.02
    """
    items = {}
    for k, v in values.items():
        if k not in TLI_PARAMETERS:
            continue
        pv = as_parsed(v)
        x = pv.detection_limit * 0.5 if pv.below_detection and pv.detection_limit else pv.value
        if x is not None and x > 0:
            items[k] = convert(x, chla_unit, "mg/m³") if k == "CHLA" else x
    if "CHLA" not in items:
        raise ValueError("TLI needs chlorophyll-a, the reference parameter")
    total_r2 = sum(TLI_PARAMETERS[k][2] for k in items)
    return sum(TLI_PARAMETERS[k][2] / total_r2 * 10 * (TLI_PARAMETERS[k][0] + TLI_PARAMETERS[k][1] * math.log(x))
               for k, x in items.items())


def trophic_grade(index: float) -> str:
    """Trophic grade of a TLI(Σ) (§2.8): 贫营养 < 30 ≤ 中营养 ≤ 50 < 轻度富营养 ≤ 60 < 中度富营养 ≤ 70 < 重度富营养.

    >>> trophic_grade(29.9), trophic_grade(50), trophic_grade(50.1), trophic_grade(70.1)
    ('贫营养', '中营养', '轻度富营养', '重度富营养')
    """
    if index < 30:
        return "贫营养"
    if index <= 50:
        return "中营养"
    if index <= 60:
        return "轻度富营养"
    if index <= 70:
        return "中度富营养"
    return "重度富营养"


@dataclass(frozen=True)
class LakeAssessment:
    """A lake or reservoir for one period (§2.8): the single-factor evaluation of the averaged
    items (lake TP limits) and, with chlorophyll-a, the trophic index and grade."""

    evaluation: SampleEvaluation
    means: dict[str, Value]
    tli: float | None = None
    trophic: str | None = None


def assess_lake(points: Sequence[Sample | Sequence[Sample]], *, target: WaterClass | str | None = None
                ) -> LakeAssessment:
    """Assess a lake or reservoir from its points (环办〔2011〕22号 §2.8).

    Parameters
    ----------
    points : sequence
        One entry per point: a mapping code → value (one sample or a period value), or a sequence
        of such mappings (samples over time, averaged at the point first).
    target : keyword-only, optional
        Target class of the lake.

    Examples
    --------
    Point 2 averages its samples first: TP 0.05, chl-a 0.006. Over the points TP (0.03 + 0.05)/2 =
    0.04 → lake class III (0.025 < 0.04 ≤ 0.05); chl-a 0.005 mg/L = 5 mg/m³ → TLI 42.48, TP → 42.08,
    TLI(Σ) = (42.48 + 0.7056 × 42.08) / 1.7056 = 42.3.

    >>> a = assess_lake([{"TP": 0.03, "CHLA": 0.004}, [{"TP": 0.04, "CHLA": 0.006}, {"TP": 0.06}]])
    >>> a.evaluation.water_class.value, round(a.tli, 1), a.trophic
    ('III', 42.3, '中营养')
    """
    per_point = []
    for p in points:
        samples = [p] if isinstance(p, Mapping) else list(p)
        codes = {c for s in samples for c in s}
        per_point.append({c: period_mean([s[c] for s in samples if c in s]) for c in codes})
    codes = {c for p in per_point for c in p}
    means: dict[str, Value] = {c: period_mean([p[c] for p in per_point if c in p]) for c in sorted(codes)}
    ev = evaluate_sample(means, water_type="lake", target=target)
    index = None
    if "CHLA" in means and not as_parsed(means["CHLA"]).missing:
        index = tli(means, chla_unit="mg/L")
    return LakeAssessment(ev, means, index, trophic_grade(index) if index is not None else None)


def grade_change(before: str | WaterClass, after: str | WaterClass) -> str:
    """Trend between two status grades (§2.9): 无明显变化, 有所 (one grade) or 明显 (two or more) + 好转/变差.

    A WaterClass is taken at its status (Ⅰ and Ⅱ are both 优).

    >>> grade_change("良好", "良好"), grade_change("良好", "轻度污染"), grade_change("中度污染", "良好")
    ('无明显变化', '有所变差', '明显好转')
    >>> grade_change(WaterClass.I, WaterClass.II), grade_change(WaterClass.III, WaterClass.WORSE_V)
    ('无明显变化', '明显变差')
    """
    b = before.status if isinstance(before, WaterClass) else before
    a = after.status if isinstance(after, WaterClass) else after
    d = STATUS_ORDER.index(a) - STATUS_ORDER.index(b)
    if d == 0:
        return "无明显变化"
    return ("有所" if abs(d) == 1 else "明显") + ("变差" if d > 0 else "好转")


def proportion_trend(good_before: float, worse_before: float, good_after: float, worse_after: float, *,
                     no_change_within: float = 10.0, marked_above: float = 20.0) -> str:
    """Trend of a river from class proportions (§2.9): x = ΔG − ΔD in percentage points.

    ``|x| > marked_above`` (20, confirmed) is 明显; ``|x| ≤ no_change_within`` (10, unconfirmed,
    standards.md §2.9) is 无明显变化; between is 有所; x > 0 好转, x < 0 变差.

    >>> proportion_trend(70, 10, 95, 0), proportion_trend(80, 0, 70, 5), proportion_trend(80, 0, 75, 2)
    ('明显好转', '有所变差', '无明显变化')
    """
    x = (good_after - good_before) - (worse_after - worse_before)
    if abs(x) <= no_change_within:
        return "无明显变化"
    return ("明显" if abs(x) > marked_above else "有所") + ("好转" if x > 0 else "变差")


class SpearmanTrend(NamedTuple):
    rho: float
    p: float
    trend: str  # 上升 / 下降 / 无显著趋势 / 数据不足


def spearman_trend(series: Sequence[float | None], *, times: Sequence[float] | None = None,
                   alpha: float = 0.05, min_points: int = 4) -> SpearmanTrend:
    """Spearman rank correlation of a series with time (§2.9), two-sided test at ``alpha``.

    Parameters
    ----------
    series : sequence of float or None
        Values in time order (e.g. yearly means in mg/L); None entries are skipped and keep their
        place in time.
    times : sequence of float, keyword-only, optional
        The time of each value (any monotone scale); default 0, 1, 2, …
    alpha : float, keyword-only
        Significance level.
    min_points : int, keyword-only
        Fewer values than this give ``数据不足``.

    Examples
    --------
    >>> spearman_trend([1.0, 1.2, 1.1, 1.5, 1.9, 2.4]).trend, spearman_trend([3, 2, 1, 0.5, 0.2]).trend
    ('上升', '下降')
    >>> spearman_trend([1, 2, None]).trend
    '数据不足'
    """
    from scipy.stats import spearmanr  # local: the core imports scipy only when a trend is asked

    ts = list(times) if times is not None else list(range(len(series)))
    pairs = [(t, y) for t, y in zip(ts, series, strict=True) if y is not None and y == y]
    if len(pairs) < min_points:
        return SpearmanTrend(float("nan"), float("nan"), "数据不足")
    xs, ys = zip(*pairs, strict=True)
    if len(set(ys)) == 1:
        return SpearmanTrend(float("nan"), float("nan"), "无显著趋势")
    rho, p = spearmanr(xs, ys)
    rho, p = float(rho), float(p)
    if p < alpha:
        return SpearmanTrend(rho, p, "上升" if rho > 0 else "下降")
    return SpearmanTrend(rho, p, "无显著趋势")
