"""Warning rules as data: the thresholds of every rule, versioned and checked at entry.

A :class:`RuleSet` holds the tunable numbers of every rule of :mod:`outfall.core.warning.engine`.
It is plain data (``to_dict``/``from_dict`` round-trip through JSON), carries a ``version`` that
every alert records, and refuses impossible thresholds with a Chinese message
(:class:`RuleConfigError`): an approach share outside (0, 1), k > n, a window too short for a
median, a non-positive factor.

The lifecycle (:data:`TRANSITIONS`) and the severity ladder (:func:`severity_of`) live here too, so
the alerts app never re-implements them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from outfall.core.enums import AlertRule, AlertSeverity, AlertState
from outfall.core.errors import InputError

__all__ = ["RuleSet", "RuleConfigError", "TRANSITIONS", "can_transition", "severity_of", "DEFAULT_RULES"]


class RuleConfigError(InputError):
    default_user_message = "预警规则参数不合理"


@dataclass(frozen=True)
class RuleSet:
    """Thresholds of every warning rule (units in the attribute names).

    Attributes
    ----------
    version : int
        Bumped whenever a number changes; stored on every alert.
    approach_share : float
        Approaching a limit: value ≥ share × limit for an upper bound, value ≤ limit / share for a
        lower bound (DO), within (1 − share) × half the range of either end for pH. 0 < share < 1.
    repeat_k, repeat_n : int
        Repeated exceedance: at least k of the last n readings (the current one included) over.
    jump_window : int
        Readings in the robust baseline of the jump rule (rolling median and MAD of the previous ones).
    jump_z : float
        Jump when (value − median) / σ̂ exceeds this (below −jump_z for DO), σ̂ the robust spread of
        the baseline (IQR / 1.349), floored at 1.4826 × ``jump_mad_floor_share`` × |median| and at
        the reporting step.
    jump_mad_floor_share : float
        Floor of the spread as a share of the median (a flat series must not turn noise into jumps).
    gap_factor : float
        Data gap when no reading arrived for longer than factor × the site's interval.
    period_min_samples : int
        A period's mean class counts only with at least this many samples (class-worse and trend).
    trend_periods : int
        Periods in the trend test (Spearman, :func:`outfall.core.standards.spearman_trend`).
    trend_alpha : float
        Significance level of the trend test.
    class_worse_min_drop : int
        A period's class worse than the previous period's raises ``class_worse`` when the period is
        off its target class, or when it fell at least this many classes (a slip inside the target,
        such as DO from class I to II as the water warms, is the season, not a warning).
    trend_floor_share : float
        A significant adverse trend raises ``trend`` only once its last period's mean has reached
        this share of the limit (value ≥ share × limit; ≤ (2 − share) × limit for a lower bound): a
        trend far from the limit, as every seasonal swing is, is no warning. 0 < share ≤ 1.
    serious_multiple : float
        An exceedance multiple at or above this is ``high`` severity (1.0: twice the limit).
    receptor_hours : float
        A sensitive receptor downstream within this travel time raises the severity one step.
    escalate_after_h : float
        An alert unacknowledged for this long is escalated to a higher role.
    episode_grace : int
        Runs of a rule separated by at most this many readings that do not trip it are one episode
        (one alert), so a value hovering at a limit does not raise an alert at every crossing.
    """

    version: int = 1
    approach_share: float = 0.8
    repeat_k: int = 3
    repeat_n: int = 5
    jump_window: int = 12
    jump_z: float = 6.0
    jump_mad_floor_share: float = 0.05
    gap_factor: float = 3.0
    period_min_samples: int = 3
    trend_periods: int = 6
    trend_alpha: float = 0.05
    class_worse_min_drop: int = 2
    trend_floor_share: float = 0.7
    serious_multiple: float = 1.0
    receptor_hours: float = 24.0
    escalate_after_h: float = 2.0
    episode_grace: int = 6

    def __post_init__(self):
        problems = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                problems.append(f"{f.name} 必须是有限的数 / must be a finite number: {v!r}")
        if problems:
            raise RuleConfigError("; ".join(problems), user_message="；".join(problems))
        checks = [
            (0 < self.approach_share < 1, f"临近份额必须在 0 与 1 之间 / approach_share must be in (0, 1): {self.approach_share}"),
            (1 <= self.repeat_k <= self.repeat_n, f"反复超标须 1 ≤ k ≤ n / need 1 ≤ k ≤ n: k={self.repeat_k}, n={self.repeat_n}"),
            (self.jump_window >= 3, f"突变基线至少 3 个读数 / jump_window must be ≥ 3: {self.jump_window}"),
            (self.jump_z > 0, f"突变阈值必须为正 / jump_z must be > 0: {self.jump_z}"),
            (0 <= self.jump_mad_floor_share < 1, f"MAD 下限份额须在 [0, 1) / jump_mad_floor_share in [0, 1): {self.jump_mad_floor_share}"),
            (self.gap_factor > 1, f"中断倍数必须大于 1 / gap_factor must be > 1: {self.gap_factor}"),
            (self.period_min_samples >= 1, f"时段最少样本数至少为 1 / period_min_samples ≥ 1: {self.period_min_samples}"),
            (self.trend_periods >= 4, f"趋势检验至少 4 个时段 / trend_periods ≥ 4: {self.trend_periods}"),
            (0 < self.trend_alpha < 1, f"显著性水平须在 (0, 1) / trend_alpha in (0, 1): {self.trend_alpha}"),
            (self.class_worse_min_drop >= 1,
             f"类别变差级数至少为 1 / class_worse_min_drop ≥ 1: {self.class_worse_min_drop}"),
            (0 < self.trend_floor_share <= 1,
             f"趋势下限份额须在 (0, 1] / trend_floor_share in (0, 1]: {self.trend_floor_share}"),
            (self.serious_multiple > 0, f"严重倍数必须为正 / serious_multiple > 0: {self.serious_multiple}"),
            (self.receptor_hours >= 0, f"敏感目标时间不能为负 / receptor_hours ≥ 0: {self.receptor_hours}"),
            (self.escalate_after_h > 0, f"升级时间必须为正 / escalate_after_h > 0: {self.escalate_after_h}"),
            (self.episode_grace >= 0, f"合并间隔不能为负 / episode_grace ≥ 0: {self.episode_grace}"),
            (self.version >= 1, f"版本号至少为 1 / version ≥ 1: {self.version}"),
        ]
        problems = [msg for ok, msg in checks if not ok]
        if problems:
            raise RuleConfigError("; ".join(problems), user_message="；".join(problems))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RuleSet:
        """A RuleSet from a mapping; unknown keys are refused (a typo must not silently do nothing).

        Examples
        --------
        >>> RuleSet.from_dict({"repeat_k": 2, "repeat_n": 4}).repeat_k
        2
        >>> RuleSet.from_dict({"repeat_k": 5, "repeat_n": 3})
        Traceback (most recent call last):
        ...
        outfall.core.warning.rules.RuleConfigError: 反复超标须 1 ≤ k ≤ n / need 1 ≤ k ≤ n: k=5, n=3
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            msg = f"未知的规则参数 / unknown rule settings: {', '.join(unknown)}"
            raise RuleConfigError(msg, user_message=msg)
        return cls(**data)

    def with_changes(self, **changes) -> RuleSet:
        """A copy with ``changes`` and the version bumped."""
        return replace(self, **changes, version=self.version + 1)


