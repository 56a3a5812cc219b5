"""The cases part of the dashboard and the monthly report (``outfall.reports.parts``).

Counted over the cases ``user`` may see whose intake date falls in ``[start, end)`` (local dates),
of one town (assigned to it or linking it) or of the whole area:

- per source, in the seed's own form: "100/101 已整改" — a closed case (销号, which needs a result)
  counts as done; complaints are "已办结", and also "已答复" (replied or closed);
- campaign findings per campaign (a table: findings, closed, open);
- overdue counts per source as of the period's last day (or today while it runs): the reply
  deadline passed and no reply (nor close) by then (:func:`outfall.core.cases.rules.is_overdue`);
- a monthly series of cases taken in and of cases closed in each month of the period (whenever
  they were taken in).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from outfall.accounts.labels import label_of
from outfall.cases import permissions
from outfall.cases.models import Case
from outfall.core.cases import rules, stats
from outfall.core.enums import CaseSource, CaseState
from outfall.reports.parts import Part, Rate, Series, Table

__all__ = ["summary", "VERBS"]

#: The verb of each source's rate: what a closed case of it means.
#: Marked with gettext_noop, translated where used (the dashboard and report follow the reader's language).
VERBS = {CaseSource.CENTRAL_INSPECTION: gettext_noop("已整改"), CaseSource.PROVINCIAL_INSPECTION: gettext_noop("已整改"),
         CaseSource.CAMPAIGN: gettext_noop("已整改"), CaseSource.COMPLAINT: gettext_noop("已办结"),
         CaseSource.TRACE_TASK: gettext_noop("已办结"), CaseSource.ALERT: gettext_noop("已办结"),
         CaseSource.FIELD: gettext_noop("已办结")}


def _cases(*, user, town_id, start, end, by: str = "intake_date"):
    qs = permissions.visible(Case.objects.all(), user).filter(**{f"{by}__gte": start, f"{by}__lt": end})
    if town_id is not None:
        qs = qs.filter(pk__in=Case.objects.filter(Q(assigned_town_id=town_id) | Q(towns__id=town_id)).values("pk"))
    return qs


def summary(*, user, town_id: int | None, start: dt.date, end: dt.date) -> Part:
    """The cases part: rates per source, complaints replied, campaign findings, overdue, monthly trend.

    Parameters
    ----------
    user : the reader (town staff count only the cases they may see)
    town_id : int or None
        One town (assigned to it or linking it), or None for the whole area.
    start, end : date
        The period, ``[start, end)`` of intake dates (local dates).
    """
    rows = list(_cases(user=user, town_id=town_id, start=start, end=end).select_related("campaign").values(
        "source", "state", "deadline", "replied_on", "closed_on", "intake_date", "campaign__name"))
    on = stats.as_of(end, timezone.localdate())
    rates, overdue_rows = [], []
    for source in CaseSource:
        mine = [r for r in rows if r["source"] == source.value]
        if not mine:
            continue
        closed = sum(r["state"] == CaseState.CLOSED.value for r in mine)
        rates.append(Rate(label_of(source), done=closed, total=len(mine), verb=_(VERBS[source])))
        if source == CaseSource.COMPLAINT:
            answered = sum(r["state"] in (CaseState.REPLIED.value, CaseState.CLOSED.value) for r in mine)
            rates.append(Rate(label_of(source), done=answered, total=len(mine), verb=_("已答复")))
        late = sum(rules.is_overdue(r["deadline"], rules.settled(r["replied_on"], r["closed_on"]), on) for r in mine)
        open_now = sum(r["state"] in rules.OPEN_STATES for r in mine)
        overdue_rows.append([label_of(source), len(mine), open_now, late])
    campaigns: dict[str, list[int]] = {}
    for r in rows:
        if r["source"] == CaseSource.CAMPAIGN.value:
            c = campaigns.setdefault(r["campaign__name"] or "—", [0, 0])
            c[0] += 1
            c[1] += r["state"] == CaseState.CLOSED.value
    tables = [
        Table(_("专项执法检查发现问题整改情况"), [_("专项执法检查"), _("发现问题"), _("已整改"), _("未整改")],
              [[name, n, done, n - done] for name, (n, done) in sorted(campaigns.items())]),
        Table(_("超期情况（截至 %(day)s）") % {"day": on.isoformat()}, [_("来源"), _("案件数"), _("未答复"), _("超期")],
              overdue_rows),
    ]
    closed_on = _cases(user=user, town_id=town_id, start=start, end=end, by="closed_on").values_list("closed_on",
                                                                                                     flat=True)
    series = [Series(_("每月受理与办结"), stats.months(start, end),
                     {_("受理"): [float(n) for n in stats.monthly_counts((r["intake_date"] for r in rows), start, end)],
                      _("办结"): [float(n) for n in stats.monthly_counts(closed_on, start, end)]},
                     unit=_("件"))]
    return Part(key="cases", title=_("案件办理"), rates=rates, tables=tables, series=series)
