"""Case pages: the list (filters, overdue and due-soon highlighted), a case (its timeline and a form
per allowed step), opening a case (also from an alert or a verification task), evidence files,
campaigns, and the workbook import and export. Who may do what: ``cases.permissions``; every
change: ``cases.services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from outfall.accounts.labels import label_of
from outfall.accounts.models import Town
from outfall.alerts import permissions as alert_permissions
from outfall.alerts.models import Alert
from outfall.cases import permissions, reporting, selectors, services
from outfall.cases.excel import XLSX, export_cases, import_cases
from outfall.cases.forms import (
    AssignForm,
    CampaignForm,
    CaseForm,
    CloseForm,
    ImportForm,
    NoteForm,
    ReopenForm,
    ReplyForm,
)
from outfall.cases.models import Campaign, Case, CaseNote
from outfall.core.cases import rules
from outfall.core.cases.columns import parse_list
from outfall.core.enums import CaseSource, CaseState
from outfall.core.errors import InputError, OutfallError, PermissionDeniedError
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section
from outfall.traces import permissions as trace_permissions
from outfall.traces.models import VerificationTask


def _options(enum_cls) -> list[dict]:
    return [{"value": m.value, "label": label_of(m)} for m in enum_cls]


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def case_list(request):
    qs = selectors.filtered(selectors.cases_for(request.user), request.GET)
    page = Paginator(qs.order_by("-intake_date", "-id"), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for c in page:
        c.flag = selectors.deadline_flag(c, today)
    params = request.GET.copy()
    params.pop("page", None)
    years = selectors.years()
    year = _number(request.GET.get("year"))
    year = year if year is not None and 1 <= year <= 9998 else (years[0] if years else None)
    town = _number(request.GET.get("town"))
    rates = reporting.summary(user=request.user, town_id=town, start=dt.date(year, 1, 1),
                              end=dt.date(year + 1, 1, 1)).rates if year else []
    return render(request, "cases/case_list.html", {"rates": rates, "rates_year": year,
        "page": page, "count": qs.count(), "f": request.GET, "query": params.urlencode(),
        "sources": _options(CaseSource), "states": _options(CaseState), "towns": Town.objects.all(),
        "years": years, "campaigns": Campaign.objects.all(), "can_open": permissions.can_open(request.user),
        "can_import": permissions.can_import(request.user)})


def _case(request, pk: int) -> Case:
    return get_object_or_404(selectors.cases_for(request.user).select_related("verification_task", "alert"), pk=pk)


def case_detail(request, pk: int):
    case = _case(request, pk)
    if request.GET.get("contact") == "full" and not permissions.can_see_contact(request.user):
        raise PermissionDeniedError("refused", user_message=_("信访人姓名和联系方式仅局机关人员可见，您的角色无权查看完整信息"))
    u, state = request.user, CaseState(case.state)
    nxt = set(rules.allowed_next(state))
    return render(request, "cases/case_detail.html", {
        "c": case, "flag": selectors.deadline_flag(case), "contact": selectors.contact_of(case, u),
        "timeline": selectors.timeline(case), "outfalls": case.outfalls.select_related("town"),
        "sections": case.sections.all(), "towns": case.towns.all(),
        "can_assign": CaseState.ASSIGNED in nxt and permissions.can_assign(u, case),
        "can_note": state not in (CaseState.INTAKE, CaseState.CLOSED) and permissions.can_note(u, case),
        "can_reply": CaseState.REPLIED in nxt and permissions.can_reply(u, case),
        "can_close": CaseState.CLOSED in nxt and permissions.can_close(u, case),
        "can_reopen": state in (CaseState.REPLIED, CaseState.CLOSED) and permissions.can_close(u, case),
        "assign_form": AssignForm(initial={"town": case.assigned_town_id, "department": case.assigned_department}),
        "note_form": NoteForm(), "reply_form": ReplyForm(), "close_form": CloseForm(), "reopen_form": ReopenForm()})


def _errors(form) -> str:
    return "；".join(f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items())


def _step(request, pk: int, form_class, may, act, done: str):
    """One step of a case from its form: permission first (403), then the form, then the service."""
    case = _case(request, pk)
    if not may(request.user, case):
        raise PermissionDeniedError("refused", user_message=_("无权办理此步骤"))
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("cases:detail", pk=pk)
    try:
        act(case, form.cleaned_data)
        messages.success(request, done)
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    return redirect("cases:detail", pk=pk)


@require_POST
def case_assign(request, pk: int):
    return _step(request, pk, AssignForm, permissions.can_assign, lambda c, d: services.assign_case(
        c, actor=request.user, town=d["town"], department=d["department"], note=d["note"]), _("已交办"))


@require_POST
def case_note(request, pk: int):
    return _step(request, pk, NoteForm, permissions.can_note, lambda c, d: services.add_note(
        c, d["text"], actor=request.user, file=d["file"]), _("已记录办理情况"))


@require_POST
def case_reply(request, pk: int):
    return _step(request, pk, ReplyForm, permissions.can_reply, lambda c, d: services.reply_case(
        c, d["reply"], actor=request.user, on=d["on"]), _("已答复"))


@require_POST
def case_close(request, pk: int):
    return _step(request, pk, CloseForm, permissions.can_close, lambda c, d: services.close_case(
        c, d["result"], actor=request.user, note=d["note"], on=d["on"]), _("已办结销号"))


@require_POST
def case_reopen(request, pk: int):
    return _step(request, pk, ReopenForm, permissions.can_close, lambda c, d: services.reopen_case(
        c, d["reason"], actor=request.user), _("已重新办理"))


def _by_codes(model, text: str, missing_message: str) -> list:
    codes = parse_list(text)
    found = list(model.objects.filter(code__in=codes))
    missing = [c for c in codes if c not in {o.code for o in found}]
    if missing:
        raise InputError(f"unknown {model.__name__}: {missing}", user_message=missing_message % {"c": "、".join(missing)})
    return found


@require_http_methods(["GET", "POST"])
def case_create(request):
    if not permissions.can_open(request.user):
        raise PermissionDeniedError("refused", user_message=_("无权登记案件"))
    form = CaseForm(request.POST or None, initial={"source": request.GET.get("source", CaseSource.COMPLAINT.value)})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            outfalls = _by_codes(Outfall, d.pop("outfalls"), _("排污口编码不存在: %(c)s"))
            sections = _by_codes(Section, d.pop("sections"), _("断面编码不存在: %(c)s"))
            fields = {k: v for k, v in d.items() if k not in ("source", "title", "description", "towns") and v}
            case = services.open_case(actor=request.user, source=d["source"], title=d["title"],
                                      description=d["description"], outfalls=outfalls, sections=sections,
                                      towns=d["towns"], **fields)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, _("已受理案件 %(n)s") % {"n": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


def _opened(request, func, back, town_id):
    if not permissions.can_open_for_town(request.user, town_id):
        raise PermissionDeniedError("refused", user_message=_("无权登记案件"))
    try:
        case = func()
    except OutfallError as exc:
        messages.error(request, exc.user_message)
        return back
    messages.success(request, _("已受理案件 %(n)s") % {"n": case.number})
    return redirect("cases:detail", pk=case.pk)


@require_POST
def case_from_task(request, pk: int):
    task = get_object_or_404(trace_permissions.visible_tasks(VerificationTask.objects.select_related("outfall"),
                                                             request.user), pk=pk)
    return _opened(request, lambda: services.open_case_from_task(task, actor=request.user),
                   redirect("traces:task-detail", pk=pk), task.outfall.town_id)


@require_POST
def case_from_alert(request, pk: int):
    alert = get_object_or_404(alert_permissions.visible(Alert.objects.all(), request.user), pk=pk)
    return _opened(request, lambda: services.open_case_from_alert(alert, actor=request.user),
                   redirect("alerts:detail", pk=pk), alert.town_id)


def note_file(request, pk: int):
    note = get_object_or_404(CaseNote.objects.select_related("case"), pk=pk)
    if not selectors.cases_for(request.user).filter(pk=note.case_id).exists() or not note.file:
        raise Http404
    return FileResponse(note.file.open("rb"), content_type=note.content_type or "application/octet-stream",
                        as_attachment=True, filename=note.file_name or "evidence")


@require_http_methods(["GET", "POST"])
def campaign_list(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        if not permissions.can_manage_campaigns(request.user):
            raise PermissionDeniedError("refused", user_message=_("无权新建专项执法检查"))
        if form.is_valid():
            try:
                services.create_campaign(actor=request.user, **form.cleaned_data)
                messages.success(request, _("已新建专项执法检查"))
                return redirect("cases:campaigns")
            except OutfallError as exc:
                form.add_error(None, exc.user_message)
    return render(request, "cases/campaigns.html", {
        "campaigns": selectors.campaign_rows(request.user), "form": form,
        "can_create": permissions.can_manage_campaigns(request.user)})


@require_http_methods(["GET", "POST"])
def case_import(request):
    if not permissions.can_import(request.user):
        raise PermissionDeniedError("refused", user_message=_("无权导入案件"))
    form, ctx = ImportForm(request.POST or None, request.FILES or None), {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry = request.POST.get("dry_run") == "1"
        try:
            ctx["result"] = import_cases(upload.read(), actor=request.user, name=upload.name, dry_run=dry)
            ctx["errors"] = ctx["result"].errors
        except OutfallError as exc:
            ctx["fatal"], ctx["errors"] = exc.user_message, getattr(exc, "errors", [])
    return render(request, "cases/import.html", {"form": form, **ctx})


def case_export(request):
    qs = selectors.filtered(selectors.cases_for(request.user), request.GET)
    resp = HttpResponse(export_cases(qs, user=request.user), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="cases-{timezone.localdate():%Y%m%d}.xlsx"'
    return resp