DEFAULT_RULES = RuleSet()

#: Allowed lifecycle steps: state → the states it may move to.
TRANSITIONS: dict[AlertState, frozenset[AlertState]] = {
    AlertState.NEW: frozenset({AlertState.ACKNOWLEDGED, AlertState.TRACING, AlertState.NOT_GENUINE,
                               AlertState.CLOSED}),
    AlertState.ACKNOWLEDGED: frozenset({AlertState.TRACING, AlertState.CONFIRMED, AlertState.NOT_GENUINE,
                                        AlertState.CLOSED}),
    AlertState.TRACING: frozenset({AlertState.CONFIRMED, AlertState.NOT_GENUINE}),
    AlertState.CONFIRMED: frozenset({AlertState.CLOSED}),
    AlertState.NOT_GENUINE: frozenset({AlertState.CLOSED}),
    AlertState.CLOSED: frozenset(),
}


def can_transition(before: AlertState | str, after: AlertState | str) -> bool:
    """True when the lifecycle allows ``before`` → ``after``.

    >>> can_transition("new", "acknowledged"), can_transition("closed", "new"), can_transition("tracing", "closed")
    (True, False, False)
    """
    return AlertState(after) in TRANSITIONS[AlertState(before)]


_BASE = {AlertRule.EXCEEDANCE: AlertSeverity.MEDIUM, AlertRule.DISCHARGE: AlertSeverity.MEDIUM,
         AlertRule.REPEATED: AlertSeverity.HIGH, AlertRule.APPROACHING: AlertSeverity.LOW,
         AlertRule.JUMP: AlertSeverity.LOW, AlertRule.CLASS_WORSE: AlertSeverity.MEDIUM,
         AlertRule.TREND: AlertSeverity.LOW, AlertRule.GAP: AlertSeverity.LOW}


def severity_of(rule: AlertRule | str, *, multiple: float | None = None,
                receptor_hours: float | None = None, rules: RuleSet = DEFAULT_RULES) -> AlertSeverity:
    """The severity of a finding: the rule's base, ``high`` for an exceedance at or above
    ``rules.serious_multiple`` times over, one step up when a sensitive receptor lies downstream
    within ``rules.receptor_hours`` of travel (hours).

    >>> severity_of("exceedance", multiple=0.3).value, severity_of("exceedance", multiple=1.2).value
    ('medium', 'high')
    >>> severity_of("exceedance", multiple=1.2, receptor_hours=10).value, severity_of("gap").value
    ('critical', 'low')
    """
    sev = _BASE[AlertRule(rule)]
    if multiple is not None and multiple == multiple and multiple >= rules.serious_multiple \
            and sev.rank < AlertSeverity.HIGH.rank:
        sev = AlertSeverity.HIGH
    if receptor_hours is not None and receptor_hours <= rules.receptor_hours:
        sev = list(AlertSeverity)[min(sev.rank + 1, len(AlertSeverity) - 1)]
    return sev
