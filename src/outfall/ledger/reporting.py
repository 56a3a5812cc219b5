"""The ledger's part of the dashboard (概览) and the monthly report (月报): outfalls by HJ 1312-2023
level-1 type, by town and by status, the approval/filing rate, and the outfalls added and cancelled
in the period with their monthly trend.

Counts by type, town and status are the ledger as it stands (an outfall's status has no dated
history of its own); "new" counts outfalls entered in the period (``created_at``), "cancelled" the
注销 recorded in the period (their history records, action ``cancel``). Every number is one
aggregate query (a count per group), never a loop over outfalls.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.enums import ApprovalState, OutfallStatus
from outfall.core.months import local_bounds, month_label, months_before
from outfall.core.outfall_types import TYPES
from outfall.history.models import ChangeRecord
from outfall.ledger.models import Outfall
from outfall.ledger.type_names import type_name
from outfall.reports.parts import Part, Rate, Series, Table

__all__ = ["summary", "month_counts", "outfalls_of", "cancel_records"]

_CANCELLED = OutfallStatus.CANCELLED.value


def outfalls_of(user, town_id: int | None):
    """The outfalls ``user`` may see, of one town (``town_id``) or of the whole area (None)."""
    qs = Outfall.objects.visible_to(user)
    return qs.filter(town_id=town_id) if town_id is not None else qs


def cancel_records(outfalls):
    """The 注销 history records of ``outfalls`` (a queryset), whenever they were made."""
    ids = outfalls.order_by().annotate(key=Cast("pk", output_field=CharField())).values("key")
    return ChangeRecord.objects.filter(target_type=ContentType.objects.get_for_model(Outfall), action="cancel",
                                       target_id__in=ids)


def month_counts(qs, field: str, months: list[tuple[dt.date, dt.date]]) -> list[int]:
    """Rows of ``qs`` whose datetime ``field`` falls in each local month ``(start, end)`` of ``months``:
    one query, a conditional count per month."""
    tz = timezone.get_current_timezone()
    counts = {}
    for i, (s, e) in enumerate(months):
        t0, t1 = local_bounds(s, e, tz)
        counts[f"m{i}"] = Count("pk", filter=Q(**{f"{field}__gte": t0, f"{field}__lt": t1}))
    got = qs.order_by().aggregate(**counts)
    return [got[f"m{i}"] for i in range(len(months))]


def summary(*, user, town_id: int | None, start: dt.date, end: dt.date) -> Part:
    """The outfalls of the area or of one town (``start``/``end``: local dates, end exclusive)."""
    tz = timezone.get_current_timezone()
    t0, t1 = local_bounds(start, end, tz)
    qs = outfalls_of(user, town_id)
    active = qs.exclude(status=_CANCELLED)
    by_type = dict(active.order_by().values_list("type_l1").annotate(n=Count("pk")))
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    by_town = list(active.order_by("town__code").values_list("town__name").annotate(n=Count("pk")))
    counts = active.aggregate(total=Count("pk"), approved=Count("pk", filter=Q(approval__in=[
        ApprovalState.APPROVED.value, ApprovalState.FILED.value])))
    new = qs.filter(created_at__gte=t0, created_at__lt=t1).count()
    cancelled = cancel_records(qs).filter(time__gte=t0, time__lt=t1).count()
    months = months_before(end, 12)
    types = [*TYPES, *sorted(set(by_type) - set(TYPES))]  # a name outside the tree still counts
    return Part(
        key="outfalls", title=_("入河排污口"),
        rates=[Rate(_("排污口设置审批/备案"), counts["approved"], counts["total"], verb=_("已审批/备案"))],
        tables=[
            Table(_("按类型 (HJ 1312-2023 一级类型，不含已注销)"), [_("类型"), _("数量")],
                  [[type_name(t), by_type.get(t, 0)] for t in types]),
            Table(_("按镇街 (不含已注销)"), [_("镇街"), _("数量")], [[name, n] for name, n in by_town]),
            Table(_("按状态"), [_("状态"), _("数量")], [[label_of(s), by_status.get(s.value, 0)] for s in OutfallStatus]),
            Table(_("本期新增与注销"), [_("事项"), _("数量")], [[_("新增"), new], [_("注销"), cancelled]]),
        ],
        series=[Series(_("每月新增与注销排污口"), [month_label(s) for s, _e in months],
                       {_("新增"): month_counts(qs, "created_at", months),
                        _("注销"): month_counts(cancel_records(qs), "time", months)}, unit=_("个"))],
    )
