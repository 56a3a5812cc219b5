"""Single-factor evaluation of a sample (环办〔2011〕22号 §2.1–2.5, §2.10; GB 3838-2002 §5.1).

- The section class is the worst class among the 21 evaluated items that have a value (§2.3, 2.4);
  water temperature, TN and fecal coliform never count (§2.1). No evaluated value: no class.
- Each value is first rounded to its reporting precision (GB/T 8170 half to even; the registry's
  ``decimals``), as the national release does; pass ``rounded=True`` for values already published.
- Exceedance multiple ``(C − C_III) / C_III`` against class III for the items over the class III
  limit (§2.5, the national convention), and ``(C − C_target) / C_target`` against the section's
  target class (§2.10); none for water temperature, pH and DO.
- Main pollutants (§2.5): none when the class is III or better; otherwise the items worse than III,
  cyanide and heavy metals (CN, Hg, Cd, Cr⁶⁺, Pb, As) first, then by class (worst first), then by
  the multiple; the first three.
- 达标 (§2.10): the class equal to or better than the target.

Below-detection values (``0.02L``). The true value lies in [0, L) for the detection limit L, so
the item is proven to be no worse than the class containing L, and no better class can be proven
when L is above the class I limit. **Rule:** the item is classified at its detection limit, an upper
bound of its class; it is listed in ``censored``; it gets no exceedance multiple and is never a
main pollutant, since an exceedance is not proven. When every limiting item is censored the class
is an upper bound (``class_is_upper_bound``) and a report should say "不劣于" rather than "符合".
A limit below the class I limit (the normal case) gives class I, which is then exact. ``ND`` with
no stated limit proves nothing about the class and contributes none.

Period statistics (§2.2): the arithmetic mean, with each below-detection value counted as half its
detection limit (:data:`BELOW_DETECTION_FACTOR`, "未检出按检出限一半参与统计", the usual rule of
Chinese monitoring statistics); a period in which every value is below detection reports
"below the largest limit" instead of a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from outfall.core.enums import WaterClass
from outfall.core.standards.gb3838 import EVALUATED, HEAVY_METALS, NO_MULTIPLE, classify_value, limit
from outfall.core.standards.parameters import registry
from outfall.core.standards.values import ParsedValue, parse_value, round_report

__all__ = ["SampleEvaluation", "evaluate_sample", "effective_value", "period_mean", "exceedance_multiple",
           "as_parsed", "do_saturation", "BELOW_DETECTION_FACTOR", "counted_value"]

#: Weight of the detection limit of a below-detection value in period means (未检出按检出限一半).
BELOW_DETECTION_FACTOR = 0.5

Value = float | int | str | ParsedValue | None


def stored_value(value: float | None, qualifier: str, detection_limit: float | None, raw: str = "") -> ParsedValue:
    """A reading as the database keeps it (value, qualifier, detection limit) as a ParsedValue. A row
    no parser would accept today (a non-finite value or limit, or a measured value of NULL, which is
    how SQLite keeps a NaN) reads as missing, so pages, means and rules skip it instead of failing.

    >>> stored_value(None, "<", 0.02).detection_limit, stored_value(None, "", None).missing
    (0.02, True)
    """
    if (qualifier == "" and value is None) or any(x is not None and not math.isfinite(x) for x in (value, detection_limit)):
        return ParsedValue(None, "missing", None, raw)
    return ParsedValue(value, qualifier, detection_limit, raw)


def counted_value(value: float | None, qualifier: str, detection_limit: float | None) -> float | None:
    """The number a stored reading counts as in means and warning rules (mg/L or the parameter's
    unit): its share of :func:`period_mean` read through :func:`stored_value` — below detection, the
    detection limit × :data:`BELOW_DETECTION_FACTOR` (未检出按检出限一半, 环办〔2011〕22号) whatever
    value is stored beside it; below an unstated limit, or missing: None; else its value.

    >>> counted_value(0.3, "", None), counted_value(None, "<", 0.02), counted_value(None, "missing", None)
    (0.3, 0.01, None)
    >>> counted_value(0.3, "<", 0.5), counted_value(float("inf"), "", None)
    (0.25, None)
    """
    pv = stored_value(value, qualifier, detection_limit)
    if pv.missing:
        return None
    if pv.below_detection:
        return None if pv.detection_limit is None else pv.detection_limit * BELOW_DETECTION_FACTOR
    return pv.value


@dataclass(frozen=True)
class SampleEvaluation:
    """The evaluation of one sample (one site, one time or one period mean).

    Attributes
    ----------
    water_class : WaterClass or None
        The section class; None when no evaluated item has a value.
    classes : dict
        code → class of each evaluated item with a value.
    limiting : tuple of str
        The items at the worst class, in Table 1 order.
    exceedance : dict
        code → ``(C − C_III)/C_III`` (2 decimals) for the items over the class III limit.
    exceedance_target : dict
        code → ``(C − C_target)/C_target`` for the items over the target class limit.
    main_pollutants : tuple of str
        At most three, in report order (§2.5).
    compliant : bool or None
        Class equal to or better than the target; None without a target or a class.
    values : dict
        code → the number classified (rounded; the detection limit for censored items), in mg/L.
    censored : tuple of str
        Items that were below detection and classified at their detection limit.
    """

    water_class: WaterClass | None
    classes: dict[str, WaterClass] = field(default_factory=dict)
    limiting: tuple[str, ...] = ()
    exceedance: dict[str, float] = field(default_factory=dict)
    exceedance_target: dict[str, float] = field(default_factory=dict)
    main_pollutants: tuple[str, ...] = ()
    compliant: bool | None = None
    values: dict[str, float] = field(default_factory=dict)
    censored: tuple[str, ...] = ()

    @property
    def status(self) -> str | None:
        """优 / 良好 / 轻度污染 / 中度污染 / 重度污染 (§2.3), None without a class."""
        return self.water_class.status if self.water_class else None

    @property
    def class_is_upper_bound(self) -> bool:
        """True when every limiting item was below detection: the true class may be better."""
        return bool(self.limiting) and all(k in self.censored for k in self.limiting)


def as_parsed(v: Value) -> ParsedValue:
    """A number, a reported string or a ParsedValue as a ParsedValue (None → missing).

    >>> as_parsed(1.5).value, as_parsed("0.02L").detection_limit, as_parsed(None).missing
    (1.5, 0.02, True)
    """
    if isinstance(v, ParsedValue):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        f = float(v)  # a number from code is taken as it is (NaN: missing)
        return ParsedValue(f) if f == f else ParsedValue(None, "missing")
    return parse_value(v)


def effective_value(v: Value) -> float | None:
    """The number an item is classified at: the value, its detection limit when below detection, or None.

    >>> effective_value(0.3), effective_value("0.02L"), effective_value("ND"), effective_value("*")
    (0.3, 0.02, None, None)
    """
    pv = as_parsed(v)
    return pv.detection_limit if pv.below_detection else pv.value


def exceedance_multiple(value: float | None, lim: float | None) -> float | None:
    """``(C − limit) / limit`` (环办〔2011〕22号 §2.5) to 2 decimals when C is over the limit, else None.

    Parameters
    ----------
    value, lim : float
        Concentration and limit in the same unit (mg/L).

    Examples
    --------
    >>> exceedance_multiple(1.3, 1.0), exceedance_multiple(0.9, 1.0), exceedance_multiple(0.25, 0.2)
    (0.3, None, 0.25)
    """
    if lim is None or value is None or value <= lim:
        return None
    return round_report((value - lim) / lim, 2)


def evaluate_sample(values: Mapping[str, Value], *, water_type: str = "river",
                    target: WaterClass | str | None = None, rounded: bool = False,
                    decimals: Mapping[str, int] | None = None) -> SampleEvaluation:
    """Evaluate one sample by the single-factor method (环办〔2011〕22号 §2.3–2.5, §2.10).

    Parameters
    ----------
    values : mapping
        Registry code → value in the registry unit (mg/L; pH dimensionless): a float, a reported
        string (``"0.02L"``) or a ParsedValue. Codes outside the 21 evaluated items are ignored.
    water_type : {"river", "lake"}, keyword-only
        ``lake`` takes the lake/reservoir TP limits.
    target : WaterClass or str, keyword-only, optional
        The section's target class (水质目标).
    rounded : bool, keyword-only
        The values are already at their reporting precision (published values): do not round.
    decimals : mapping, keyword-only, optional
        code → decimals overriding the registry's reporting precision (e.g. an older release).

    Examples
    --------
    CODMn 7.0 is class IV (6 < 7 ≤ 10), ×(7 − 6)/6 = 0.17; NH₃-N 1.3 is IV, ×0.3; TP 0.15 is III;
    DO 6.5 is II. Class IV, limited by CODMn and NH₃-N; NH₃-N first by its larger multiple.

    >>> e = evaluate_sample({"NH3N": 1.3, "TP": 0.15, "DO": 6.5, "CODMN": 7.0}, target="III")
    >>> e.water_class.value, e.limiting, e.exceedance, e.main_pollutants, e.compliant
    ('IV', ('CODMN', 'NH3N'), {'CODMN': 0.17, 'NH3N': 0.3}, ('NH3N', 'CODMN'), False)
    """
    if target is not None and not isinstance(target, WaterClass):
        target = WaterClass.parse(target)
    reg = registry()
    classes: dict[str, WaterClass] = {}
    numbers: dict[str, float] = {}
    censored: list[str] = []
    for code in EVALUATED:
        if code not in values:
            continue
        pv = as_parsed(values[code])
        v = pv.detection_limit if pv.below_detection else pv.value
        if v is None:
            continue
        if not rounded:
            d = decimals.get(code) if decimals and code in decimals else reg[code].decimals
            v = round_report(v, d)
        c = classify_value(code, v, water_type=water_type)
        if c is None:
            continue
        classes[code] = c
        numbers[code] = v
        if pv.below_detection:
            censored.append(code)
    if not classes:
        return SampleEvaluation(None)
    worst = max(c.rank for c in classes.values())
    limiting = tuple(k for k in EVALUATED if k in classes and classes[k].rank == worst)
    exc: dict[str, float] = {}
    exc_target: dict[str, float] = {}
    for code, v in numbers.items():
        if code in NO_MULTIPLE or code in censored:
            continue
        m = exceedance_multiple(v, limit(code, WaterClass.III, water_type))
        if m is not None:
            exc[code] = m
        if target is not None:
            mt = exceedance_multiple(v, limit(code, target, water_type))
            if mt is not None:
                exc_target[code] = mt
    main: tuple[str, ...] = ()
    if worst > WaterClass.III.rank:
        over = [k for k in classes if classes[k].rank > WaterClass.III.rank and k not in censored]
        over.sort(key=lambda k: (k not in HEAVY_METALS, -classes[k].rank, -exc.get(k, 0.0), EVALUATED.index(k)))
        main = tuple(over[:3])
    water_class = WaterClass.from_rank(worst)
    compliant = None if target is None else water_class.rank <= target.rank
    return SampleEvaluation(water_class, classes, limiting, exc, exc_target, main, compliant, numbers,
                            tuple(censored))


@dataclass
class PeriodSum:
    """What a period mean (环办〔2011〕22号 §2.2) needs of one parameter's values, and can be added up
    from parts (months into a year, database groups into a month): the sum and count of the counted
    numbers, how many were measured, the largest detection limit of the below-detection ones, and
    the number of samples (missing ones included)."""

    total: float = 0.0
    k: int = 0
    measured: int = 0
    dl: float | None = None
    rows: int = 0

    def add(self, other: PeriodSum) -> None:
        self.total += other.total
        self.k += other.k
        self.measured += other.measured
        self.rows += other.rows
        if other.dl is not None:
            self.dl = other.dl if self.dl is None else max(self.dl, other.dl)

    def mean(self) -> ParsedValue:
        """The mean (unrounded); ``<`` at the largest limit when every counted value is below
        detection; missing when nothing counts."""
        if self.k == 0:
            return ParsedValue(None, "missing")
        if self.measured == 0:
            return ParsedValue(None, "<", self.dl, f"{self.dl!r}L")
        return ParsedValue(self.total / self.k)


def period_sum(values: Iterable[Value], *, below_detection_factor: float = BELOW_DETECTION_FACTOR) -> PeriodSum:
    """The :class:`PeriodSum` of ``values`` (floats, reported strings or ParsedValues of one
    parameter, in one unit): missing values are skipped (but counted in ``rows``); a below-detection
    value counts as ``below_detection_factor`` × its detection limit; ``ND`` without a limit is skipped."""
    acc = PeriodSum()
    for v in values:
        pv = as_parsed(v)
        acc.rows += 1
        if pv.missing:
            continue
        if pv.below_detection:
            if pv.detection_limit is None:
                continue
            acc.dl = pv.detection_limit if acc.dl is None else max(acc.dl, pv.detection_limit)
            acc.total += pv.detection_limit * below_detection_factor
        else:
            acc.measured += 1
            acc.total += pv.value
        acc.k += 1
    return acc


def period_mean(values: Iterable[Value], *, below_detection_factor: float = BELOW_DETECTION_FACTOR
                ) -> ParsedValue:
    """Arithmetic mean over a period (环办〔2011〕22号 §2.2) with the below-detection rule.

    Missing values are skipped. A below-detection value counts as ``below_detection_factor`` × its
    detection limit (half by default); ``ND`` without a limit is skipped. When every value is below
    detection the result is below detection, at the largest limit.

    Parameters
    ----------
    values : iterable
        Floats, reported strings or ParsedValues of one parameter, in one unit.
    below_detection_factor : float, keyword-only
        Weight of the detection limit, 0.5 by default.

    Returns
    -------
    ParsedValue
        The mean (unrounded), ``<`` with a limit, or missing when there is nothing to average.

    Examples
    --------
    (0.02/2 + 0.05) / 2 = 0.03; two values below 0.02 → "0.02L".

    >>> round(period_mean(["0.02L", 0.05]).value, 6), period_mean([1.0, 2.0, None, "*"]).value
    (0.03, 1.5)
    >>> period_mean(["0.02L", "0.01L"]).raw, period_mean([]).missing
    ('0.02L', True)
    """
    return period_sum(values, below_detection_factor=below_detection_factor).mean()


def do_saturation(temperature_c: float) -> float:
    """Dissolved-oxygen saturation in mg/L at a water temperature in ℃: DO_f = 468 / (31.6 + T)
    (the EIA formula of HJ/T 2.3, standards.md §2.6).

    >>> round(do_saturation(20.0), 2)
    9.07
    """
    return 468.0 / (31.6 + temperature_c)
