"""The dashboard (概览, /dashboard/) and the monthly report page (/reports/monthly/) with its
downloads. Every logged-in user may use them (each part counts only what the user may see)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from outfall.core.months import month_bounds, month_label, year_bounds
from outfall.dashboard import scope
from outfall.dashboard.charts import part_charts
from outfall.dashboard.monthly import monthly_report
from outfall.dashboard.registry import collect_parts


def _parts_context(request, town, start, end) -> dict:
    parts = collect_parts(user=request.user, town_id=town.pk if town else None, start=start, end=end)
    return {"parts": parts, "charts_json": json.dumps(part_charts(parts), cls=DjangoJSONEncoder, ensure_ascii=False),
            **scope.scope_context(request.user, town)}


@require_GET
def dashboard(request):
    town = scope.town_of(request.user, request.GET.get("town"))
    year = scope.year_of(request.GET.get("year"))
    ctx = _parts_context(request, town, *year_bounds(year))
    return render(request, "dashboard/index.html", {**ctx, "year": year, "years": scope.year_choices(year)})


@require_GET
def monthly(request):
    town = scope.town_of(request.user, request.GET.get("town"))
    month = scope.month_of(request.GET.get("month"))
    ctx = _parts_context(request, town, *month_bounds(month))
    return render(request, "dashboard/monthly.html", {**ctx, "month": month_label(month)})


@require_GET
def monthly_download(request):
    town = scope.town_of(request.user, request.GET.get("town"))
    month = scope.month_of(request.GET.get("month"))
    f = monthly_report(user=request.user, month=month, town=town, fmt=request.GET.get("format") or "docx")
    resp = HttpResponse(f.body, content_type=f.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{f.name}"'
    return resp
