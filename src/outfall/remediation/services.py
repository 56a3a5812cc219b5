"""Every state change of remediation tasks (STYLE rule 2): create and edit a task, record progress
with evidence, start, request the close-out, sign off (销号), reopen. Each is one transaction with
its history (the outfall is the related object, so the step shows in the outfall's history too),
and the outfall's status follows the task through ``ledger.services.set_outfall_status``.

The rules themselves (which step is allowed, the entry checks, which status the outfall gets) are
``outfall.core.remediation``; who may do what is ``remediation.permissions``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.core.enums import OutfallStatus, RemediationMeasure, RemediationState
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.remediation import (
    OPEN_STATES,
    check_reopen,
    check_sign_off,
    check_task,
    next_state,
    outfall_status_for,
)
from outfall.history.services import actor_name, record_change
from outfall.ledger.models import Outfall
from outfall.ledger.services import set_outfall_status
from outfall.ledger.uploads import check_evidence
from outfall.remediation import permissions
from outfall.remediation.models import Evidence, ProgressUpdate, RemediationTask

#: Fields of a task set at creation and editable until it is signed off.
FIELDS = ("measure", "merge_into", "plan", "responsible_party", "department", "start_date", "deadline", "parameter")
#: An outfall in one of these states cannot get a new task.
_GONE = (OutfallStatus.BANNED.value, OutfallStatus.MERGED.value, OutfallStatus.CANCELLED.value)


def snapshot(task: RemediationTask) -> dict:
    """The JSON-able state of a task, as history stores it (outfalls by code, party by name)."""
    def iso(v):
        return v.isoformat() if v else None
    return {"outfall": task.outfall.code, "measure": task.measure,
            "merge_into": task.merge_into.code if task.merge_into_id else None, "plan": task.plan,
            "responsible_party": task.responsible_party.name if task.responsible_party_id else None,
            "department": task.department, "start_date": iso(task.start_date), "deadline": iso(task.deadline),
            "parameter": task.parameter, "state": task.state, "started_at": iso(task.started_at),
            "close_requested_at": iso(task.close_requested_at), "signed_off_at": iso(task.signed_off_at)}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _deny(actor, what: str, message: str):
    raise PermissionDeniedError(f"{actor} may not {what}", user_message=message)


def _check_fields(outfall: Outfall, d: dict) -> None:
    from outfall.core.standards.parameters import lookup_parameter

    if d.get("measure") not in {m.value for m in RemediationMeasure}:
        raise InputError(f"measure {d.get('measure')!r}", user_message=_("请选择整治措施：依法取缔、清理合并或规范整治 (measure)"))
    if not (d.get("plan") or "").strip():
        raise InputError("no plan", user_message=_("请填写整治方案 (plan)"))
    if not isinstance(d.get("start_date"), dt.date) or not isinstance(d.get("deadline"), dt.date):
        raise InputError("dates", user_message=_("请填写开始日期和整改期限 (start_date, deadline)"))
    target = d.get("merge_into")
    if target is not None:  # its status as stored now, not as the caller last read it
        target = d["merge_into"] = Outfall.objects.get(pk=target.pk)
    check_task(measure=d["measure"], outfall_code=outfall.code, merge_into_code=target.code if target else None,
               merge_into_status=target.status if target else None, start=d["start_date"], deadline=d["deadline"])
    try:
        d["parameter"] = lookup_parameter(d.get("parameter") or "NH3N").code
    except (InputError, KeyError, ValueError) as exc:
        raise InputError(f"parameter {d.get('parameter')!r}",
                         user_message=_("未知的评估指标「%(p)s」(parameter)") % {"p": d.get("parameter")}) from exc


def _entry(task, kind: str, text: str, *, actor, at: dt.datetime) -> ProgressUpdate:
    return ProgressUpdate.objects.create(task=task, kind=kind, text=(text or "").strip(), time=at, actor=_user(actor),
                                         actor_name=actor_name(actor))


def _follow(task: RemediationTask, *, actor) -> None:
    """Give the outfall the status of its task (merged: pointing at the one it joined). The outfall's
    history shows the change next to the task's own record of the step (related to the outfall)."""
    status = outfall_status_for(task.measure, task.state)
    target = task.merge_into_id if status == OutfallStatus.MERGED else None
    if (task.outfall.status, task.outfall.merged_into_id) == (status.value, target):
        return  # already so (a close-out request keeps 整治中)
    set_outfall_status(task.outfall, status.value, actor=actor, check_permission=False,
                       merged_into=task.merge_into if status == OutfallStatus.MERGED else None)


