"""Every state change of traces and verification tasks (STYLE rule 2): start a trace, create a
verification task, record its result. Each is one transaction with its history; the alert a trace
came from moves through ``outfall.alerts.lifecycle`` (tracing → confirmed / not genuine).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.alerts import lifecycle
from outfall.alerts import permissions as alert_permissions
from outfall.core.enums import AlertState
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.tracing.trace import DEFAULT_DISPERSION_M2_S
from outfall.core.warning import can_transition
from outfall.history.services import record_change
from outfall.ledger.models import Outfall
from outfall.traces import explain, permissions
from outfall.traces.compute import run_trace
from outfall.traces.models import TASK_RESULTS, Trace, VerificationTask
from outfall.traces.selectors import alert_peak_time, model_version


def _snapshot(t: Trace) -> dict:
    r = t.result
    return {"section": t.section.code, "parameter": t.parameter, "at": t.at.isoformat(), "alert": t.alert_id,
            "decay_per_day": t.decay_per_day, "window_h": t.window_h, "model_version": t.model_version,
            "candidates": [c["outfall"] for c in r.get("candidates", [])][:20],
            "unexplained_share": r.get("unexplained_share")}


@transaction.atomic
def start_trace(section, parameter: str, at: dt.datetime, *, actor, alert=None, decay_per_day: float | None = None,
                window_h: float | None = None) -> Trace:
    """Trace ``parameter`` at ``section`` at ``at`` (aware time) and store it with its inputs.

    From an alert, the alert moves to "tracing" (``lifecycle.start_tracing``) when its lifecycle and
    the actor's rights allow it; otherwise a note says why it did not. Bad input raises InputError
    with a Chinese-first message (what is missing, what was assumed).
    """
    if not permissions.can_trace(actor):
        raise PermissionDeniedError(f"{actor} may not trace", user_message=_("无权发起溯源"))
    run = run_trace(section, parameter, at, decay_per_day=decay_per_day, window_h=window_h)
    inp, result, notes, param, at = run.inputs, run.result, list(run.notes), run.parameter, run.at
    drawn = explain.series(inp, result, decay_per_day=decay_per_day, dispersion_m2_s=DEFAULT_DISPERSION_M2_S)
    moved = None
    if alert is not None:
        if alert.section_id != section.pk or alert.parameter != param.code:
            raise InputError("alert of another series",
                             user_message=_("该预警不属于此断面和指标"))
        state = AlertState(alert.state)
        if state == AlertState.TRACING:
            moved = None
        elif can_transition(state, AlertState.TRACING) and alert_permissions.can_act(actor, alert):
            moved = True
        else:
            notes.append(f"预警当前为「{state.label}」，状态未改为溯源中 / the alert stays {state.value}")
    row = Trace.objects.create(
        section=section, parameter=param.code, at=at, alert=alert, decay_per_day=decay_per_day, window_h=inp.window_h,
        inputs={**inp.as_dict(), "limit": run.limit, "dispersion_m2_s": DEFAULT_DISPERSION_M2_S}, result=result,
        notes=notes, series=drawn, map=explain.map_data(inp, result, [s["section"] for s in drawn]),
        model_version=model_version(), created_by=actor if getattr(actor, "pk", None) else None)
    row.candidates.set([inp.outfall_info[c["outfall"]].pk for c in result["candidates"]
                        if c["outfall"] in inp.outfall_info])
    record_change(row, action="create", actor=actor, before=None, after=_snapshot(row), related=alert)
    if moved:
        lifecycle.start_tracing(alert, actor=actor, note=f"溯源记录 #{row.pk} / trace #{row.pk}")
    return row


def trace_alert(alert, *, actor, decay_per_day: float | None = None) -> Trace:
    """One click on an alert: trace its parameter at its section at the peak of its episode."""
    if alert.site_kind != "section" or alert.section_id is None:
        raise InputError(f"alert {alert.pk} is an outfall's",
                         user_message=_("排污口的预警无需河道溯源：直接核查该排污口"))
    return start_trace(alert.section, alert.parameter, alert_peak_time(alert), actor=actor, alert=alert,
                       decay_per_day=decay_per_day)


def _task_snapshot(task: VerificationTask) -> dict:
    return {"trace": task.trace_id, "outfall": task.outfall.code,
            "assignee": task.assignee.username if task.assignee_id else None,
            "deadline": task.deadline.isoformat() if task.deadline else None, "state": task.state,
            "result": task.result, "note": task.note, "done_at": task.done_at.isoformat() if task.done_at else None}


@transaction.atomic
def create_task(trace_row: Trace, outfall: Outfall, *, actor, assignee=None, deadline: dt.date | None = None,
                note: str = "") -> VerificationTask:
    """核查任务 for one candidate outfall of a trace, optionally given to ``assignee`` by ``deadline``."""
    if not permissions.can_create_tasks(actor, trace_row):
        raise PermissionDeniedError(f"{actor} may not create tasks",
                                    user_message=_("无权创建核查任务"))
    codes = [c["outfall"] for c in trace_row.result.get("candidates", [])]
    if outfall.code not in codes:
        raise InputError(f"{outfall.code} not a candidate of trace {trace_row.pk}",
                         user_message=_("排污口「%(code)s」不是溯源 #%(n)s 的候选排污口") % {"code": outfall.code, "n": trace_row.pk})
    if assignee is not None and not permissions.can_be_assigned(assignee, outfall):
        raise InputError(f"{assignee} cannot be assigned",
                         user_message=_("「%(user)s」不能核查该排污口（须为局、核查员或该镇街人员）") % {"user": assignee})
    if VerificationTask.objects.filter(trace=trace_row, outfall=outfall, state="open").exists():
        raise InputError("open task exists",
                         user_message=_("排污口「%(code)s」已有未完成的核查任务") % {"code": outfall.code})
    task = VerificationTask.objects.create(trace=trace_row, outfall=outfall, assignee=assignee, deadline=deadline,
                                           note=note.strip(), created_by=actor if getattr(actor, "pk", None) else None)
    record_change(task, action="create", actor=actor, before=None, after=_task_snapshot(task), related=trace_row)
    return task


def _feed_back(task: VerificationTask, *, actor) -> str:
    """Move the trace's alert after a result: confirmed on a discharge; not genuine when every task
    of the trace is done and each found no discharge (an inconclusive result leaves the alert as it
    is). Returns what happened, in words."""
    alert = task.trace.alert
    if alert is None:
        return ""
    state = AlertState(alert.state)
    may = alert_permissions.can_act(actor, alert)
    if task.result == "discharging":
        if not can_transition(state, AlertState.CONFIRMED):
            return _("预警为「%(state)s」，未改变") % {"state": label_of(state)}
        if not may:
            return _("记录人无权处置该预警，请预警负责人确认属实")
        lifecycle.confirm_alert(alert, actor=actor, note=f"核查任务 #{task.pk}：排污口 {task.outfall.code} 存在排放")
        return _("预警已确认属实")
    tasks = list(task.trace.tasks.select_related("outfall").order_by("pk"))
    if any(t.state != "done" for t in tasks) or any(t.result == "discharging" for t in tasks):
        return ""
    if any(t.result != "not_discharging" for t in tasks):
        return _("有核查结果为「无法判断」，预警保持不变，可再派核查任务")
    if not can_transition(state, AlertState.NOT_GENUINE):
        return _("预警为「%(state)s」，未改变") % {"state": label_of(state)}
    if not may:
        return _("记录人无权处置该预警，请预警负责人处理")
    with translation.override(settings.LANGUAGE_CODE):  # the stored reason: Chinese, as the steps
        labels = {k: str(v) for k, v in TASK_RESULTS}
    reason = "核查任务均未发现排放：" + "；".join(f"#{t.pk} {t.outfall.code} {labels.get(t.result, t.result)}"
                                                 for t in tasks)
    lifecycle.mark_not_genuine(alert, actor=actor, reason=reason)
    return _("预警已标记为不属实")


@transaction.atomic
def complete_task(task: VerificationTask, result: str, note: str = "", *, actor) -> VerificationTask:
    """Record the result of an open task: ``discharging``, ``not_discharging`` or ``inconclusive``.

    A discharge confirms the trace's alert and counts as a violation of the outfall in every later
    trace; when all tasks of the trace are done and every one found no discharge, the alert is marked
    not genuine with a reason naming the tasks (an inconclusive result leaves it as it is). ``task.alert_outcome`` says what happened to the alert.
    """
    # Lock the trace first: two results recorded at once must not both miss "every task is done".
    list(Trace.objects.select_for_update().filter(pk=task.trace_id).values_list("pk", flat=True))
    task = (VerificationTask.objects.select_for_update(of=("self",)).select_related("trace__alert", "outfall")
            .get(pk=task.pk))
    if not permissions.can_complete(actor, task):
        raise PermissionDeniedError(f"{actor} may not complete task {task.pk}",
                                    user_message=_("无权记录该核查任务的结果"))
    if task.state == "done":
        raise InputError(f"task {task.pk} done", user_message=_("核查任务 #%(n)s 已完成，结果不能再改") % {"n": task.pk})
    if result not in dict(TASK_RESULTS):
        raise InputError(f"result {result!r}",
                         user_message=_("请选择核查结果：存在排放、未发现排放或无法判断"))
    before = _task_snapshot(task)
    task.result, task.state, task.done_at = result, "done", timezone.now()
    if note.strip():
        task.note = (task.note + "\n" if task.note else "") + note.strip()
    task.save(update_fields=["result", "state", "done_at", "note"])
    record_change(task, action="update", actor=actor, before=before, after=_task_snapshot(task), related=task.trace)
    task.alert_outcome = _feed_back(task, actor=actor)
    return task
