"""The alerts' part of the dashboard (概览) and the monthly report (月报): the alerts opened in the
period (``opened_at``, the time of an episode's first reading) by state and by rule, how many are
closed (已关闭, the end of the lifecycle in ``outfall.core.warning.TRANSITIONS``), and the alerts
opened each month over the twelve months up to the end of the period. Aggregate queries only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.alerts import permissions
from outfall.alerts.models import Alert
from outfall.core.enums import AlertRule, AlertState
from outfall.core.months import local_bounds, month_label, months_before
from outfall.ledger.reporting import month_counts
from outfall.reports.parts import Part, Rate, Series, Table

__all__ = ["summary"]


def summary(*, user, town_id: int | None, start: dt.date, end: dt.date) -> Part:
    """Alerts of the area or of one town (the alert's town) opened in the period (local dates, end exclusive)."""
    t0, t1 = local_bounds(start, end, timezone.get_current_timezone())
    qs = permissions.visible(Alert.objects.all(), user)
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    period = qs.filter(opened_at__gte=t0, opened_at__lt=t1)
    by_state = dict(period.order_by().values_list("state").annotate(n=Count("pk")))
    by_rule = dict(period.order_by().values_list("rule").annotate(n=Count("pk")))
    total = sum(by_state.values())
    months = months_before(end, 12)
    closed = qs.filter(state=AlertState.CLOSED.value)
    return Part(
        key="alerts", title=_("预警"),
        rates=[Rate(_("本期预警"), by_state.get(AlertState.CLOSED.value, 0), total, verb=_("已关闭"))],
        tables=[Table(_("按状态"), [_("状态"), _("数量")], [[label_of(s), by_state.get(s.value, 0)] for s in AlertState]),
                Table(_("按规则"), [_("规则"), _("数量")], [[label_of(r), by_rule.get(r.value, 0)] for r in AlertRule])],
        series=[Series(_("每月新增预警"), [month_label(s) for s, _e in months],
                       {_("新增预警"): month_counts(qs, "opened_at", months),
                        _("其中已关闭"): month_counts(closed, "opened_at", months)}, unit=_("条"))],
    )
