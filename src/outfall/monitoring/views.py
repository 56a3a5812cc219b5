"""Section pages: the list with each section's latest class against its target, and the section
page with charts (class bands, target line) and monthly / yearly assessments."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, render

from outfall.core.enums import WaterClass
from outfall.core.standards.parameters import registry
from outfall.monitoring import selectors
from outfall.monitoring.charts import series_figure
from outfall.monitoring.models import Section
from outfall.monitoring.panels import render_panels

CHART_ORDER = ("NH3N", "TP", "CODMN", "DO", "COD", "BOD5", "PH", "TN", "WT")


def section_list(request):
    rows = []
    for s in Section.objects.visible_to(request.user):
        t, ev = selectors.latest_evaluation(s)
        rows.append({"s": s, "time": t, "ev": ev, "target": WaterClass(s.target_class)})
    return render(request, "monitoring/section_list.html",
                  {"rows": rows, "rivers": selectors.river_assessments(Section.objects.visible_to(request.user))})


def section_detail(request, pk: int):
    s = get_object_or_404(Section.objects.visible_to(request.user), pk=pk)
    t, ev = selectors.latest_evaluation(s)
    series = selectors.series(s)
    codes = [c for c in CHART_ORDER if c in series] + sorted(c for c in series if c not in CHART_ORDER)
    charts = [{"id": f"chart-{c}", "code": c, "figure": series_figure(s, c, series[c])} for c in codes]
    reg = registry()
    return render(request, "monitoring/section_detail.html", {
        "s": s, "time": t, "ev": ev, "target": WaterClass(s.target_class),
        "charts": charts, "charts_json": json.dumps([{"id": c["id"], "figure": c["figure"]} for c in charts],
                                                    cls=DjangoJSONEncoder),
        "monthly": selectors.period_evaluations(s, by="month"), "yearly": selectors.period_evaluations(s, by="year"),
        "names": {c: reg[c].name_zh for c in reg}, "panels": render_panels(request, s)})
