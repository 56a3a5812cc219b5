"""Trace pages: the list, a trace (ranked table with evidence in words, groups, map, observed vs
explained chart, task form), starting a trace (from an alert or a section), tasks and their results,
and the Word report. Who may do what: ``traces.permissions``; every change: ``traces.services``."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outfall.alerts import permissions as alert_permissions
from outfall.alerts.models import Alert
from outfall.core.errors import OutfallError
from outfall.core.standards.parameters import registry
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section
from outfall.traces import permissions, selectors, services
from outfall.traces.charts import series_figure
from outfall.traces.forms import CompleteForm, TaskForm, TraceForm
from outfall.traces.models import Trace, VerificationTask
from outfall.traces.panels import render_task_panels
from outfall.traces.words import evidence_words, groups

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _traces(user):
    return permissions.visible_traces(Trace.objects.select_related("section", "alert", "created_by"), user)


def _tasks(user):
    return permissions.visible_tasks(VerificationTask.objects.select_related("trace__section", "outfall__town",
                                                                             "assignee"), user)


def trace_list(request):
    return render(request, "traces/trace_list.html", {"traces": _traces(request.user)[:300]})


def trace_detail(request, pk: int):
    t = get_object_or_404(_traces(request.user), pk=pk)
    p = registry().get(t.parameter)
    info = {o.code: o for o in Outfall.objects.filter(pk__in=t.candidates.all()).select_related("town")}
    grouped = groups(t.result)
    for g in grouped:
        for c in g["members"]:
            c["o"] = info.get(c["outfall"])
            c["words"] = evidence_words(c, unit=p.unit if p else "mg/L")
    can_tasks = permissions.can_create_tasks(request.user, t)
    users = (get_user_model().objects.filter(is_active=True, role__in=["admin", "bureau", "inspector", "town"])
             .order_by("username") if can_tasks else [])
    return render(request, "traces/trace_detail.html", {
        "t": t, "p": p, "groups": grouped, "tasks": _tasks(request.user).filter(trace=t),
        "can_tasks": can_tasks, "users": users, "task_form": TaskForm(),
        "chart_json": json.dumps(series_figure(t), cls=DjangoJSONEncoder),
        "map_config": {"map": t.map, "tileUrl": settings.OUTFALL_TILE_URL,
                       "tileAttribution": settings.OUTFALL_TILE_ATTRIBUTION}})


def _start(request, func):
    if not permissions.can_trace(request.user):
        raise PermissionDenied(_("无权发起溯源"))
    try:
        t = func()
    except OutfallError as exc:
        messages.error(request, exc.user_message)
        return None
    messages.success(request, _("已完成溯源 #%(n)s") % {"n": t.pk})
    return redirect("traces:detail", pk=t.pk)


@require_POST
def trace_create(request):
    if not permissions.can_trace(request.user):
        raise PermissionDenied(_("无权发起溯源"))
    form = TraceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("traces:list")
    d = form.cleaned_data
    section = get_object_or_404(Section.objects.visible_to(request.user), pk=d["section"])

    def run():
        at = d["at"] or selectors.default_time(section, registry_code(d["parameter"]))
        return services.start_trace(section, d["parameter"], at, actor=request.user,
                                    decay_per_day=d["decay_per_day"])

    return _start(request, run) or redirect("monitoring:section-detail", pk=section.pk)


def registry_code(text: str) -> str:
    from outfall.core.standards.parameters import lookup_parameter

    return lookup_parameter(text).code


@require_POST
def trace_from_alert(request, pk: int):
    alert = get_object_or_404(alert_permissions.visible(Alert.objects.all(), request.user), pk=pk)
    return (_start(request, lambda: services.trace_alert(alert, actor=request.user))
            or redirect("alerts:detail", pk=alert.pk))


@require_POST
def task_create(request, pk: int):
    t = get_object_or_404(_traces(request.user), pk=pk)
    if not permissions.can_create_tasks(request.user, t):
        raise PermissionDenied(_("无权创建核查任务"))
    form = TaskForm(request.POST)
    codes = request.POST.getlist("outfall")
    if not form.is_valid() or not codes:
        messages.error(request, _("请至少选择一个候选排污口") if form.is_valid()
                       else "；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("traces:detail", pk=pk)
    d = form.cleaned_data
    assignee = get_user_model().objects.filter(pk=d["assignee"]).first() if d["assignee"] else None
    try:
        with transaction.atomic():
            for code in codes:
                outfall = Outfall.objects.filter(code=code).first()
                if outfall is None:
                    messages.error(request, _("排污口「%(code)s」不存在") % {"code": code})
                    raise _Rollback
                services.create_task(t, outfall, actor=request.user, assignee=assignee, deadline=d["deadline"],
                                     note=d["note"])
        messages.success(request, _("已创建 %(n)s 个核查任务") % {"n": len(codes)})
    except _Rollback:
        pass
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    return redirect("traces:detail", pk=pk)


class _Rollback(Exception):
    pass


def task_list(request):
    qs = _tasks(request.user)
    if request.GET.get("mine") == "1":
        qs = qs.filter(assignee=request.user)
    return render(request, "traces/task_list.html", {"tasks": qs[:500], "mine": request.GET.get("mine") == "1"})


def task_detail(request, pk: int):
    task = get_object_or_404(_tasks(request.user), pk=pk)
    return render(request, "traces/task_detail.html", {
        "task": task, "can_complete": task.state == "open" and permissions.can_complete(request.user, task),
        "form": CompleteForm(), "panels": render_task_panels(request, task), "candidate": next((c for c in task.trace.result.get("candidates", [])
                                                   if c["outfall"] == task.outfall.code), None)})


@require_POST
def task_complete(request, pk: int):
    task = get_object_or_404(_tasks(request.user), pk=pk)
    if not permissions.can_complete(request.user, task):
        raise PermissionDenied(_("无权记录该核查任务的结果"))
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核查结果"))
        return redirect("traces:task-detail", pk=pk)
    try:
        done = services.complete_task(task, form.cleaned_data["result"], form.cleaned_data["note"], actor=request.user)
        messages.success(request, _("已记录核查结果") + (f"；{done.alert_outcome}" if done.alert_outcome
                                                                        else ""))
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    return redirect("traces:task-detail", pk=pk)


def trace_report(request, pk: int):
    """The Word report of a trace (``outfall.reports.trace_docx``; matplotlib is imported on first use)."""
    t = get_object_or_404(_traces(request.user), pk=pk)
    from outfall.reports.trace_docx import trace_report_docx
    from outfall.traces.report_data import report_data

    body = trace_report_docx(report_data(t, user=request.user))
    resp = HttpResponse(body, content_type=DOCX)
    name = f"trace-{t.pk}-{t.section.code}-{t.parameter}-{timezone.localtime(t.at):%Y%m%d%H%M}.docx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
