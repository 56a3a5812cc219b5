"""Alerts API: list/read (every logged-in user) and the lifecycle actions (POST
``/api/alerts/{id}/{action}/`` with ``note``/``reason``/``assignee``), which call the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from outfall.alerts import lifecycle, permissions, selectors
from outfall.alerts.models import Alert, AlertStep, Delivery
from outfall.core.errors import InputError, PermissionDeniedError


class AlertStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertStep
        fields = ["from_state", "to_state", "actor_name", "note", "assignee", "time"]


class DeliverySerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.name")

    class Meta:
        model = Delivery
        fields = ["channel", "event", "attempt", "status", "http_status", "error", "time"]


class AlertSerializer(serializers.ModelSerializer):
    steps = AlertStepSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "site_kind", "site_code", "section", "outfall", "parameter", "rule", "basis", "severity",
                  "state", "episode_open", "opened_at", "last_time", "recovered_at", "value", "limit", "limit_kind",
                  "multiple", "exceedance_pct", "peak", "readings_count", "rules_version", "receptors",
                  "explanation_zh", "explanation_en", "assignee", "town", "escalated_at", "steps", "deliveries"]


class ActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.IntegerField(required=False)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """预警 / alerts; filter with ?state=&rule=&severity=&town=&river=&site_kind=&parameter=&open=1."""

    serializer_class = AlertSerializer

    def get_queryset(self):
        qs = permissions.visible(Alert.objects.prefetch_related("steps", "deliveries__channel"), self.request.user)
        return selectors.filtered(qs, self.request.query_params)

    def _actable(self, request) -> Alert:
        """The alert, or 403 before any input is looked at when the user may not act on it."""
        alert = self.get_object()
        if not permissions.can_act(request.user, alert):
            raise PermissionDeniedError(f"{request.user} may not act on alert {alert.pk}",
                                        user_message="无权处置此预警 / not allowed to act on this alert")
        return alert

    def _act(self, request, func, *, extra):
        alert = self._actable(request)
        ser = ActionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        alert = func(alert, actor=request.user, **extra(ser.validated_data))
        return Response(AlertSerializer(Alert.objects.get(pk=alert.pk)).data)

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer)
    def acknowledge(self, request, pk=None):
        return self._act(request, lifecycle.acknowledge_alert, extra=lambda d: {"note": d["note"]})

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer)
    def trace(self, request, pk=None):
        return self._act(request, lifecycle.start_tracing, extra=lambda d: {"note": d["note"]})

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer)
    def confirm(self, request, pk=None):
        return self._act(request, lifecycle.confirm_alert, extra=lambda d: {"note": d["note"]})

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer, url_path="not-genuine")
    def not_genuine(self, request, pk=None):
        return self._act(request, lifecycle.mark_not_genuine, extra=lambda d: {"reason": d["reason"] or d["note"]})

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer)
    def close(self, request, pk=None):
        return self._act(request, lifecycle.close_alert, extra=lambda d: {"note": d["note"]})

    @action(detail=True, methods=["post"], serializer_class=ActionSerializer)
    def assign(self, request, pk=None):
        def extra(d):
            user = get_user_model().objects.filter(pk=d.get("assignee")).first()
            if user is None:
                raise InputError("no assignee", user_message="请指定负责人 / assignee required")
            return {"note": d["note"], "assignee": user}

        alert = self._actable(request)
        ser = ActionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        kw = extra(ser.validated_data)
        alert = lifecycle.assign_alert(alert, kw.pop("assignee"), actor=request.user, **kw)
        return Response(AlertSerializer(Alert.objects.get(pk=alert.pk)).data)
