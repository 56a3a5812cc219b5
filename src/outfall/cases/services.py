"""Every state change of cases (STYLE rule 2): open, assign, note, reply, close (销号), reopen, and
campaigns. Each is one transaction that writes its history; the lifecycle and its refusals are the
core's (``outfall.core.cases.rules``). ``open_case`` is called by other apps (field inspections):
keep its name and signature."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outfall.cases import permissions
from outfall.cases.models import Campaign, Case, CaseNote
from outfall.core.cases import rules
from outfall.core.enums import AlertRule, CaseSource, CaseState, Role
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.history.services import record_change
from outfall.ledger.uploads import check_evidence

#: Fields ``open_case`` takes besides the linked objects.
OPEN_FIELDS = frozenset({"batch", "number", "intake_date", "deadline", "problem_type", "channel", "complainant_name",
                         "complainant_contact", "verification_task", "alert", "campaign"})


def snapshot(case: Case, *, links: bool = False) -> dict:
    """The history form of a case (contacts masked: history is read by every role); with ``links``,
    the linked outfalls and towns too (when opening and assigning, the steps that change them)."""
    out = {"source": case.source, "batch": case.batch, "number": case.number, "title": case.title,
           "problem_type": case.problem_type, "intake_date": _iso(case.intake_date), "deadline": _iso(case.deadline),
           "channel": case.channel, "complainant": rules.mask_name(case.complainant_name),
           "contact": rules.mask_contact(case.complainant_contact), "state": case.state,
           "assigned_town": case.assigned_town.name if case.assigned_town_id else None,
           "assigned_department": case.assigned_department, "assigned_on": _iso(case.assigned_on),
           "reply": case.reply, "replied_on": _iso(case.replied_on), "result": case.result,
           "result_note": case.result_note, "closed_on": _iso(case.closed_on),
           "campaign": case.campaign.name if case.campaign_id else None,
           "verification_task": case.verification_task_id, "alert": case.alert_id}
    if links:
        out["outfalls"] = sorted(case.outfalls.values_list("code", flat=True))
        out["towns"] = sorted(case.towns.values_list("name", flat=True))
    return out


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _refuse(exc: ValueError) -> InputError:
    return InputError(str(exc), user_message=str(exc))


def _today() -> dt.date:
    return timezone.localdate()


def _act_date(case: Case, on: dt.date | None) -> dt.date:
    on = on or _today()
    try:
        rules.check_act_date(on, intake=case.intake_date, today=_today())
    except ValueError as exc:
        raise _refuse(exc) from None
    return on


def deadline_days() -> dict[CaseSource, int]:
    return {CaseSource(k): v for k, v in settings.OUTFALL_CASE_DEADLINE_DAYS.items()}


def next_number(source: CaseSource, year: int) -> str:
    """The next free number of ``source`` in ``year`` for a case opened without one: 2026-XF-0001."""
    prefix = {CaseSource.COMPLAINT: "XF", CaseSource.CAMPAIGN: "ZX", CaseSource.TRACE_TASK: "HC",
              CaseSource.ALERT: "YJ", CaseSource.FIELD: "XC", CaseSource.CENTRAL_INSPECTION: "ZY",
              CaseSource.PROVINCIAL_INSPECTION: "SJ"}[source]
    stem = f"{year}-{prefix}-"
    taken = Case.objects.filter(source=source.value, number__startswith=stem).values_list("number", flat=True)
    last = max((int(n[len(stem):]) for n in taken if n[len(stem):].isdigit()), default=0)
    return f"{stem}{last + 1:04d}"


@transaction.atomic
def open_case(*, actor, source, title, description="", outfalls=(), sections=(), towns=(), **fields) -> Case:
    """受理: open a case of ``source`` (a :class:`CaseSource` or its value).

    ``fields``: batch, number (generated when empty: ``YYYY-XF-0001``), intake_date (default today),
    deadline (default intake + ``OUTFALL_CASE_DEADLINE_DAYS`` of the source; before intake is refused),
    problem_type, channel, complainant_name, complainant_contact, verification_task, alert, campaign.
    The towns of the linked outfalls and sections are linked too; town staff's own town always is.
    A number already used by the source is refused.
    """
    if not permissions.can_open(actor):
        raise PermissionDeniedError(f"{actor} may not open cases", user_message=_("无权登记案件"))
    unknown = set(fields) - OPEN_FIELDS
    if unknown:
        raise TypeError(f"open_case: unknown fields {sorted(unknown)}")
    try:
        source = CaseSource(source)
    except ValueError:
        raise InputError(f"source {source!r}", user_message=_("未知案件来源「%(s)s」") % {"s": source}) from None
    title = (title or "").strip()
    if not title:
        raise InputError("no title", user_message=_("请填写案件标题"))
    intake = fields.pop("intake_date", None) or _today()
    deadline = fields.pop("deadline", None) or rules.default_deadline(source, intake, deadline_days())
    try:
        rules.check_deadline(intake, deadline)
    except ValueError as exc:
        raise _refuse(exc) from None
    number = (fields.pop("number", "") or "").strip() or next_number(source, intake.year)
    if Case.objects.filter(source=source.value, number=number).exists():
        raise InputError(f"case number {number} taken", user_message=_("%(source)s编号「%(n)s」已存在，未重复登记") % {
            "source": source.label, "n": number})
    if fields.get("channel") and source != CaseSource.COMPLAINT:
        raise InputError("channel without complaint", user_message=_("信访渠道只用于信访案件"))
    if fields.get("campaign") is not None and source != CaseSource.CAMPAIGN:
        raise InputError("campaign of another source", user_message=_("专项执法检查只用于专项执法检查发现问题"))
    case = Case.objects.create(source=source.value, title=title[:200], description=description.strip(),
                               intake_date=intake, deadline=deadline, number=number,
                               created_by=actor if getattr(actor, "pk", None) else None,
                               **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()})
    outfalls, sections = list(outfalls), list(sections)
    town_ids = {getattr(t, "pk", t) for t in towns}
    town_ids |= {o.town_id for o in outfalls if o.town_id} | {s.town_id for s in sections if s.town_id}
    if actor is not None and getattr(actor, "role_enum", None) == Role.TOWN and actor.town_id:
        town_ids.add(actor.town_id)
    for manager, objs in ((case.outfalls, outfalls), (case.sections, sections), (case.towns, town_ids)):
        if objs:  # a new case links nothing yet: add only what there is
            manager.add(*objs)
    related = case.verification_task or case.alert or case.campaign
    record_change(case, action="create", actor=actor, before=None, after=snapshot(case, links=True), related=related)
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("assigned_town", "campaign").get(pk=case.pk)


def _move(case: Case, to: CaseState, **kw) -> None:
    try:
        rules.check_transition(CaseState(case.state), to, **kw)
    except ValueError as exc:
        raise _refuse(exc) from None


@transaction.atomic
def assign_case(case: Case, *, actor, town=None, department: str = "", note: str = "",
                on: dt.date | None = None) -> Case:
    """交办: give the case to a town and/or a department (again: a reassignment); the town is linked."""
    case = _locked(case)
    if not permissions.can_assign(actor, case):
        raise PermissionDeniedError(f"{actor} may not assign", user_message=_("无权交办案件"))
    department = (department or "").strip()
    if town is None and not department:
        raise InputError("no assignee", user_message=_("请选择承办镇街或填写承办部门"))
    _move(case, CaseState.ASSIGNED)
    before = snapshot(case, links=town is not None)
    case.assigned_town, case.assigned_department = town, department[:100]
    case.assigned_on, case.state = _act_date(case, on), CaseState.ASSIGNED.value
    case.save()
    if town is not None:
        case.towns.add(town)
    record_change(case, action="update", actor=actor, before=before, after=snapshot(case, links=town is not None),
                  note=note.strip()[:500])
    return case


@transaction.atomic
def add_note(case: Case, text: str, *, actor, file=None) -> CaseNote:
    """办理记录: a handling note, optionally with an evidence file (photo, PDF, Word, Excel: checked by
    content and size). The first note of an assigned case starts it (办理中)."""
    case = _locked(case)
    if not permissions.can_note(actor, case):
        raise PermissionDeniedError(f"{actor} may not note", user_message=_("无权记录该案件的办理情况"))
    text = (text or "").strip()
    if not text:
        raise InputError("empty note", user_message=_("请填写办理情况"))
    try:
        to = rules.state_after_note(CaseState(case.state))
    except ValueError as exc:
        raise _refuse(exc) from None
    ctype = check_evidence(file, max_bytes=settings.MAX_UPLOAD_BYTES)[1] if file is not None else ""
    before = snapshot(case)
    if to.value != case.state:  # the step first, then the note that made it: the timeline reads in order
        case.state = to.value
        case.save(update_fields=["state", "updated_at"])
        record_change(case, action="update", actor=actor, before=before, after=snapshot(case))
    note = CaseNote(case=case, text=text, author=actor if getattr(actor, "pk", None) else None,
                    author_name=_author(actor), content_type=ctype, file_name=(file.name[:200] if file else ""))
    if file is not None:
        note.file.save(file.name, file, save=False)
    note.save()
    record_change(note, action="create", actor=actor, before=None,
                  after={"text": text, "file": note.file_name or None}, related=case)
    return note


def _author(actor) -> str:
    from outfall.history.services import actor_name

    return actor_name(actor)


@transaction.atomic
def reply_case(case: Case, reply: str, *, actor, on: dt.date | None = None) -> Case:
    """答复: the answer given to the complainant or the inspection office."""
    case = _locked(case)
    if not permissions.can_reply(actor, case):
        raise PermissionDeniedError(f"{actor} may not reply", user_message=_("无权答复该案件"))
    reply = (reply or "").strip()
    if not reply:
        raise InputError("empty reply", user_message=_("请填写答复内容"))
    _move(case, CaseState.REPLIED)
    before = snapshot(case)
    case.reply, case.replied_on, case.state = reply, _act_date(case, on), CaseState.REPLIED.value
    case.save()
    record_change(case, action="update", actor=actor, before=before, after=snapshot(case))
    return case


@transaction.atomic
def close_case(case: Case, result: str, *, actor, note: str = "", on: dt.date | None = None) -> Case:
    """办结/销号: close a replied case with its result (bureau roles only)."""
    case = _locked(case)
    if not permissions.can_close(actor, case):
        raise PermissionDeniedError(f"{actor} may not close", user_message=_("销号须由局机关人员办理，镇街账号无权销号"))
    _move(case, CaseState.CLOSED, result=result)
    before = snapshot(case)
    case.result, case.result_note = result, (note or "").strip()
    case.closed_on, case.state = _act_date(case, on), CaseState.CLOSED.value
    case.save()
    record_change(case, action="update", actor=actor, before=before, after=snapshot(case), note=case.result_note[:500])
    return case


@transaction.atomic
def reopen_case(case: Case, reason: str, *, actor) -> Case:
    """重新办理: take a replied or closed case back to handling, with a reason (bureau roles only).
    The reply, result and close date are cleared (history keeps them): a new reply is owed."""
    case = _locked(case)
    if not permissions.can_close(actor, case):
        raise PermissionDeniedError(f"{actor} may not reopen", user_message=_("无权重新办理该案件"))
    _move(case, CaseState.HANDLING, reason=reason or "")
    before = snapshot(case)
    case.state, case.result, case.result_note, case.closed_on = CaseState.HANDLING.value, "", "", None
    case.reply, case.replied_on = "", None
    case.save()
    record_change(case, action="update", actor=actor, before=before, after=snapshot(case), note=reason.strip()[:500])
    return case


def open_case_from_task(task, *, actor, intake_date: dt.date | None = None) -> Case:
    """A case (溯源核查) from a verification task: its outfall, the trace's section, the task's result."""
    existing = Case.objects.filter(verification_task=task).first()
    if existing is not None:
        raise InputError(f"task {task.pk} has case {existing.pk}", user_message=_(
            "核查任务 #%(t)s 已登记为案件 %(n)s") % {"t": task.pk, "n": existing.number})
    outfall = task.outfall
    with translation.override(settings.LANGUAGE_CODE):  # stored text: Chinese, as the other notes
        result = str(task.get_result_display()) if task.result else "待核查"
    return open_case(actor=actor, source=CaseSource.TRACE_TASK, title=f"溯源核查：{outfall.code} {outfall.name}"[:200],
                     description=f"核查任务 #{task.pk}（溯源 #{task.trace_id}）结果：{result}\n{task.note}".strip(),
                     outfalls=[outfall], sections=[task.trace.section], verification_task=task,
                     intake_date=intake_date)


def open_case_from_alert(alert, *, actor, intake_date: dt.date | None = None) -> Case:
    """A case (预警) from an alert: its section or outfall, its town, its explanation."""
    existing = Case.objects.filter(alert=alert).first()
    if existing is not None:
        raise InputError(f"alert {alert.pk} has case {existing.pk}", user_message=_(
            "预警 #%(a)s 已登记为案件 %(n)s") % {"a": alert.pk, "n": existing.number})
    return open_case(actor=actor, source=CaseSource.ALERT,
                     title=f"预警 #{alert.pk}：{alert.site_code} {alert.parameter} {AlertRule(alert.rule).label}"[:200],
                     description=alert.explanation_zh, outfalls=[alert.outfall] if alert.outfall_id else [],
                     sections=[alert.section] if alert.section_id else [],
                     towns=[alert.town] if alert.town_id else [], alert=alert, intake_date=intake_date)


@transaction.atomic
def create_campaign(*, actor, name: str, year: int, start_date=None, end_date=None, description: str = "") -> Campaign:
    """A new enforcement campaign (专项执法检查)."""
    if not permissions.can_manage_campaigns(actor):
        raise PermissionDeniedError(f"{actor} may not create campaigns", user_message=_("无权新建专项执法检查"))
    name = (name or "").strip()
    if not name:
        raise InputError("no name", user_message=_("请填写专项执法检查名称"))
    if Campaign.objects.filter(name=name).exists():
        raise InputError(f"campaign {name} exists", user_message=_("专项执法检查「%(n)s」已存在") % {"n": name})
    if start_date and end_date and end_date < start_date:
        raise InputError("end before start", user_message=_("结束日期早于开始日期"))
    c = Campaign.objects.create(name=name[:100], year=year, start_date=start_date, end_date=end_date,
                                description=(description or "").strip())
    record_change(c, action="create", actor=actor, before=None,
                  after={"name": c.name, "year": c.year, "start_date": _iso(start_date), "end_date": _iso(end_date)})
    return c