@transaction.atomic
def create_task(outfall: Outfall, data: dict, *, actor, at: dt.datetime | None = None) -> RemediationTask:
    """Set a remediation task on ``outfall`` from cleaned ``data`` (keys of :data:`FIELDS`; outfalls and
    the party as objects). Refused: a second unfinished task on the outfall, an outfall already banned,
    merged or cancelled, and what ``core.remediation.check_task`` refuses. The outfall becomes 待整治."""
    if not permissions.can_create(actor):
        _deny(actor, "create remediation tasks", _("无权创建整治任务"))
    outfall = Outfall.objects.select_for_update().get(pk=outfall.pk)
    if outfall.status in _GONE:
        raise InputError(f"{outfall.code} is {outfall.status}",
                         user_message=_("排污口 %(code)s 为「%(status)s」，不能再设整治任务") % {
                             "code": outfall.code, "status": OutfallStatus(outfall.status).label})
    if RemediationTask.objects.filter(outfall=outfall).exclude(state=RemediationState.SIGNED_OFF.value).exists():
        raise InputError(f"{outfall.code} has an open task",
                         user_message=_("排污口 %(code)s 已有未销号的整治任务") % {"code": outfall.code})
    d = {k: data.get(k) for k in FIELDS}
    _check_fields(outfall, d)
    task = RemediationTask.objects.create(outfall=outfall, **{**d, "plan": d["plan"].strip(),
                                                              "department": (d["department"] or "").strip()},
                                          created_by=_user(actor))
    if at is not None:  # a task entered after the fact (the demo's year)
        RemediationTask.objects.filter(pk=task.pk).update(created_at=at)
    at = at or timezone.now()
    _entry(task, "created", task.plan, actor=actor, at=at)
    record_change(task, action="create", actor=actor, before=None, after=snapshot(task), related=outfall)
    _follow(task, actor=actor)
    return task


def _locked(task: RemediationTask) -> RemediationTask:
    return (RemediationTask.objects.select_for_update(of=("self",))
            .select_related("outfall", "merge_into", "responsible_party").get(pk=task.pk))


@transaction.atomic
def update_task(task: RemediationTask, data: dict, *, actor) -> RemediationTask:
    """Change the plan, party, department, dates, measure or parameter of a task not yet signed off
    (bureau roles). A new deadline may bring new due-soon/overdue reminders."""
    task = _locked(task)
    if not permissions.can_create(actor):
        _deny(actor, "edit remediation tasks", _("无权修改整治任务"))
    if task.state == RemediationState.SIGNED_OFF.value:
        raise InputError("signed off", user_message=_("已销号的任务不能修改，请先重新打开"))
    d = {k: data.get(k, getattr(task, k)) for k in FIELDS}
    _check_fields(task.outfall, d)
    before = snapshot(task)
    for k, v in d.items():
        setattr(task, k, v.strip() if isinstance(v, str) and k in ("plan", "department") else v)
    task.save()
    after = snapshot(task)
    if after != before:
        record_change(task, action="update", actor=actor, before=before, after=after, related=task.outfall)
    return task


def _check_files(files) -> list[tuple]:
    """(upload, kind, content type) of each file, or InputError naming the first refused one."""
    return [(f, *check_evidence(f, max_bytes=settings.MAX_UPLOAD_BYTES)) for f in files]


def _attach(update: ProgressUpdate, checked) -> list[Evidence]:
    out = []
    for f, kind, ctype in checked:
        ev = Evidence(update=update, kind=kind, name=f.name[:200], content_type=ctype, size_bytes=f.size)
        ev.file.save(f.name, f, save=False)
        ev.save()
        out.append(ev)
    return out


def _files_after(evidence: list[Evidence]) -> list[dict]:
    return [{"name": e.name, "kind": e.kind, "file": e.file.name, "size_bytes": e.size_bytes} for e in evidence]


