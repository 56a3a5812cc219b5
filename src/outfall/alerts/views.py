"""Alert pages: the list (filters) and the alert (chart with the limit line, rule in words,
timeline with a form per allowed step, deliveries, receptors). Permissions: ``alerts.permissions``."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outfall.accounts.labels import label_of
from outfall.accounts.models import Town
from outfall.alerts import lifecycle, permissions, selectors
from outfall.alerts.charts import alert_figure
from outfall.alerts.models import Alert, Receptor
from outfall.alerts.panels import render_alert_panels
from outfall.core.enums import AlertRule, AlertSeverity, AlertState
from outfall.core.errors import OutfallError

ACTIONS = {"acknowledged": lifecycle.acknowledge_alert, "tracing": lifecycle.start_tracing,
           "confirmed": lifecycle.confirm_alert, "closed": lifecycle.close_alert}


def _options(enum_cls) -> list[dict]:
    """A filter's options: each member's value and its label in the active language."""
    return [{"value": m.value, "label": label_of(m)} for m in enum_cls]


def alert_list(request):
    qs = selectors.filtered(permissions.visible(Alert.objects.all(), request.user), request.GET)
    return render(request, "alerts/alert_list.html", {
        "alerts": qs.select_related("town")[:500], "count": qs.count(), "states": _options(AlertState),
        "rules": _options(AlertRule), "severities": _options(AlertSeverity), "towns": Town.objects.all(),
        "rivers": selectors.rivers(), "f": request.GET})


def alert_detail(request, pk: int):
    alert = get_object_or_404(permissions.visible(Alert.objects.select_related("town", "assignee"), request.user),
                              pk=pk)
    points = selectors.readings_around(alert, margin=dt.timedelta(days=3))
    kinds = dict(Receptor.KINDS)
    return render(request, "alerts/alert_detail.html", {
        "a": alert, "can_act": permissions.can_act(request.user, alert), "next_states": [{"value": s.value, "label": label_of(s)} for s in lifecycle.allowed_next(alert)],
        "steps": alert.steps.select_related("actor", "assignee"), "deliveries": alert.deliveries.select_related("channel"),
        "assignees": selectors.assignees(alert), "rule_label": label_of(AlertRule(alert.rule)),
        "receptors": [{**r, "kind": kinds.get(r.get("kind"), r.get("kind"))} for r in alert.receptors or []],
        "chart_json": json.dumps(alert_figure(alert, points), cls=DjangoJSONEncoder),
        "panels": render_alert_panels(request, alert)})


@require_POST
def alert_act(request, pk: int):
    alert = get_object_or_404(permissions.visible(Alert.objects.all(), request.user), pk=pk)
    if not permissions.can_act(request.user, alert):
        raise PermissionDenied(_("无权处置此预警"))
    to, note = request.POST.get("to", ""), request.POST.get("note", "")
    try:
        if to == "not_genuine":
            lifecycle.mark_not_genuine(alert, actor=request.user, reason=note)
        elif to == "assign":
            lifecycle.assign_alert(alert, selectors.user_or_none(request.POST.get("assignee")), actor=request.user,
                                   note=note)
        elif to in ACTIONS:
            ACTIONS[to](alert, actor=request.user, note=note)
        else:
            messages.error(request, _("未知操作「%(to)s」") % {"to": to})
            return redirect("alerts:detail", pk=pk)
        messages.success(request, _("已处置"))
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    return redirect("alerts:detail", pk=pk)
