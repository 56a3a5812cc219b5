"""Monitoring API: sections (read), and the push endpoint for automatic stations and platforms."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from outfall.monitoring import selectors
from outfall.monitoring.ingest import ingest_pushed_readings
from outfall.monitoring.models import Section


class SectionSerializer(serializers.ModelSerializer):
    latest = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ["id", "code", "name", "level", "water_type", "target_class", "river", "lon", "lat",
                  "automatic_station", "latest"]

    def get_latest(self, obj) -> dict | None:
        t, ev = selectors.latest_evaluation(obj)
        if ev is None:
            return None
        return {"time": t, "class": ev.water_class.value, "compliant": ev.compliant, "limiting": list(ev.limiting),
                "exceedance": ev.exceedance, "main_pollutants": list(ev.main_pollutants)}


class SectionViewSet(viewsets.ReadOnlyModelViewSet):
    """监测断面 / monitoring sections with their latest class against the target."""

    serializer_class = SectionSerializer
    search_fields = ["code", "name", "river"]
    filterset_fields = ["level", "water_type", "target_class", "river"]

    def get_queryset(self):
        return Section.objects.visible_to(self.request.user)


class PushSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["automatic", "online", "manual", "lab", "field"], default="automatic")
    readings = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=100_000)


class PushResultSerializer(serializers.Serializer):
    """What a push answers (201): the batch and its counts; refused rows come back as a 400 instead."""

    file = serializers.CharField()
    rows = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    batch_id = serializers.UUIDField(allow_null=True)
    committed = serializers.BooleanField()
    section_rows = serializers.IntegerField()
    outfall_rows = serializers.IntegerField()
    skipped = serializers.IntegerField()


@extend_schema(request=PushSerializer, responses={201: PushResultSerializer}, examples=[OpenApiExample("station push", value={
    "source": "automatic", "readings": [{"site_code": "370285S01", "time": "2025-11-06T20:00:00+08:00",
                                         "parameter": "NH3N", "value": "0.12", "unit": "mg/L"}]})])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def push_readings(request):
    """Push a batch of readings (token auth). All rows land or none; errors come back as a list of
    (row, column, message) with status 400. Re-sending the same rows updates them."""
    ser = PushSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    result = ingest_pushed_readings(ser.validated_data["readings"], actor=request.user,
                                    source=ser.validated_data["source"])
    return Response(result.as_dict(), status=201)
