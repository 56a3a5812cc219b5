"""Section pages: the list with each section's latest class against its target, the section page
with charts (class bands, target line), monthly / yearly assessments, its place on the river network
and its history, and the section form (create, edit, move) for admins and bureau staff."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outfall.accounts import permissions
from outfall.core.enums import WaterClass
from outfall.core.errors import OutfallError, PermissionDeniedError
from outfall.core.standards.parameters import registry
from outfall.history.services import history_of
from outfall.monitoring import selectors, services
from outfall.monitoring.charts import series_figure
from outfall.monitoring.forms import SectionForm
from outfall.monitoring.models import Section
from outfall.monitoring.panels import render_panels
from outfall.rivers.models import Snap

CHART_ORDER = ("NH3N", "TP", "CODMN", "DO", "COD", "BOD5", "PH", "TN", "WT")


def section_list(request):
    from outfall.monitoring.layers import latest_evaluations, latest_times

    sections = list(Section.objects.visible_to(request.user))
    # newest times in one query, classes re-evaluated only for sections whose readings changed
    times = latest_times(Section.objects.all()) if sections else {}
    latest = latest_evaluations([(s.pk, s.target_class, s.water_type) for s in sections], times)
    rows = [{"s": s, "time": latest[s.pk][0], "ev": latest[s.pk][1], "target": WaterClass(s.target_class)}
            for s in sections]
    return render(request, "monitoring/section_list.html",
                  {"rows": rows, "rivers": selectors.river_assessments(sections, latest=times),
                   "can_edit": _may_edit(request.user)})


def section_detail(request, pk: int):
    s = get_object_or_404(Section.objects.visible_to(request.user), pk=pk)
    t, ev = selectors.latest_evaluation(s)
    loaded = selectors.samples(s)  # read once: charts, months and years
    series = selectors.series_of_samples(loaded)
    codes = [c for c in CHART_ORDER if c in series] + sorted(c for c in series if c not in CHART_ORDER)
    charts = [{"id": f"chart-{c}", "code": c, "figure": series_figure(s, c, series[c])} for c in codes]
    reg = registry()
    return render(request, "monitoring/section_detail.html", {
        "s": s, "time": t, "ev": ev, "target": WaterClass(s.target_class),
        "charts": charts, "charts_json": json.dumps([{"id": c["id"], "figure": c["figure"]} for c in charts],
                                                    cls=DjangoJSONEncoder),
        "monthly": selectors.period_evaluations(s, by="month", loaded=loaded),
        "yearly": selectors.period_evaluations(s, by="year", loaded=loaded),
        "names": {c: reg[c].name_zh for c in reg}, "panels": render_panels(request, s),
        "can_edit": _may_edit(request.user),
        "snap": Snap.objects.filter(section=s).select_related("reach").first(),
        "history": list(history_of(s).order_by("-time")[:200])})


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
