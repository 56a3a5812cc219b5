"""Early warning (超标预警): rules on readings, as data, with no database.

Modules, each answering one question:

- ``rules``     the thresholds of every rule (:class:`RuleSet`, versioned, checked at entry), the
  alert lifecycle and the severity ladder
- ``limits``    what "over" means for one series: a section's target class (GB 3838-2002 Table 1,
  rounding included) or an outfall's discharge limit (kind ``max``/``min``, basis)
- ``engine``    the per-reading rules over many series at once (over, approaching, repeated, jump,
  gap), vectorised
- ``periods``   the period rules (class worse than the previous period, adverse trend)
- ``episodes``  one alert per series and rule for as long as it keeps firing
- ``explain``   one Chinese and one English sentence per finding

The alerts app turns rows into these arrays, calls them, and stores alerts; it never re-implements a
threshold.
"""

from outfall.core.warning.engine import Findings, Readings, SeriesSpec, evaluate, gaps_now
from outfall.core.warning.episodes import Episode, Episodes, episodes
from outfall.core.warning.explain import Facts, explain
from outfall.core.warning.limits import (
    BASES,
    KINDS,
    DischargeLimit,
    LimitError,
    SeriesLimit,
    basis_statistics,
    exceedance_pct,
    make_discharge_limit,
    section_limit,
)
from outfall.core.warning.periods import PeriodMeans, class_worse, near_limit, period_means, trends
from outfall.core.warning.rules import (
    DEFAULT_RULES,
    TRANSITIONS,
    RuleConfigError,
    RuleSet,
    can_transition,
    severity_of,
)

__all__ = ["BASES", "DEFAULT_RULES", "KINDS", "TRANSITIONS", "DischargeLimit", "Episode", "Episodes", "Facts",
           "Findings", "LimitError", "PeriodMeans", "Readings", "RuleConfigError", "RuleSet", "SeriesLimit",
           "SeriesSpec", "basis_statistics", "can_transition", "class_worse", "episodes", "evaluate", "near_limit",
           "exceedance_pct", "explain", "gaps_now", "make_discharge_limit", "period_means", "section_limit",
           "severity_of", "trends"]
