"""The remediation part of the dashboard and the monthly report (``outfall.reports.parts``).

What is counted, for the tasks ``user`` may see (of one town, or all):

- the tasks set before ``end`` (start date before it) are "all tasks"; of them, those signed off
  before ``end`` and still signed off are done (``Rate``, overall and per measure, "已销号");
- overdue: tasks whose work is still open (planned or in progress) with a deadline before the
  reference day, the earlier of today and the last day of the period;
- a table by town (tasks, signed off, open, overdue), the signed-off tasks whose receiving section
  did not improve (effect check, ``selectors.not_improved``), and the signed-off tasks per month from
  ``start`` to ``end``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.enums import RemediationMeasure, RemediationState
from outfall.core.months import monthly_counts, months
from outfall.core.remediation import due_status
from outfall.remediation import selectors
from outfall.reports.parts import Part, Rate, Series, Table

SIGNED = RemediationState.SIGNED_OFF.value


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def summary(*, user, town_id: int | None, start: dt.date, end: dt.date) -> Part:
    """The "remediation" part for [start, end) (local dates, end exclusive)."""
    qs = selectors.tasks(user).filter(start_date__lt=end)
    if town_id is not None:
        qs = qs.filter(outfall__town_id=town_id)
    end_at = _aware(end)
    rows = list(qs.values_list("pk", "measure", "state", "deadline", "signed_off_at", "outfall__town__name"))
    done = {pk for pk, _m, st, _d, at, _t in rows if st == SIGNED and at is not None and at < end_at}
    ref = min(selectors.today(), end - dt.timedelta(days=1))
    overdue = {pk for pk, _m, st, dl, _a, _t in rows if due_status(st, dl, ref, due_soon_days=0) == "overdue"}
    verb = label_of(RemediationState.SIGNED_OFF)
    rates = [Rate(_("整治任务"), len(done), len(rows), verb=verb)]
    for m in RemediationMeasure:
        mine = [r[0] for r in rows if r[1] == m.value]
        rates.append(Rate(label_of(m), sum(1 for pk in mine if pk in done), len(mine), verb=verb))
    by_town: dict[str, list[int]] = {}
    for pk, _m, st, _d, _a, town in rows:
        c = by_town.setdefault(town, [0, 0, 0, 0])
        c[0] += 1
        c[1] += pk in done
        c[2] += st != SIGNED
        c[3] += pk in overdue
    town_table = Table(_("整治任务（按镇街）"), [_("镇街"), _("任务数"), _("已销号"), _("未销号"), _("逾期")],
                       [[t, *c] for t, c in sorted(by_town.items())])
    flagged = [(t, s, r) for t, s, r in selectors.not_improved(qs) if t.signed_off_at < end_at]
    not_improved = Table(_("已销号但水质未改善"), [_("排污口"), _("整治措施"), _("销号日期"), _("受纳断面"), _("指标"),
                                                _("整治前中位数"), _("销号后中位数"), "p"],
                         [[f"{t.outfall.code} {t.outfall.name}", label_of(RemediationMeasure(t.measure)),
                           timezone.localdate(t.signed_off_at).isoformat(), f"{s.code} {s.name}", r.parameter,
                           r.median_before, r.median_after, r.p_value] for t, s, r in flagged])
    per_month = monthly_counts((timezone.localdate(at) for pk, _m, _s, _d, at, _t in rows if pk in done), start, end)
    series = Series(_("每月销号数"), months(start, end), {_("已销号"): [float(n) for n in per_month]}, unit=_("项"))
    rates.append(Rate(_("逾期未完成"), len(overdue), len(rows), verb=_("已逾期")))
    return Part(key="remediation", title=_("排污口整治"), rates=rates, tables=[town_table, not_improved], series=[series])
