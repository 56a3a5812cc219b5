"""Monitoring's part of the dashboard (概览) and the monthly report (月报): section compliance
(断面达标) against the targets for the period, a row per section, and the monthly compliance rate
over the twelve months up to the end of the period.

The method is the national one (环办〔2011〕22号 §2.2–2.3), as the section page's period assessment
(``selectors.period_evaluations``) applies it: the arithmetic mean of each item over the period
(a value below detection counts as half its limit), then the single-factor class of the means
against the section's target. The means come from the database as sums (one query over the
readings, grouped by section, item and month; the period is the sum of its months) and
:func:`outfall.core.standards.sums.mean_of_sums` turns them into the same means; no reading is read
into Python. Each reading counts once: a time that two sources both report counts twice here, where
the section page keeps one of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
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
#: Rows whose value and detection limit are finite or empty (an infinite or NaN number stored before
#: the parser refused it reads as missing, as ``selectors._pv`` reads it).
FINITE = ((Q(value__isnull=True) | Q(value__gt=-_INF, value__lt=_INF))
          & (Q(detection_limit__isnull=True) | Q(detection_limit__gt=-_INF, detection_limit__lt=_INF)))


def _sums(section_ids: list[int], bounds: list[dt.datetime]) -> dict[tuple, list]:
    """(section id, item, period index) → [n measured, Σ measured, n censored, Σ limits, max limit] over
    the consecutive periods ``bounds[i]``–``bounds[i + 1]``.

    One query: the readings grouped by section, item, qualifier and period, the period found by a
    ``CASE`` on the time (plain SQL on every database; ``TruncMonth`` would call Python once per row
    on SQLite). A measured value counts by its value, a value below detection by its stated limit."""
    bucket = Case(*[When(time__lt=b, then=Value(i)) for i, b in enumerate(bounds[1:])], default=Value(-1),
                  output_field=IntegerField())
    rows = (SectionReading.objects.filter(section_id__in=section_ids, time__gte=bounds[0], time__lt=bounds[-1],
                                          parameter__in=EVALUATED, qualifier__in=("", "<")).filter(FINITE)
            .order_by().annotate(bucket=bucket).values("section_id", "parameter", "qualifier", "bucket")
            .annotate(n=Count("value"), s=Sum("value"), nd=Count("detection_limit"), sd=Sum("detection_limit"),
                      md=Max("detection_limit")))
    out: dict[tuple, list] = {}
    for r in rows:
        acc = out.setdefault((r["section_id"], r["parameter"], r["bucket"]), [0, 0.0, 0, 0.0, None])
        if r["qualifier"] == "":
            acc[0], acc[1] = r["n"], r["s"] or 0.0
        else:
            acc[2], acc[3], acc[4] = r["nd"], r["sd"] or 0.0, r["md"]
    return out


def _combine(parts: list[list]) -> list:
    """The sums of several periods as the sums of their union."""
    limits = [p[4] for p in parts if p[4] is not None]
    return [sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts),
            sum(p[3] for p in parts), max(limits) if limits else None]


def _evaluate(by_id: dict[int, Section], sums: dict[tuple, list]) -> dict:
    means: dict[tuple, dict] = defaultdict(dict)
    for (sid, code, key), acc in sums.items():
        mean = mean_of_sums(*acc)
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
    bounds = [local_bounds(s, e, tz)[0] for s, e in spans] + [local_bounds(*spans[-1], tz)[1]]
    sums = _sums(list(by_id), bounds)
    firsts = [s for s, _e in spans]
    grouped: dict[tuple, list] = defaultdict(list)
    if start in firsts and end == spans[-1][1]:  # the period is the last whole months: add them up
        first = firsts.index(start)
        for (sid, code, i), acc in sums.items():
            if i >= first:
                grouped[(sid, code)].append(acc)
        period = {(sid, code, None): _combine(accs) for (sid, code), accs in grouped.items()}
    else:
        period = {(sid, code, None): acc for (sid, code, _i), acc in _sums(list(by_id), list(local_bounds(
            start, end, tz))).items()}
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
