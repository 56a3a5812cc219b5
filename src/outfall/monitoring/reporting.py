"""Monitoring's part of the dashboard (概览) and the monthly report (月报): section compliance
(断面达标) against the targets for the period, a row per section, and the monthly compliance rate
over the twelve months up to the end of the period.

The method is the national one (环办〔2011〕22号 §2.2–2.3), as the section page's period assessment
(``selectors.period_evaluations``) applies it: the arithmetic mean of each item over the period
(a value below detection counts as half its limit), then the single-factor class of the means
against the section's target. The means come from the database as sums, by the code the section
page's monthly and yearly tables use (:mod:`outfall.monitoring.periods`): one query over the
readings of every section, grouped by section, month and item; the period is the sum of its months.
Only a month where two readings of an item share a time (two sources) is read row by row, as the
section page reads it, so both always give the same class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.enums import WaterClass
from outfall.core.months import local_bounds, month_label, months_before
from outfall.core.standards import evaluate_sample
from outfall.core.standards.evaluation import PeriodSum
from outfall.core.standards.gb3838 import EVALUATED
from outfall.core.standards.parameters import registry
from outfall.monitoring import periods
from outfall.monitoring.models import Section, SectionReading
from outfall.reports.parts import Part, Rate, Series, Table

__all__ = ["summary", "evaluate_sections"]

def _sums(section_ids: list[int], edges: list[dt.datetime]) -> dict[tuple, PeriodSum]:
    """(section id, period index, item) → :class:`~outfall.core.standards.evaluation.PeriodSum` over the consecutive
    periods ``edges[i]``–``edges[i + 1]``, by the section page's own rules and code
    (:mod:`outfall.monitoring.periods`): one query grouped by section, period (a nested ``CASE`` on the
    time), item and qualifier; a group where two readings share a time, or holding a non-finite
    number, is read row by row as the section page reads it."""
    qs = SectionReading.objects.filter(section_id__in=section_ids, time__gte=edges[0], time__lt=edges[-1],
                                       parameter__in=EVALUATED)

    def reduce(key):
        sid, i = key
        return periods._reduced(qs.filter(section_id=sid, time__gte=edges[i], time__lt=edges[i + 1]))

    return periods._groups(qs, ("section_id", "b"), reduce, b=periods._bucket(edges, 0, len(edges) - 1))


def _evaluate(by_id: dict[int, Section], sums: dict[tuple, PeriodSum]) -> dict:
    means: dict[tuple, dict] = defaultdict(dict)
    for (sid, key, code), acc in sums.items():
        mean = acc.mean()
        if not mean.missing:
            means[(sid, key)][code] = mean
    out = {}
    for (sid, key), values in means.items():
        s = by_id[sid]
        ev = evaluate_sample(values, water_type=s.water_type, target=s.target_class)
        if ev.water_class is not None:
            out[(sid, key)] = ev
    return out


def evaluate_sections(sections: list[Section], start: dt.date, end: dt.date, *, months: int = 12) -> dict:
    """(section id, key) → SampleEvaluation of the section's item means over a period: key ``None`` for
    ``start``–``end`` (local dates, end exclusive), ``0`` … ``months − 1`` for each of the ``months``
    whole months up to ``end`` (:func:`outfall.core.months.months_before`). A section without a class
    in a period is left out. One query when the period is whole months among those, else two."""
    tz = timezone.get_current_timezone()
    by_id = {s.pk: s for s in sections}
    if not by_id:
        return {}
    spans = months_before(end, months)
    edges = [local_bounds(s, e, tz)[0] for s, e in spans] + [local_bounds(*spans[-1], tz)[1]]
    sums = _sums(list(by_id), edges)
    firsts = [s for s, _e in spans]
    period: dict[tuple, PeriodSum] = {}
    if start in firsts and end == spans[-1][1]:  # the period is the last whole months: years are sums of months
        first = firsts.index(start)
        for (sid, i, code), acc in sums.items():
            if i >= first:
                period.setdefault((sid, None, code), PeriodSum()).add(acc)
    else:
        period = {(sid, None, code): acc for (sid, _i, code), acc in
                  _sums(list(by_id), list(local_bounds(start, end, tz))).items()}
    return _evaluate(by_id, {**sums, **period})


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
    months = months_before(end, 12)
    evs = evaluate_sections(sections, start, end, months=len(months))
    rows, met, evaluated = [], 0, 0
    for s in sections:
        ev = evs.get((s.pk, None))
        if ev is not None:
            evaluated += 1
            met += bool(ev.compliant)
        verdict = _("无数据") if ev is None else (_("达标") if ev.compliant else _("不达标"))
        rows.append([s.code, s.name, label_of(WaterClass(s.target_class)),
                     label_of(ev.water_class) if ev else "—", verdict, _names(ev.main_pollutants) if ev else ""])
    rate = []
    for i in range(len(months)):
        month = [e for (_sid, k), e in evs.items() if k == i]
        rate.append(round(100.0 * sum(bool(e.compliant) for e in month) / len(month), 1) if month else None)
    return Part(
        key="sections", title=_("断面水质"),
        rates=[Rate(_("断面达标"), met, evaluated, verb=_("达标"))],
        tables=[Table(_("各断面水质 (期间均值，单因子评价)"),
                      [_("断面编码"), _("断面名称"), _("水质目标"), _("水质类别"), _("是否达标"), _("主要污染物")], rows)],
        series=[Series(_("断面月达标率"), [month_label(s) for s, _e in months], {_("达标率"): rate}, unit="%")],
    )
