"""Inspections API: record an inspection (POST ``/api/inspections/``, multipart with photos or JSON;
the same ``client_key`` again answers 200 with the stored inspection; a refusal answers 400 with
``detail`` and one list of messages per field, e.g. ``quick_tests[1].value``), list them
(``?outfall=CODE``) and read one. Every change goes through ``inspections.services``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from outfall.core.errors import PermissionDeniedError
from outfall.core.inspections import InspectionErrors
from outfall.inspections import permissions, selectors, services
from outfall.inspections.forms import posted_inspection
from outfall.inspections.models import Inspection
from outfall.ledger.models import Outfall


class ReadingField(serializers.Serializer):
    parameter = serializers.CharField()
    value = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    raw = serializers.CharField()


class InspectionSerializer(serializers.ModelSerializer):
    outfall = serializers.CharField(source="outfall.code", read_only=True)
    inspector = serializers.CharField(source="inspector.username", read_only=True, default=None)
    photos = serializers.SerializerMethodField()
    quick_tests = serializers.SerializerMethodField()
    case = serializers.CharField(source="case.number", read_only=True, default=None,
                                 help_text="number of the case its finding opened (现场巡查发现)")

    class Meta:
        model = Inspection
        fields = ["id", "client_key", "outfall", "inspector", "inspected_at", "lon", "lat", "accuracy_m",
                  "distance_m", "far", "discharging", "colour", "odour", "foam", "flow_value", "flow_unit",
                  "flow_m3_d", "notes", "finding", "open_case", "case", "reading_batch", "quick_tests", "photos",
                  "created_at"]
        read_only_fields = fields

    def get_photos(self, obj) -> list[dict]:
        return [{"id": p.pk, "kind": p.kind, "content_type": p.content_type, "size_bytes": p.size_bytes}
                for p in obj.photos.all()]

    def get_quick_tests(self, obj) -> list[dict]:
        return [{"parameter": r.parameter, "value": r.value, "qualifier": r.qualifier,
                 "detection_limit": r.detection_limit, "unit": r.unit, "raw": r.raw}
                for r in selectors.readings_of(obj)]


class InspectionWriteSerializer(serializers.Serializer):
    outfall = serializers.CharField(help_text="outfall code")
    client_key = serializers.UUIDField(help_text="the draft's UUID (idempotency key)")
    inspected_at = serializers.DateTimeField(required=False, help_text="ISO 8601 with offset; default now")
    discharging = serializers.ChoiceField(choices=["yes", "no", "unknown"])
    colour = serializers.CharField(required=False)
    odour = serializers.CharField(required=False)
    foam = serializers.CharField(required=False)
    flow_value = serializers.FloatField(required=False, help_text="estimated flow, in flow_unit")
    flow_unit = serializers.ChoiceField(choices=["L/s", "m3/d"], required=False)
    lon = serializers.FloatField(required=False, help_text="WGS84 degrees")
    lat = serializers.FloatField(required=False, help_text="WGS84 degrees")
    accuracy_m = serializers.FloatField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    finding = serializers.CharField(required=False, allow_blank=True)
    open_case = serializers.BooleanField(required=False)
    quick_tests = serializers.JSONField(required=False, help_text='[{"parameter": "NH3N", "value": "3.2", "unit": "mg/L"}]')
    site_photos = serializers.ListField(child=serializers.FileField(), required=False)
    quick_test_photos = serializers.ListField(child=serializers.FileField(), required=False)


class InspectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """现场巡查 / field inspections; filter with ?outfall=CODE."""

    serializer_class = InspectionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = selectors.inspections(self.request.user)
        if self.request.query_params.get("outfall"):
            qs = qs.filter(outfall__code=self.request.query_params["outfall"])
        return qs

    @extend_schema(parameters=[OpenApiParameter("outfall", str, description="outfall code")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": InspectionWriteSerializer, "application/json": InspectionWriteSerializer},
                   responses={201: InspectionSerializer, 200: InspectionSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_record_any(request.user):
            raise PermissionDeniedError(f"{request.user} may not record inspections",
                                        user_message=_("无权记录现场巡查"))
        code = request.data.get("outfall")
        if not code:
            return Response({"detail": _("请给出排污口编码"), "outfall": [_("请给出排污口编码")]},
                            status=status.HTTP_400_BAD_REQUEST)
        outfall = get_object_or_404(Outfall.objects.visible_to(request.user), code=code)
        try:
            data, photos, quick_tests, key = posted_inspection(request.data, request.FILES)
            inspection, created = services.create_inspection(outfall, data, actor=request.user, client_key=key,
                                                             photos=photos, quick_tests=quick_tests)
        except InspectionErrors as exc:
            # the API's error body: ``detail`` and one list of messages per refused field
            return Response({"detail": exc.user_message, **exc.by_field()}, status=status.HTTP_400_BAD_REQUEST)
        inspection = selectors.inspections(request.user).get(pk=inspection.pk)
        return Response(InspectionSerializer(inspection).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
