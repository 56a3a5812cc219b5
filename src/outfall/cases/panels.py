"""The case panels on the alert page, the verification task page and the outfall file (一口一档):
the cases linked to the object and, for those who may open cases, a button that opens one from it
(registered in ``apps.py``)."""

from __future__ import annotations

from django.template.loader import render_to_string

from outfall.cases import permissions
from outfall.cases.models import Case


def _panel(request, cases, *, action: str | None, obj, label: str, town_id=None) -> str:
    cases = permissions.visible(cases, request.user)
    return render_to_string("cases/_panel.html", {
        "cases": cases[:20], "action": action, "obj": obj, "label": label,
        "can_open": action is not None and not cases.exists() and permissions.can_open_for_town(request.user, town_id)},
        request=request)


def alert_panel(request, alert) -> str:
    return _panel(request, Case.objects.filter(alert=alert), action="cases:from-alert", obj=alert, label="alert",
                  town_id=alert.town_id)


def task_panel(request, task) -> str:
    return _panel(request, Case.objects.filter(verification_task=task), action="cases:from-task", obj=task,
                  label="task", town_id=task.outfall.town_id)


def outfall_panel(request, outfall) -> str:
    return _panel(request, Case.objects.filter(outfalls=outfall), action=None, obj=outfall, label="outfall")
