"""``GET /api/whatif/?ban=P1,P2&merge=P3:P4&parameter=NH3N&period=2025`` (read-only): the rows of
``outfall whatif --format json`` (shared/DESIGN.md §3) from ``traces.whatif.run_whatif``. Every
logged-in role may ask (it reads the network and the readings every role reads); a refused input
answers 400 with the Chinese-first reason, and nothing is stored."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from outfall.traces.whatif import parse_ban, parse_merge, run_whatif


class WhatIfRowSerializer(serializers.Serializer):
    section = serializers.CharField(help_text="section code")
    parameter = serializers.CharField(help_text="parameter code")
    current_mg_l = serializers.FloatField(help_text="mean concentration in the period, mg/L")
    predicted_mg_l = serializers.FloatField(help_text="after the bans and merges, mg/L (steady mass balance)")
    current_class = serializers.CharField(allow_null=True, help_text="GB 3838-2002 class (I…V, 劣V), null if ungraded")
    predicted_class = serializers.CharField(allow_null=True)
    period = serializers.CharField(help_text="YYYY, YYYY-MM or YYYY-MM～YYYY-MM")


@extend_schema(parameters=[
    OpenApiParameter("ban", OpenApiTypes.STR, description="outfall codes to ban (取缔), comma-separated"),
    OpenApiParameter("merge", OpenApiTypes.STR, description="CODE:INTO pairs (清理合并), comma-separated"),
    OpenApiParameter("parameter", OpenApiTypes.STR, description="code or name; default: every parameter measured "
                                                                "at a section that the outfalls emit"),
    OpenApiParameter("period", OpenApiTypes.STR, description="YYYY or YYYY-MM; default: the 12 months up to the "
                                                             "latest reading"),
    OpenApiParameter("decay_per_day", OpenApiTypes.NUMBER, description="first-order decay per day")],
    responses={200: WhatIfRowSerializer(many=True)}, operation_id="whatif", tags=["traces"])
@api_view(["GET"])
def whatif_view(request):
    """情景预测: each affected section's concentration and class after banning or merging outfalls."""
    q = request.query_params
    decay = None
    if q.get("decay_per_day") not in (None, ""):
        try:
            decay = float(q["decay_per_day"])
        except ValueError:
            raise ValidationError({"decay_per_day": f"「{q['decay_per_day']}」不是数字 / not a number"}) from None
    done = run_whatif(ban=parse_ban(q.getlist("ban")), merge=parse_merge(q.getlist("merge")),
                      parameter=q.get("parameter"), period=q.get("period"), decay_per_day=decay)
    return Response(WhatIfRowSerializer(done.rows, many=True).data)
