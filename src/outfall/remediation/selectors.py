"""Read queries of remediation tasks used by more than one view: the visible tasks with what the
lists show, the due filters (the database form of ``core.remediation.due_status``), the receiving
section of an outfall and the effect check of a signed-off task."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from outfall.core.enums import RemediationState
from outfall.core.errors import OutfallError
from outfall.core.remediation import DUE_STATES, due_status
from outfall.core.remediation.effect import WINDOW_DAYS, EffectResult, effect_check
from outfall.monitoring.models import Section, SectionReading
from outfall.remediation import permissions
from outfall.remediation.models import RemediationTask

#: Sites read per page while walking downstream for the first section.
_PAGE = 50


def today() -> dt.date:
    return timezone.localdate()


def due_soon_days() -> int:
    return int(settings.OUTFALL_REMEDIATION_DUE_SOON_DAYS)


def tasks(user):
    """The tasks ``user`` may see, with the outfall, its town and the merge target."""
    qs = RemediationTask.objects.select_related("outfall__town", "merge_into", "responsible_party")
    return permissions.visible_tasks(qs, user)


def due_filter(qs, which: str, *, on: dt.date | None = None):
    """``overdue`` or ``due_soon`` tasks of ``qs`` on day ``on`` (default today), as ``due_status``
    decides them: work still open, deadline passed / within the due-soon days."""
    on = on or today()
    qs = qs.filter(state__in=[s.value for s in DUE_STATES])
    if which == "overdue":
        return qs.filter(deadline__lt=on)
    if which == "due_soon":
        return qs.filter(deadline__gte=on, deadline__lte=on + dt.timedelta(days=due_soon_days()))
    return qs


def with_due(rows, *, on: dt.date | None = None) -> list:
    """The tasks with ``due`` set to "overdue" / "due_soon" / None (the core's rule)."""
    on, days = on or today(), due_soon_days()
    rows = list(rows)
    for t in rows:
        t.due = due_status(t.state, t.deadline, on, due_soon_days=days)
    return rows


def downstream_section(outfall, *, mode: str = "DM") -> tuple[Section, float] | None:
    """(section, km along the river) of the first monitoring section downstream of ``outfall`` on the
    main downstream path (navigation mode DM from its snap, ``rivers.navigation``; ``mode="UT"``: the
    nearest one upstream, tributaries included); None when the outfall is not on the network or no
    section lies that way."""
    from outfall.rivers.navigation import navigate_from, sites_along

    try:
        net, _desc, steps = navigate_from(outfall.code, mode=mode)
        offset = 0
        while True:
            page, more = sites_along(net, steps, outfall.code, mode=mode, offset=offset, limit=_PAGE)
            hit = next((s for s in page if s.kind == "section"), None)
            if hit is not None:
                return Section.objects.get(pk=hit.pk), round(hit.distance_km, 2)
            if not more:
                return None
            offset += _PAGE
    except OutfallError:
        return None


def windows(params) -> tuple[float, float]:
    """(before_days, after_days) from a query string's ``before_days`` / ``after_days`` (whole days,
    1–730; default ``WINDOW_DAYS`` each; anything else falls back to the default)."""
    out = []
    for name in ("before_days", "after_days"):
        raw = str(params.get(name) or "")
        out.append(float(raw) if raw.isdigit() and 1 <= int(raw) <= 730 else WINDOW_DAYS)
    return out[0], out[1]


def effect_of(task: RemediationTask, *, before_days: float = WINDOW_DAYS, after_days: float = WINDOW_DAYS,
              section: Section | None = None) -> tuple[Section | None, float | None, EffectResult | None]:
    """(section, km, result) of the effect check of a signed-off task: the task's parameter at the
    first section downstream, sample readings not marked invalid, ``WINDOW_DAYS`` before the work started
    (or the task was set, if it never had a start) and as long after the sign-off. Not signed off:
    (section, km, None)."""
    km = None
    if section is None:
        found = downstream_section(task.outfall)
        if found is None:
            return None, None, None
        section, km = found
    if task.state != RemediationState.SIGNED_OFF.value or task.signed_off_at is None:
        return section, km, None
    started = task.started_at or task.created_at
    lo = started - dt.timedelta(days=before_days)
    hi = task.signed_off_at + dt.timedelta(days=after_days)
    rows = (SectionReading.objects.filter(section=section, parameter=task.parameter, basis="sample",
                                          time__gte=lo, time__lt=hi)
            .exclude(qc_flag="invalid").values_list("time", "value", "qualifier", "detection_limit"))
    return section, km, effect_check(rows, parameter=task.parameter, started=started, signed_off=task.signed_off_at,
                                     before_days=before_days, after_days=after_days)


def _latest_reading(parameters: set[str]):
    """The time of the latest section reading of any of ``parameters`` (one index lookup per section
    and parameter, on the readings' unique key), None without any."""
    times = [SectionReading.objects.filter(section_id=s, parameter=p).order_by("-time").values_list("time", flat=True)
             .first() for s in Section.objects.values_list("pk", flat=True) for p in sorted(parameters)]
    return max((t for t in times if t is not None), default=None)


def control_of(task: RemediationTask, *, before_days: float = WINDOW_DAYS, after_days: float = WINDOW_DAYS):
    """(section, km, result) of the same check at the first section upstream of the outfall, a control
    the outfall cannot affect: when it "improved" as much, the improvement below may be the season or
    the flow, not the remediation. None when there is no section upstream or the task is not signed off."""
    if task.state != RemediationState.SIGNED_OFF.value:
        return None
    found = downstream_section(task.outfall, mode="UT")
    if found is None:
        return None
    section, km, result = effect_of(task, before_days=before_days, after_days=after_days, section=found[0])
    return section, found[1], result


def not_improved(qs) -> list[tuple[RemediationTask, Section, EffectResult]]:
    """The signed-off tasks of ``qs`` whose receiving section did not improve ("signed off but the
    river did not improve"), oldest sign-off first."""
    out = []
    signed = qs.filter(state=RemediationState.SIGNED_OFF.value)
    latest = _latest_reading(set(signed.values_list("parameter", flat=True)))
    if latest is None:
        return out
    # a task signed off after the latest section reading has no "after" readings: not enough data
    for task in signed.filter(signed_off_at__lte=latest).order_by("signed_off_at", "pk"):
        section, _km, result = effect_of(task)
        if result is not None and result.verdict == "not_improved":
            out.append((task, section, result))
    return out


def open_by_outfall() -> dict[int, int]:
    """Outfall pk → number of its remediation tasks not yet signed off (a known, unremedied problem):
    counted with its past violations by the tracer's history prior (issue #10, "open remediation")."""
    from django.db.models import Count

    return dict(RemediationTask.objects.exclude(state=RemediationState.SIGNED_OFF.value).values("outfall_id")
                .annotate(n=Count("id")).values_list("outfall_id", "n"))
