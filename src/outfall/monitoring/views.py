"""Section pages: the list with each section's latest class against its target, the section page
with charts (class bands, target line), monthly / yearly assessments, its place on the river network
and its history, and the section form (create, edit, move) for admins and bureau staff."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outfall.accounts import permissions
from outfall.core.enums import WaterClass
from outfall.core.errors import OutfallError, PermissionDeniedError
from outfall.core.standards.parameters import registry
from outfall.history.services import history_of
from outfall.monitoring import selectors, services
from outfall.monitoring.charts import CHART_BUCKETS, chart_title, series_figure
from outfall.monitoring.forms import SectionForm
from outfall.monitoring.models import Section
from outfall.monitoring.panels import render_panels
from outfall.monitoring.series import RangeError, chart_series, parse_range
from outfall.monitoring.templatetags.waterclass import class_badge, pollutants
from outfall.rivers.models import Snap

CHART_ORDER = ("NH3N", "TP", "CODMN", "DO", "COD", "BOD5", "PH", "TN", "WT")


def section_list(request):
    from outfall.monitoring.layers import latest_evaluations, latest_times

    sections = list(Section.objects.visible_to(request.user))
    # newest times in one query, classes re-evaluated only for sections whose readings changed
    times = latest_times(Section.objects.all()) if sections else {}
    latest = latest_evaluations([(s.pk, s.target_class, s.water_type) for s in sections], times)
    # the cells made here, not by template filters per row (200 sections render in a few ms)
    detail = reverse("monitoring:section-detail", args=[0]).replace("/0/", "/{}/")
    badges: dict = {}

    def badge(cls):
        if cls not in badges:
            badges[cls] = class_badge(cls)
        return badges[cls]

    rows = []
    for s in sections:
        t, ev = latest[s.pk]
        rows.append({"s": s, "time": t, "ev": ev, "url": detail.format(s.pk), "level": s.get_level_display(),
                     "target_badge": badge(WaterClass(s.target_class)),
                     "class_badge": badge(ev.water_class if ev else ""), "pollutants": pollutants(ev),
                     "when": date_format(localtime(t), "Y-m-d H:i") if t else "—"})
    return render(request, "monitoring/section_list.html",
                  {"rows": rows, "rivers": selectors.river_assessments(sections, latest=times),
                   "can_edit": _may_edit(request.user)})


def section_detail(request, pk: int):
    from outfall.monitoring.layers import latest_evaluations, latest_times

    s = get_object_or_404(Section.objects.visible_to(request.user), pk=pk)
    # the newest class as the sections list has it (kept while the readings do not change)
    t, ev = latest_evaluations([(s.pk, s.target_class, s.water_type)], latest_times(Section.objects.all()))[s.pk]
    # thinned in the reading (a zoom fetches its detail from section_series); tables summed in SQL
    series = selectors.page_data(s)[0]
    codes = [c for c in CHART_ORDER if c in series] + sorted(c for c in series if c not in CHART_ORDER)
    charts = [{"id": f"chart-{c}", "code": c,
               "figure": series_figure(s, c, list(zip(series[c]["x"], series[c]["y"], strict=True)),
                                       total=series[c]["total"])} for c in codes]
    monthly, yearly = selectors.monthly_and_yearly(s)
    reg = registry()
    return render(request, "monitoring/section_detail.html", {
        "s": s, "time": t, "ev": ev, "target": WaterClass(s.target_class),
        "charts": charts, "charts_json": json.dumps([{"id": c["id"], "code": c["code"], "figure": c["figure"]}
                                                     for c in charts], cls=DjangoJSONEncoder),
        "series_url": reverse("monitoring:section-series", args=[s.pk]),
        "monthly": monthly, "yearly": yearly,
        "names": {c: reg[c].name_zh for c in reg}, "panels": render_panels(request, s),
        "can_edit": _may_edit(request.user),
        "snap": Snap.objects.filter(section=s).select_related("reach").first(),
        "history": list(history_of(s).order_by("-time")[:200])})


@require_http_methods(["GET"])
def section_series(request, pk: int):
    """JSON of a section's chart series for a zoomed range (``start``, ``end``: ISO 8601, local time
    when no offset; both or neither) and parameters (``p``: codes, comma-separated; all when not
    given), thinned to ``CHART_BUCKETS`` intervals, so a zoom into days shows every hourly reading.
    A range that cannot be read is a 400 with the reason; a section the user may not see a 404."""
    s = get_object_or_404(Section.objects.visible_to(request.user), pk=pk)
    try:
        start, end = parse_range(request.GET.get("start"), request.GET.get("end"))
    except RangeError as exc:
        return JsonResponse({"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
    codes = [c.strip().upper() for c in request.GET.get("p", "").split(",") if c.strip()]
    reg = registry()
    unknown = [c for c in codes if c not in reg]
    if unknown:
        return JsonResponse({"error": f"p: 未知指标 {', '.join(unknown)} / unknown parameter"}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    if start is None:  # the overview, as the page has it
        series = {c: dict(one) for c, one in selectors.page_data(s)[0].items() if not codes or c in codes}
    else:
        series = chart_series(s, start=start, end=end, codes=codes or None, buckets=CHART_BUCKETS)
    for code, one in series.items():
        one["title"] = chart_title(code, one["shown"], one["total"])
        one["mode"] = "lines" if one["shown"] < one["total"] else "lines+markers"
    return JsonResponse({"section": s.pk, "start": start, "end": end, "series": series},
                        json_dumps_params={"ensure_ascii": False})


def _may_edit(user) -> bool:
    """Sections are the bureau's data: ``Section.objects.editable_by`` decides (admins, bureau staff)."""
    return permissions.editable_town_ids(user) is None


def _check_may_edit(user) -> None:
    if not _may_edit(user):
        raise PermissionDeniedError("sections", user_message=_("只有局机关人员可以新建或修改监测断面"))


def _snap_message(section: Section) -> str:
    snap = Snap.objects.filter(section=section).select_related("reach").first()
    if snap is None:
        return _("未吸附到河网 (尚未导入河网)")
    return _("吸附到河段 %(reach)s，距离 %(m).0f m") % {"reach": snap.reach.reach_id, "m": snap.distance_m}


@require_http_methods(["GET", "POST"])
def section_create(request):
    _check_may_edit(request.user)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.create_section(form.section_data, actor=request.user)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, _("已新建断面 %(code)s；%(snap)s") % {"code": section.code,
                                                                       "snap": _snap_message(section)})
            return redirect("monitoring:section-detail", pk=section.pk)
    return render(request, "monitoring/section_form.html", {"form": form, "title": _("新建监测断面")})


@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int):
    """Edit a section; new coordinates move it and snap it to the network again (history: update)."""
    section = get_object_or_404(Section.objects.visible_to(request.user), pk=pk)
    _check_may_edit(request.user)
    form = SectionForm(request.POST or None, section=section)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.section_data.items() if k != "code"}
        try:
            services.update_section(section, data, actor=request.user)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, _("已保存断面 %(code)s；%(snap)s") % {"code": section.code,
                                                                       "snap": _snap_message(section)})
            return redirect("monitoring:section-detail", pk=section.pk)
    return render(request, "monitoring/section_form.html",
                  {"form": form, "s": section, "title": _("修改断面 %(code)s") % {"code": section.code}})
