"""REST API of the ledger: same filters and permissions as the pages; changes through services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from outfall.accounts import permissions
from outfall.ledger import services
from outfall.ledger.filters import OutfallFilter
from outfall.ledger.models import Outfall
from outfall.ledger.serializers import OutfallSerializer, OutfallWriteSerializer


class OutfallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """入河排污口 / outfalls. Delete is not offered: cancel (注销) through the ledger instead."""

    serializer_class = OutfallSerializer
    filterset_class = OutfallFilter
    search_fields = ["code", "name", "national_code"]
    ordering_fields = ["code", "name", "type_l1", "status", "receiving_water", "updated_at", "design_discharge_m3_d"]
    ordering = ["code"]

    def get_queryset(self):
        qs = Outfall.objects.visible_to(self.request.user).select_related("town")
        if self.action in ("update", "partial_update"):
            qs = qs.editable_by(self.request.user)
        return qs

    @extend_schema(request=OutfallWriteSerializer, responses=OutfallSerializer)
    def create(self, request, *args, **kwargs):
        if not permissions.can_edit_any(request.user):
            raise PermissionDenied("无权新建排污口")
        ser = OutfallWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        outfall = services.create_outfall(ser.validated_data, actor=request.user)
        return Response(OutfallSerializer(outfall).data, status=201)

    @extend_schema(request=OutfallWriteSerializer, responses=OutfallSerializer)
    def update(self, request, *args, **kwargs):
        outfall = self.get_object()
        ser = OutfallWriteSerializer(outfall, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        outfall = services.update_outfall(outfall, ser.validated_data, actor=request.user)
        return Response(OutfallSerializer(outfall).data)
