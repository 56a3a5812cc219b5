"""Monitoring's part of the dashboard (概览) and the monthly report (月报): section compliance
(断面达标) against the targets for the period, a row per section, and the monthly compliance rate
over the twelve months up to the end of the period.

The method is the national one (环办〔2011〕22号 §2.2–2.3), as the section page's period assessment
(``selectors.period_evaluations``) applies it: the arithmetic mean of each item over the period
(a value below detection counts as half its limit), then the single-factor class of the means
against the section's target. The means come from the database as sums (one ``GROUP BY`` section,
item and month query over the readings, one more for the whole period) and
:func:`outfall.core.standards.sums.mean_of_sums` turns them into the same means; no reading is read
into Python. Each reading counts once: a time that two sources both report counts twice here, where
the section page keeps one of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.enums import WaterClass
from outfall.core.months import local_bounds, month_label, months_before
from outfall.core.standards import evaluate_sample
from outfall.core.standards.gb3838 import EVALUATED
from outfall.core.standards.parameters import registry
from outfall.core.standards.sums import mean_of_sums
from outfall.monitoring.models import Section, SectionReading
from outfall.reports.parts import Part, Rate, Series, Table

__all__ = ["summary", "evaluate_sections"]

_INF = float("inf")
#: A measured value, finite (an infinite or NaN value stored before the parser refused it reads as missing).
MEASURED = Q(qualifier="", value__isnull=False, value__gt=-_INF, value__lt=_INF)
#: Below detection with a stated, finite limit (an unstated limit is skipped, as ``period_mean`` does).
CENSORED = Q(qualifier="<", detection_limit__isnull=False, detection_limit__gt=-_INF, detection_limit__lt=_INF)


def _sums(sections: dict[int, Section], t0: dt.datetime, t1: dt.datetime, *, by_month: bool):
    """(section id, month label or None, item) → ParsedValue mean over [t0, t1)."""
    tz = timezone.get_current_timezone()
    qs = (SectionReading.objects.filter(section_id__in=list(sections), time__gte=t0, time__lt=t1,
                                        parameter__in=EVALUATED).order_by())
    keys = ["section_id", "parameter"]
    if by_month:
        qs = qs.annotate(month=TruncMonth("time", tzinfo=tz))
        keys.append("month")
    rows = qs.values(*keys).annotate(nm=Count("pk", filter=MEASURED), sm=Sum("value", filter=MEASURED),
                                     nc=Count("pk", filter=CENSORED), sc=Sum("detection_limit", filter=CENSORED),
                                     mc=Max("detection_limit", filter=CENSORED))
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        month = month_label(r["month"].astimezone(tz).date()) if by_month else None
        out[(r["section_id"], month)][r["parameter"]] = mean_of_sums(r["nm"], r["sm"], r["nc"], r["sc"], r["mc"])
    return out


def evaluate_sections(sections: list[Section], start: dt.date, end: dt.date, *, by_month: bool = False) -> dict:
    """(section id, month label or None) → SampleEvaluation of the period means (None: no class).

    ``start``/``end`` are local dates (end exclusive); ``by_month`` evaluates each month apart.
    """
    t0, t1 = local_bounds(start, end, timezone.get_current_timezone())
    by_id = {s.pk: s for s in sections}
    out = {}
    for (sid, month), means in _sums(by_id, t0, t1, by_month=by_month).items():
        s = by_id[sid]
        ev = evaluate_sample(means, water_type=s.water_type, target=s.target_class)
        out[(sid, month)] = ev if ev.water_class is not None else None
    return out


def _names(codes) -> str:
    reg = registry()
    en = (get_language() or "").startswith("en")
    return (", " if en else "、").join((reg[c].name_en if en else reg[c].name_zh) if c in reg else c for c in codes)


def summary(*, user, town_id: int | None, start: dt.date, end: dt.date) -> Part:
    """Compliance of the sections of the area or of one town (their ``town``) for the period."""
    qs = Section.objects.visible_to(user)
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    sections = list(qs.order_by("code"))
    period = evaluate_sections(sections, start, end)
    months = months_before(end, 12)
    monthly = evaluate_sections(sections, months[0][0], months[-1][1], by_month=True)
    rows, met, evaluated = [], 0, 0
    for s in sections:
        ev = period.get((s.pk, None))
        if ev is not None:
            evaluated += 1
            met += bool(ev.compliant)
        verdict = _("无数据") if ev is None else (_("达标") if ev.compliant else _("不达标"))
        rows.append([s.code, s.name, label_of(WaterClass(s.target_class)),
                     label_of(ev.water_class) if ev else "—", verdict, _names(ev.main_pollutants) if ev else ""])
    rate = []
    for m0, _m1 in months:
        evs = [e for (sid, label), e in monthly.items() if label == month_label(m0) and e is not None]
        rate.append(round(100.0 * sum(bool(e.compliant) for e in evs) / len(evs), 1) if evs else None)
    return Part(
        key="sections", title=_("断面水质"),
        rates=[Rate(_("断面达标"), met, evaluated, verb=_("达标"))],
        tables=[Table(_("各断面水质 (期间均值，单因子评价)"),
                      [_("断面编码"), _("断面名称"), _("水质目标"), _("水质类别"), _("是否达标"), _("主要污染物")], rows)],
        series=[Series(_("断面月达标率"), [month_label(s) for s, _e in months], {_("达标率"): rate}, unit="%")],
    )
