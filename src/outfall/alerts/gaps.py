"""The station-offline rule (数据中断): an automatic station silent for longer than ``gap_factor``
times its reporting interval at ``now`` (the core's ``gaps_now``).

One alert per silent section (parameter ``*``: every parameter stops together when a station goes
down), opened at the time of its last reading; the first reading after it closes the episode. The
interval of a station is not stored: it is the median step between its last readings (at least
three are needed; a section with fewer is not judged).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Max

from outfall.core.enums import AlertRule
from outfall.core.warning import Facts, Readings, SeriesSpec, explain, gaps_now, severity_of
from outfall.monitoring.models import Section, SectionReading

#: Distinct reading times per station used to estimate its interval.
INTERVAL_SAMPLE = 12
ALL_PARAMETERS = "*"


def _interval_s(section_id: int) -> float | None:
    times = list(SectionReading.objects.filter(section_id=section_id).order_by("-time")
                 .values_list("time", flat=True).distinct()[:INTERVAL_SAMPLE])
    if len(times) < 3:
        return None
    steps = -np.diff([t.timestamp() for t in times])
    steps = steps[steps > 0]
    return float(np.median(steps)) if len(steps) else None


def gap_findings(section_ids, now: dt.datetime, rules) -> list[dict]:
    """Per automatic section: ``{"section", "silent", "hours", "last", "interval_h"}``."""
    sections = list(Section.objects.filter(pk__in=section_ids, automatic_station=True))
    last = dict(SectionReading.objects.filter(section__in=sections).values("section_id")
                .annotate(t=Max("time")).values_list("section_id", "t"))
    judged = [(s, last[s.pk], _interval_s(s.pk)) for s in sections if s.pk in last]
    judged = [(s, t, i) for s, t, i in judged if i]
    if not judged:
        return []
    r = Readings.from_arrays(list(range(len(judged))), [int(t.timestamp()) for _s, t, _i in judged],
                             [0.0] * len(judged))
    spec = SeriesSpec.from_limits([None] * len(judged), intervals_s=[i for _s, _t, i in judged])
    silent, hours = gaps_now(r, spec, int(now.timestamp()), rules)
    return [{"section": s, "silent": bool(silent[k]), "hours": float(hours[k]), "last": t, "interval_h": i / 3600}
            for k, (s, t, i) in enumerate(judged)]


def gap_fields(f: dict, rules) -> dict:
    """The alert fields of a silent station."""
    tz = dt.timezone(dt.timedelta(hours=8))
    s = f["section"]
    zh, en = explain(AlertRule.GAP, Facts(site=s.name, parameter="全部指标", parameter_en="every parameter",
                                          time=f["last"].astimezone(tz), hours=f["hours"]))
    return {"last_time": f["last"], "value": round(f["hours"], 2), "limit": round(rules.gap_factor * f["interval_h"], 2),
            "limit_kind": "max", "multiple": None, "exceedance_pct": None, "peak": round(f["hours"], 2),
            "readings_count": 0, "rules_version": rules.version, "receptors": [],
            "severity": severity_of(AlertRule.GAP, rules=rules).value, "episode_open": True, "recovered_at": None,
            "explanation_zh": zh, "explanation_en": en}