@transaction.atomic
def add_progress(task: RemediationTask, text: str, files=(), *, actor, at: dt.datetime | None = None) -> ProgressUpdate:
    """Record progress (整治进展) with evidence files (photos and documents, checked by content and
    size) on a task not yet signed off. Text or at least one file is required."""
    task = _locked(task)
    if not permissions.can_work(actor, task):
        _deny(actor, "record progress", _("无权记录该整治任务的进展"))
    if RemediationState(task.state) not in OPEN_STATES:
        raise InputError("signed off", user_message=_("任务已销号，不能再记录进展"))
    files = list(files)
    if not (text or "").strip() and not files:
        raise InputError("empty progress", user_message=_("请填写进展内容或上传佐证材料"))
    checked = _check_files(files)
    update = _entry(task, "progress", text, actor=actor, at=at or timezone.now())
    evidence = _attach(update, checked)
    record_change(update, action="create", actor=actor, before=None,
                  after={"task": task.pk, "text": update.text, "evidence": _files_after(evidence)}, related=task,
                  note=update.text)
    return update


def _step(task: RemediationTask, action: str, text: str, *, actor, at, files=()) -> RemediationTask:
    before = snapshot(task)
    task.state = next_state(task.state, action).value
    checked = _check_files(list(files))
    at = at or timezone.now()
    if action == "start":
        task.started_at = at
    elif action == "request_close":
        task.close_requested_at = at
    elif action == "sign_off":
        task.signed_off_at, task.signed_off_by = at, _user(actor)
    elif action == "reopen":
        task.signed_off_at, task.signed_off_by, task.close_requested_at = None, None, None
    task.save()
    update = _entry(task, action, text, actor=actor, at=at)
    evidence = _attach(update, checked)
    after = snapshot(task)
    if evidence:
        after["evidence"] = _files_after(evidence)
    # the step shows as the state's change; the note is the user's own text (stored as written)
    record_change(task, action="update", actor=actor, before=before, after=after, related=task.outfall,
                  note=update.text)
    _follow(task, actor=actor)
    return task


@transaction.atomic
def start_task(task: RemediationTask, *, actor, note: str = "", at: dt.datetime | None = None) -> RemediationTask:
    """开始整治: planned → in progress; the outfall becomes 整治中."""
    task = _locked(task)
    if not permissions.can_work(actor, task):
        _deny(actor, "start", _("无权开始该整治任务"))
    return _step(task, "start", note, actor=actor, at=at)


@transaction.atomic
def request_close(task: RemediationTask, *, actor, note: str = "", files=(),
                  at: dt.datetime | None = None) -> RemediationTask:
    """申请销号 by the town of the outfall or the bureau, optionally with more evidence."""
    task = _locked(task)
    if not permissions.can_request_close(actor, task):
        _deny(actor, "request close-out", _("无权申请该整治任务销号"))
    return _step(task, "request_close", note, actor=actor, at=at, files=files)


@transaction.atomic
def sign_off_task(task: RemediationTask, *, actor, note: str = "", at: dt.datetime | None = None) -> RemediationTask:
    """销号 by a bureau role, only with evidence on the task. The outfall becomes 已取缔 / 已合并 (pointing
    to the one it joined, which must still be able to take it) / 已整治."""
    task = _locked(task)
    if not permissions.can_sign_off(actor):
        _deny(actor, "sign off", _("只有生态环境局人员可以审核销号，镇街账号不能销号"))
    next_state(task.state, "sign_off")  # the state is checked before the evidence
    check_sign_off(Evidence.objects.filter(update__task=task).count())
    if task.merge_into_id:
        target = task.merge_into
        check_task(measure=task.measure, outfall_code=task.outfall.code, merge_into_code=target.code,
                   merge_into_status=target.status, start=task.start_date, deadline=task.deadline)
    return _step(task, "sign_off", note, actor=actor, at=at)


@transaction.atomic
def reopen_task(task: RemediationTask, reason: str, *, actor, at: dt.datetime | None = None) -> RemediationTask:
    """重新打开 with a reason (bureau roles): a requested close-out sent back, or a signed-off task found
    not done; back to in progress, and the outfall to 整治中."""
    task = _locked(task)
    if not permissions.can_reopen(actor):
        _deny(actor, "reopen", _("无权重新打开整治任务"))
    reason = check_reopen(reason)
    return _step(task, "reopen", reason, actor=actor, at=at)
