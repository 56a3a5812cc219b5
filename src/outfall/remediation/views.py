"""Remediation pages: the task list (filters: state, measure, town, overdue / due soon), a task with
its timeline, evidence and effect check, and one form per step. Who may do what:
``remediation.permissions``; every change: ``remediation.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from outfall.core.enums import RemediationState
from outfall.core.errors import OutfallError
from outfall.core.remediation import can_transition
from outfall.history.services import history_of
from outfall.remediation import inputs, permissions, selectors, services
from outfall.remediation.forms import EditForm, FilterForm, NoteForm, ProgressForm, ReopenForm, TaskForm
from outfall.remediation.models import Evidence


def _errors(form) -> str:
    return "；".join(f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items())


def task_list(request):
    f = FilterForm(request.GET or None)
    qs = selectors.tasks(request.user)
    d = f.cleaned_data if f.is_valid() else {}
    if d.get("state"):
        qs = qs.filter(state=d["state"])
    if d.get("measure"):
        qs = qs.filter(measure=d["measure"])
    if d.get("town"):
        qs = qs.filter(outfall__town=d["town"])
    if d.get("due"):
        qs = selectors.due_filter(qs, d["due"])
    base = selectors.tasks(request.user)
    return render(request, "remediation/task_list.html", {
        "tasks": selectors.with_due(qs[:500]), "total": qs.count(), "filter": f,
        "overdue": selectors.due_filter(base, "overdue").count(),
        "due_soon": selectors.due_filter(base, "due_soon").count(),
        "can_create": permissions.can_create(request.user)})


def task_detail(request, pk: int):
    task = get_object_or_404(selectors.tasks(request.user), pk=pk)
    (task,) = selectors.with_due([task])
    before_days, after_days = selectors.windows(request.GET)
    section, km, effect = selectors.effect_of(task, before_days=before_days, after_days=after_days)
    control = selectors.control_of(task, before_days=before_days, after_days=after_days)
    u, state = request.user, task.state
    return render(request, "remediation/task_detail.html", {
        "t": task, "updates": task.updates.prefetch_related("evidence"), "section": section, "km": km, "effect": effect, "control": control,
        "history": history_of(task)[:50], "reminders": task.reminders.all(),
        "before_days": int(before_days), "after_days": int(after_days), "state_colour": RemediationState(task.state).colour,
        "may": {"progress": state != "signed_off" and permissions.can_work(u, task),
                "start": can_transition(state, "start") and permissions.can_work(u, task),
                "request_close": can_transition(state, "request_close") and permissions.can_request_close(u, task),
                "sign_off": can_transition(state, "sign_off") and permissions.can_sign_off(u),
                "reopen": can_transition(state, "reopen") and permissions.can_reopen(u),
                "edit": state != "signed_off" and permissions.can_create(u)},
        "progress_form": ProgressForm(), "note_form": NoteForm(), "reopen_form": ReopenForm()})


@require_http_methods(["GET", "POST"])
def task_create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied(_("无权创建整治任务"))
    form = TaskForm(request.POST or None, initial={"outfall": request.GET.get("outfall", "")})
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            outfall = inputs.outfall_by_code(d["outfall"], field="outfall")
            task = services.create_task(outfall, inputs.task_data(d), actor=request.user)
        except OutfallError as exc:
            messages.error(request, exc.user_message)
        else:
            messages.success(request, _("已创建整治任务 #%(n)s") % {"n": task.pk})
            return redirect("remediation:detail", pk=task.pk)
    return render(request, "remediation/task_form.html", {"form": form, "task": None})


@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = get_object_or_404(selectors.tasks(request.user), pk=pk)
    if not permissions.can_create(request.user):
        raise PermissionDenied(_("无权修改整治任务"))
    initial = {"measure": task.measure, "merge_into": task.merge_into.code if task.merge_into_id else "",
               "plan": task.plan, "responsible_party": task.responsible_party.name if task.responsible_party_id else "",
               "department": task.department, "start_date": task.start_date, "deadline": task.deadline,
               "parameter": task.parameter}
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(task, inputs.task_data(form.cleaned_data), actor=request.user)
        except OutfallError as exc:
            messages.error(request, exc.user_message)
        else:
            messages.success(request, _("已保存"))
            return redirect("remediation:detail", pk=task.pk)
    return render(request, "remediation/task_form.html", {"form": form, "task": task})


def _step(request, pk: int, may, run, done: str):
    """One POSTed step: 404 when the task is not visible, 403 when the role may never do it, else the
    service runs and its refusal is shown as a message on the task page."""
    task = get_object_or_404(selectors.tasks(request.user), pk=pk)
    if not may(request.user, task):
        raise PermissionDenied(_("无权执行此操作"))
    try:
        run(task)
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    else:
        messages.success(request, done)
    return redirect("remediation:detail", pk=pk)


@require_POST
def task_progress(request, pk: int):
    form = ProgressForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return _step(request, pk, permissions.can_work,
                 lambda t: services.add_progress(t, text, request.FILES.getlist("files"), actor=request.user),
                 _("已记录整治进展"))


def _note(request) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@require_POST
def task_start(request, pk: int):
    return _step(request, pk, permissions.can_work,
                 lambda t: services.start_task(t, actor=request.user, note=_note(request)), _("已开始整治"))


@require_POST
def task_request_close(request, pk: int):
    return _step(request, pk, permissions.can_request_close,
                 lambda t: services.request_close(t, actor=request.user, note=_note(request),
                                                  files=request.FILES.getlist("files")), _("已申请销号"))


@require_POST
def task_sign_off(request, pk: int):
    return _step(request, pk, lambda u, t: permissions.can_sign_off(u),
                 lambda t: services.sign_off_task(t, actor=request.user, note=_note(request)), _("已销号"))


@require_POST
def task_reopen(request, pk: int):
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(request, pk, lambda u, t: permissions.can_reopen(u),
                 lambda t: services.reopen_task(t, reason, actor=request.user), _("已重新打开"))


def evidence_file(request, pk: int, evidence_id: int):
    task = get_object_or_404(selectors.tasks(request.user), pk=pk)
    ev = get_object_or_404(Evidence.objects.filter(update__task=task), pk=evidence_id)
    resp = FileResponse(ev.file.open("rb"), content_type=ev.content_type, as_attachment=ev.kind == "document",
                        filename=ev.name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
