"""The trace panels on the alert page (a one-click "溯源 / Trace" button and the alert's traces)
and on the section page (a trace form for any parameter and time), registered in ``apps.py``."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from outfall.monitoring.models import SectionReading
from outfall.traces import permissions
from outfall.traces.forms import TraceForm
from outfall.traces.models import Trace

#: Panels a higher app adds to the verification task page (STYLE rule 16: traces never imports them):
#: callables f(request, task) -> HTML, rendered below the task (cases adds "open a case").
task_detail_panels: list = []


def render_task_panels(request, task) -> list[str]:
    return [mark_safe(p(request, task)) for p in task_detail_panels]  # noqa: S308 — panels render templates


def alert_panel(request, alert) -> str:
    traces = permissions.visible_traces(Trace.objects.filter(alert=alert), request.user).select_related("section")
    return render_to_string("traces/_alert_panel.html", {
        "a": alert, "traces": traces[:20], "can_trace": permissions.can_trace(request.user)
        and alert.site_kind == "section"}, request=request)


def section_panel(request, section) -> str:
    traces = permissions.visible_traces(Trace.objects.filter(section=section), request.user)
    can = permissions.can_trace(request.user)
    measured = (sorted(set(SectionReading.objects.filter(section=section).values_list("parameter", flat=True)
                           .distinct())) if can else [])
    return render_to_string("traces/_section_panel.html", {
        "s": section, "traces": traces[:10], "can_trace": can, "measured": measured,
        "form": TraceForm(initial={"section": section.pk})}, request=request)
