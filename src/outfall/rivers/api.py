"""Network API: navigation from a section, an outfall, a reach or a point, as ordered GeoJSON."""

from __future__ import annotations

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from outfall.rivers.navigation import navigate_from, steps_geojson
from outfall.rivers.selectors import current_report


def _float(request, name):
    v = request.query_params.get(name)
    if v in (None, ""):
        return None
    try:
        f = float(v)
    except ValueError:
        raise ValidationError({name: f"「{v}」不是数字"}) from None
    if not math.isfinite(f):
        raise ValidationError({name: f"「{v}」不是有限的数 (must be a finite number)"})
    if f < 0:
        raise ValidationError({name: "不能为负"})
    return f


@extend_schema(parameters=[
    OpenApiParameter("start", OpenApiTypes.STR, required=True, description="section/outfall code, reach id or lon,lat"),
    OpenApiParameter("mode", OpenApiTypes.STR, enum=["UT", "UM", "DM", "DD"]),
    OpenApiParameter("max_km", OpenApiTypes.NUMBER), OpenApiParameter("max_hours", OpenApiTypes.NUMBER)],
    responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def navigate_view(request):
    """Reaches upstream or downstream of a start, ordered by distance, with distance (km) and travel time (h)."""
    start = request.query_params.get("start")
    if not start:
        raise ValidationError({"start": "必填"})
    mode = request.query_params.get("mode", "UT").upper()
    net, desc, steps = navigate_from(start, mode=mode, max_km=_float(request, "max_km"),
                                     max_hours=_float(request, "max_hours"))
    fc = steps_geojson(net, steps)
    fc["start"] = desc
    fc["mode"] = mode
    return Response(fc)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def report_view(request):
    """The validation report of the stored network."""
    return Response(current_report())
