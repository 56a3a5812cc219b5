"""Read queries of the case pages, API, exports and reports: filters, the deadline flag, masking."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from outfall.cases import permissions
from outfall.cases.models import Case
from outfall.core.cases import rules
from outfall.core.enums import CaseSource, CaseState

OPEN = [s.value for s in rules.OPEN_STATES]


def cases_for(user):
    return permissions.visible(Case.objects.select_related("assigned_town", "campaign"), user)


def filtered(qs, params):
    """Filter by ``source``, ``state``, ``town`` (id), ``year`` (of intake), ``campaign`` (id),
    ``overdue`` (``1``: overdue, ``soon``: due soon) and ``q`` (number or title); bad values match nothing."""
    p = {k: (params.get(k) or "").strip() for k in ("source", "state", "town", "year", "campaign", "overdue", "q")}
    if p["source"]:
        qs = qs.filter(source=p["source"])
    if p["state"]:
        qs = qs.filter(state=p["state"])
    for key, _field in (("town", "town"), ("year", "year"), ("campaign", "campaign")):
        if p[key] and not (p[key].isascii() and p[key].isdigit() and len(p[key]) <= 12):
            return qs.none()
    if p["year"] and not 1 <= int(p["year"]) <= 9999:  # a date has no other year
        return qs.none()
    if p["town"]:
        qs = qs.filter(pk__in=Case.objects.filter(Q(assigned_town_id=p["town"]) | Q(towns__id=p["town"])).values("pk"))
    if p["year"]:
        qs = qs.filter(intake_date__year=int(p["year"]))
    if p["campaign"]:
        qs = qs.filter(campaign_id=p["campaign"])
    today = timezone.localdate()
    if p["overdue"] == "1":
        qs = qs.filter(state__in=OPEN, deadline__lt=today)
    elif p["overdue"] == "soon":
        qs = qs.filter(state__in=OPEN, deadline__gte=today,
                       deadline__lte=today + dt.timedelta(days=settings.OUTFALL_CASE_DUE_SOON_DAYS))
    if p["q"]:
        qs = qs.filter(Q(number__icontains=p["q"]) | Q(title__icontains=p["q"]))
    return qs


def deadline_flag(case: Case, today: dt.date | None = None) -> str:
    """``overdue`` (超期), ``due_soon`` (即将到期) or "" for a case, as of ``today``."""
    today = today or timezone.localdate()
    done = rules.settled(case.replied_on, case.closed_on)
    if rules.is_overdue(case.deadline, done, today):
        return "overdue"
    if rules.is_due_soon(case.deadline, done, today, within_days=settings.OUTFALL_CASE_DUE_SOON_DAYS):
        return "due_soon"
    return ""


def contact_of(case: Case, user) -> dict:
    """The complainant's name and contact as ``user`` may see them (masked unless a bureau role)."""
    if permissions.can_see_contact(user):
        return {"name": case.complainant_name, "contact": case.complainant_contact, "masked": False}
    return {"name": rules.mask_name(case.complainant_name), "contact": rules.mask_contact(case.complainant_contact),
            "masked": True}


def years() -> list[int]:
    return sorted({d.year for d in Case.objects.dates("intake_date", "year")}, reverse=True)


def sources() -> list[CaseSource]:
    return list(CaseSource)


def states() -> list[CaseState]:
    return list(CaseState)


def timeline(case: Case) -> list[dict]:
    """The case's history, oldest first, in words: each step (受理, 已交办 → 镇街, 办理记录, 已答复,
    已办结, 重新办理) with its time, actor and what changed."""
    from outfall.history.services import history_of

    notes = {str(n.pk): n for n in case.notes.all()}
    out = []
    for rec in history_of(case).order_by("time", "id"):
        before, after = rec.before or {}, rec.after or {}
        item = {"time": rec.time, "actor": rec.actor_name, "note": rec.note, "state": after.get("state"), "text": "",
                "file_note": None, "on": None}
        if rec.target_type.model == "casenote":
            item.update(kind="note", text=after.get("text", ""), file_note=notes.get(rec.target_id))
        elif before == {}:
            item.update(kind="create", on=after.get("intake_date"))
        elif before.get("state") != after.get("state"):
            item.update(kind="state", frm=before.get("state"))
            item["on"] = {CaseState.ASSIGNED.value: after.get("assigned_on"), CaseState.REPLIED.value:
                          after.get("replied_on"), CaseState.CLOSED.value: after.get("closed_on")}.get(after.get("state"))
            if after.get("state") == CaseState.ASSIGNED.value:
                item["text"] = " · ".join(x for x in (after.get("assigned_town"), after.get("assigned_department")) if x)
            elif after.get("state") == CaseState.REPLIED.value:
                item["text"] = after.get("reply", "")
            elif after.get("state") == CaseState.CLOSED.value:
                item["text"] = after.get("result_note", "")
                item["result"] = after.get("result")
        else:
            item.update(kind="update", text=" · ".join(x for x in (after.get("assigned_town"),
                                                                    after.get("assigned_department")) if x))
        out.append(item)
    return out


def campaign_rows(user) -> list[dict]:
    """Each campaign with the findings ``user`` may see and how many of them are closed."""
    from django.db.models import Count

    from outfall.cases.models import Campaign

    visible = permissions.visible(Case.objects.all(), user)
    counts = {r["campaign"]: r for r in visible.filter(campaign__isnull=False).values("campaign").annotate(
        n=Count("id"), closed=Count("id", filter=Q(state=CaseState.CLOSED.value)))}
    return [{"c": c, "n": counts.get(c.pk, {}).get("n", 0), "closed": counts.get(c.pk, {}).get("closed", 0)}
            for c in Campaign.objects.all()]


def substantiated_by_outfall() -> dict[int, int]:
    """Outfall pk → number of closed cases naming it whose finding was substantiated (rectified, or
    partly substantiated and rectified): its past violations for the tracer's history prior."""
    from django.db.models import Count

    from outfall.core.enums import CaseResult

    return dict(Case.objects.filter(state=CaseState.CLOSED.value,
                                    result__in=[CaseResult.RECTIFIED.value, CaseResult.PARTLY.value])
                .values("outfalls").exclude(outfalls=None).annotate(n=Count("id")).values_list("outfalls", "n"))
