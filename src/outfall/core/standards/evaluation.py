"""Single-factor evaluation of a sample (环办〔2011〕22号 §2.3–2.5, §2.10; GB 3838-2002 §5.1).

A section's class is the worst class among the evaluated items that have a value. Exceedance
multiples are ``(C − C_III) / C_III`` against class III (the national convention) and
``(C − C_target) / C_target`` against the section's target; none for water temperature, pH and DO.
Main pollutants: only when the class is worse than III; the worst three by class, ties broken by
the multiple, cyanide and heavy metals first when they exceed.

Below-detection values: a value reported below its detection limit ``L`` is evaluated at ``L``
when ``L`` is given (it is at most ``L``, so the class found is the worst it can be; in practice
limits are far below class I and it is class I); an unstated limit contributes no class.
Period statistics use half the detection limit (``BELOW_DETECTION_FACTOR``, the common rule of
HJ 630-style statistics); a period in which every value is below detection reports the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from outfall.core.enums import WaterClass
from outfall.core.standards.gb3838 import EVALUATED, HEAVY_METALS, NO_MULTIPLE, classify_value, limit
from outfall.core.standards.parameters import registry
from outfall.core.standards.values import ParsedValue, round_report

__all__ = ["SampleEvaluation", "evaluate_sample", "effective_value", "period_mean", "exceedance_multiple",
           "BELOW_DETECTION_FACTOR", "do_saturation"]

#: Weight of the detection limit for a below-detection value in period means.
BELOW_DETECTION_FACTOR = 0.5


@dataclass(frozen=True)
class SampleEvaluation:
    water_class: WaterClass | None
    classes: dict[str, WaterClass] = field(default_factory=dict)
    limiting: tuple[str, ...] = ()
    exceedance: dict[str, float] = field(default_factory=dict)  # vs class III, only those over it
    exceedance_target: dict[str, float] = field(default_factory=dict)  # vs the target, only those over it
    main_pollutants: tuple[str, ...] = ()
    compliant: bool | None = None

    @property
    def status(self) -> str | None:
        return self.water_class.status if self.water_class else None


def effective_value(v: float | ParsedValue | None) -> float | None:
    """The number a value is evaluated at: itself, its detection limit when below detection, or None."""
    if v is None or isinstance(v, (int, float)):
        return None if v is None else float(v)
    if v.qualifier == "<":
        return v.detection_limit
    return v.value


def exceedance_multiple(value: float, lim: float | None) -> float | None:
    """``(C − limit) / limit`` rounded to 2 decimals when C is over the limit, else None.

    >>> exceedance_multiple(1.3, 1.0), exceedance_multiple(0.9, 1.0)
    (0.3, None)
    """
    if lim is None or value is None or value <= lim:
        return None
    return round((value - lim) / lim, 2)


def evaluate_sample(values: Mapping[str, float | ParsedValue | None], *, water_type: str = "river",
                    target: WaterClass | str | None = None, rounded: bool = False) -> SampleEvaluation:
    """Evaluate one sample: {parameter code: value (mg/L)} → class, limiting items, multiples.

    ``rounded=False`` rounds each value to its reporting precision first (GB/T 8170), as official
    releases do; pass ``rounded=True`` for values that are already as published.

    Examples
    --------
    >>> e = evaluate_sample({"NH3N": 1.3, "TP": 0.15, "DO": 6.5, "CODMN": 7.0}, target="III")
    >>> e.water_class.value, e.limiting, e.exceedance, e.main_pollutants, e.compliant
    ('IV', ('CODMN', 'NH3N'), {'CODMN': 0.17, 'NH3N': 0.3}, ('NH3N', 'CODMN'), False)
    """
    target = WaterClass.parse(target) if isinstance(target, str) else target
    reg = registry()
    classes: dict[str, WaterClass] = {}
    numbers: dict[str, float] = {}
    for code in EVALUATED:
        v = effective_value(values.get(code))
        if v is None:
            continue
        if not rounded and code in reg:
            v = round_report(v, reg[code].decimals)
        c = classify_value(code, v, water_type=water_type)
        if c is not None:
            classes[code] = c
            numbers[code] = v
    if not classes:
        return SampleEvaluation(None)
    worst = max(c.rank for c in classes.values())
    limiting = tuple(k for k in EVALUATED if k in classes and classes[k].rank == worst)
    exc = {}
    exc_target = {}
    for code, v in numbers.items():
        if code in NO_MULTIPLE:
            continue
        m = exceedance_multiple(v, limit(code, WaterClass.III, water_type))
        if m is not None:
            exc[code] = m
        if target is not None and target != WaterClass.WORSE_V:
            mt = exceedance_multiple(v, limit(code, target, water_type))
            if mt is not None:
                exc_target[code] = mt
    water_class = WaterClass.from_rank(worst)
    main = ()
    if worst > WaterClass.III.rank:
        over = [k for k in classes if classes[k].rank > WaterClass.III.rank]
        over.sort(key=lambda k: (k not in HEAVY_METALS, -classes[k].rank, -(exc.get(k) or 0.0), EVALUATED.index(k)))
        main = tuple(over[:3])
    compliant = None if target is None else water_class.rank <= target.rank
    return SampleEvaluation(water_class, classes, limiting, exc, exc_target, main, compliant)


def period_mean(values: list[float | ParsedValue | None]) -> ParsedValue:
    """Arithmetic mean over a period (环办〔2011〕22号 §2.2), below-detection values at half their limit.

    >>> period_mean([1.0, 2.0, None]).value, period_mean(["0.02L", "0.02L"]).raw
    (1.5, '0.02L')
    """
    from outfall.core.standards.values import parse_value

    nums, all_below, limits = [], True, []
    for v in values:
        pv = v if isinstance(v, ParsedValue) else (ParsedValue(float(v)) if isinstance(v, (int, float))
                                                   else parse_value(v) if v is not None else None)
        if pv is None or pv.missing:
            continue
        if pv.below_detection:
            if pv.detection_limit is None:
                continue
            limits.append(pv.detection_limit)
            nums.append(pv.detection_limit * BELOW_DETECTION_FACTOR)
        else:
            all_below = False
            nums.append(pv.value)
    if not nums:
        return ParsedValue(None, "missing")
    if all_below:
        dl = max(limits)
        return ParsedValue(None, "<", dl, f"{dl!r}L")
    return ParsedValue(sum(nums) / len(nums))


def do_saturation(temperature_c: float) -> float:
    """Dissolved-oxygen saturation in mg/L at a water temperature in ℃: DO_f = 468 / (31.6 + T)
    (the EIA formula of HJ/T 2.3, standards.md §2.6).

    >>> round(do_saturation(20.0), 2)
    9.07
    """
    return 468.0 / (31.6 + temperature_c)
