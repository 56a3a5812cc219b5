"""Traces API: start a trace (POST ``/api/traces/``), read one or the list; verification tasks:
create (POST ``/api/trace-tasks/``), list, read, and record the result
(POST ``/api/trace-tasks/{id}/complete/``). Every change goes through ``traces.services``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from outfall.alerts import permissions as alert_permissions
from outfall.alerts.models import Alert
from outfall.core.errors import InputError, NotFoundError, PermissionDeniedError
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section
from outfall.traces import permissions, selectors, services
from outfall.traces.models import TASK_RESULTS, Trace, VerificationTask


class TraceSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = Trace
        fields = ["id", "section", "parameter", "at", "alert", "decay_per_day", "window_h", "result", "notes",
                  "series", "model_version", "created_by", "created_at"]


class TraceWriteSerializer(serializers.Serializer):
    section = serializers.CharField(required=False, help_text="section code (not needed with alert)")
    parameter = serializers.CharField(required=False, help_text="code or name, e.g. NH3N (not needed with alert)")
    at = serializers.DateTimeField(required=False, help_text="empty: the latest exceedance or reading")
    alert = serializers.IntegerField(required=False, help_text="trace this alert (moves it to tracing)")
    decay_per_day = serializers.FloatField(required=False, min_value=0)
    window_h = serializers.FloatField(required=False, min_value=1, max_value=720)


class TaskSerializer(serializers.ModelSerializer):
    outfall = serializers.CharField(source="outfall.code", read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)

    class Meta:
        model = VerificationTask
        fields = ["id", "trace", "outfall", "assignee", "deadline", "state", "result", "note", "done_at", "created_at"]
        read_only_fields = fields


class TaskWriteSerializer(serializers.Serializer):
    trace = serializers.IntegerField()
    outfall = serializers.CharField(help_text="outfall code, a candidate of the trace")
    assignee = serializers.CharField(required=False, help_text="username")
    deadline = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=TASK_RESULTS)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TraceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """溯源 / traces; filter with ?section=CODE&parameter=P&alert=ID."""

    serializer_class = TraceSerializer

    def get_queryset(self):
        qs = permissions.visible_traces(Trace.objects.select_related("section", "created_by"), self.request.user)
        for f, field in (("section", "section__code"), ("parameter", "parameter"), ("alert", "alert_id")):
            if self.request.query_params.get(f):
                value = self.request.query_params[f]
                if f == "alert" and not value.isdigit():
                    return qs.none()
                qs = qs.filter(**{field: value})
        return qs

    @extend_schema(request=TraceWriteSerializer, responses={201: TraceSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_trace(request.user):
            raise PermissionDeniedError(f"{request.user} may not trace", user_message="无权发起溯源 / not allowed")
        ser = TraceWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if d.get("alert") is not None:
            alert = alert_permissions.visible(Alert.objects.all(), request.user).filter(pk=d["alert"]).first()
            if alert is None:
                raise NotFoundError(f"alert {d['alert']}", user_message=f"预警 {d['alert']} 不存在 / no such alert")
            t = services.trace_alert(alert, actor=request.user, decay_per_day=d.get("decay_per_day"))
        else:
            if not d.get("section") or not d.get("parameter"):
                raise InputError("section and parameter required",
                                 user_message="请给出断面编码和指标（或预警编号）/ section and parameter (or alert) required")
            section = Section.objects.visible_to(request.user).filter(code=d["section"]).first()
            if section is None:
                raise NotFoundError(f"section {d['section']}", user_message=f"断面「{d['section']}」不存在 / no such section")
            from outfall.core.standards.parameters import lookup_parameter

            code = lookup_parameter(d["parameter"]).code
            at = d.get("at") or selectors.default_time(section, code)
            t = services.start_trace(section, code, at, actor=request.user, decay_per_day=d.get("decay_per_day"),
                                     window_h=d.get("window_h"))
        return Response(TraceSerializer(t).data, status=status.HTTP_201_CREATED)


class TaskViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """核查任务 / verification tasks; filter with ?trace=ID&state=open|done&mine=1."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = permissions.visible_tasks(VerificationTask.objects.select_related("outfall", "assignee"),
                                       self.request.user)
        p = self.request.query_params
        if p.get("trace"):
            qs = qs.filter(trace_id=p["trace"]) if str(p["trace"]).isdigit() else qs.none()
        if p.get("state"):
            qs = qs.filter(state=p["state"])
        if p.get("mine") in ("1", "true"):
            qs = qs.filter(assignee=self.request.user)
        return qs

    @extend_schema(request=TaskWriteSerializer, responses={201: TaskSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_create_tasks(request.user):
            raise PermissionDeniedError(f"{request.user} may not create tasks", user_message="无权创建核查任务 / not allowed")
        ser = TaskWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        t = get_object_or_404(permissions.visible_traces(Trace.objects.all(), request.user), pk=d["trace"])
        outfall = Outfall.objects.filter(code=d["outfall"]).first()
        if outfall is None:
            raise NotFoundError(f"outfall {d['outfall']}", user_message=f"排污口「{d['outfall']}」不存在 / no such outfall")
        assignee = None
        if d.get("assignee"):
            assignee = get_user_model().objects.filter(username=d["assignee"], is_active=True).first()
            if assignee is None:
                raise InputError(f"user {d['assignee']}", user_message=f"用户「{d['assignee']}」不存在 / no such user")
        task = services.create_task(t, outfall, actor=request.user, assignee=assignee, deadline=d.get("deadline"),
                                    note=d["note"])
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompleteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], serializer_class=CompleteSerializer)
    def complete(self, request, pk=None):
        task = self.get_object()
        if not permissions.can_complete(request.user, task):
            raise PermissionDeniedError(f"{request.user} may not complete task {task.pk}",
                                        user_message="无权记录该核查任务的结果 / not allowed")
        ser = CompleteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        done = services.complete_task(task, ser.validated_data["result"], ser.validated_data["note"], actor=request.user)
        return Response(TaskSerializer(VerificationTask.objects.get(pk=done.pk)).data)
