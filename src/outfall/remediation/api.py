"""Remediation API: ``/api/remediation-tasks/`` — list (filters ?state= &measure= &town= &due=overdue|
due_soon &outfall=CODE), read (with the effect check; windows ?before_days= &after_days=, default 90), create, edit (PATCH), and one action per step:
``progress`` (multipart: text, files), ``start``, ``request-close`` (multipart: note, files),
``sign-off``, ``reopen`` (reason). Every change goes through ``remediation.services``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from outfall.accounts.labels import choices
from outfall.core.enums import RemediationMeasure, RemediationState
from outfall.core.errors import PermissionDeniedError
from outfall.remediation import inputs, permissions, selectors, services
from outfall.remediation.models import ProgressUpdate, RemediationTask

#: The task states, named RemediationStateEnum in the schema (settings.SPECTACULAR_SETTINGS).
STATE_CHOICES = choices(RemediationState)


class RemediationEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size_bytes = serializers.IntegerField()


class RemediationUpdateSerializer(serializers.ModelSerializer):
    evidence = RemediationEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "kind", "text", "time", "actor_name", "evidence"]


class RemediationTaskSerializer(serializers.ModelSerializer):
    outfall = serializers.CharField(source="outfall.code", read_only=True)
    town = serializers.CharField(source="outfall.town.name", read_only=True)
    merge_into = serializers.CharField(source="merge_into.code", read_only=True, default=None)
    responsible_party = serializers.CharField(source="responsible_party.name", read_only=True, default=None)
    due = serializers.SerializerMethodField()

    class Meta:
        model = RemediationTask
        fields = ["id", "outfall", "town", "measure", "merge_into", "plan", "responsible_party", "department",
                  "start_date", "deadline", "parameter", "state", "due", "started_at", "close_requested_at",
                  "signed_off_at", "created_at"]
        read_only_fields = fields

    def get_due(self, obj) -> str | None:
        return getattr(obj, "due", None)


class RemediationTaskDetailSerializer(RemediationTaskSerializer):
    updates = RemediationUpdateSerializer(many=True, read_only=True)
    effect = serializers.SerializerMethodField()

    class Meta(RemediationTaskSerializer.Meta):
        fields = [*RemediationTaskSerializer.Meta.fields, "updates", "effect"]
        read_only_fields = fields

    def get_effect(self, obj) -> dict | None:
        request = self.context.get("request")
        before, after = selectors.windows(request.query_params if request is not None else {})
        section, km, result = selectors.effect_of(obj, before_days=before, after_days=after)
        if section is None:
            return None
        control = selectors.control_of(obj, before_days=before, after_days=after)
        return {"section": section.code, "distance_km": km, "result": result.as_dict() if result else None,
                "control": {"section": control[0].code, "distance_km": control[1],
                            "result": control[2].as_dict() if control[2] else None} if control else None}


class RemediationTaskWriteSerializer(serializers.Serializer):
    outfall = serializers.CharField(help_text="outfall code")
    measure = serializers.ChoiceField(choices=choices(RemediationMeasure))
    merge_into = serializers.CharField(required=False, allow_blank=True, help_text="outfall code (merge only)")
    plan = serializers.CharField()
    responsible_party = serializers.CharField(required=False, allow_blank=True, help_text="name or credit code")
    department = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    parameter = serializers.CharField(required=False, default="NH3N")


class RemediationTaskEditSerializer(RemediationTaskWriteSerializer):
    outfall = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class RemediationProgressSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RemediationNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RemediationCloseSerializer(RemediationNoteSerializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RemediationReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


class RemediationTaskViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """整治任务 / remediation tasks."""

    serializer_class = RemediationTaskSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.tasks(self.request.user)
        p = self.request.query_params
        for f, field in (("state", "state"), ("measure", "measure"), ("outfall", "outfall__code")):
            if p.get(f):
                qs = qs.filter(**{field: p[f]})
        if p.get("town"):
            qs = qs.filter(outfall__town_id=p["town"]) if str(p["town"]).isdigit() else qs.none()
        if p.get("due") in ("overdue", "due_soon"):
            qs = selectors.due_filter(qs, p["due"])
        if self.action == "retrieve":
            qs = qs.prefetch_related("updates__evidence")
        return qs

    def get_serializer_class(self):
        return RemediationTaskDetailSerializer if self.action == "retrieve" else RemediationTaskSerializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.with_due(page if page is not None else self.get_queryset())
        data = RemediationTaskSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _answer(self, task, code=status.HTTP_200_OK):
        (task,) = selectors.with_due([self.get_queryset().model.objects.select_related(
            "outfall__town", "merge_into", "responsible_party").get(pk=task.pk)])
        return Response(RemediationTaskSerializer(task).data, status=code)

    @extend_schema(request=RemediationTaskWriteSerializer, responses={201: RemediationTaskSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_create(request.user):
            raise PermissionDeniedError(f"{request.user} may not create", user_message="无权创建整治任务 / not allowed")
        ser = RemediationTaskWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        outfall = inputs.outfall_by_code(d["outfall"], field="outfall")
        return self._answer(services.create_task(outfall, inputs.task_data(d), actor=request.user),
                            status.HTTP_201_CREATED)

    @extend_schema(request=RemediationTaskEditSerializer, responses={200: RemediationTaskSerializer})
    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        if not permissions.can_create(request.user):
            raise PermissionDeniedError(f"{request.user} may not edit", user_message="无权修改整治任务 / not allowed")
        ser = RemediationTaskEditSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = {k: v for k, v in ser.validated_data.items()}
        data = {k: getattr(task, k) for k in services.FIELDS}
        data.update({k: v for k, v in d.items() if k not in ("merge_into", "responsible_party")})
        if "merge_into" in d:
            data["merge_into"] = inputs.outfall_by_code(d["merge_into"], field="merge_into") if d["merge_into"] else None
        if "responsible_party" in d:
            data["responsible_party"] = inputs.party_by_text(d["responsible_party"])
        return self._answer(services.update_task(task, data, actor=request.user))

    def _step(self, request, may, ser_class, run):
        task = self.get_object()
        if not may(request.user, task):
            raise PermissionDeniedError(f"{request.user} may not", user_message="无权执行此操作 / not allowed")
        ser = ser_class(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._answer(run(task, ser.validated_data))

    @extend_schema(request={"multipart/form-data": RemediationProgressSerializer}, responses={200: RemediationTaskSerializer})
    @action(detail=True, methods=["post"], serializer_class=RemediationProgressSerializer)
    def progress(self, request, pk=None):
        """整治进展 with evidence files (field ``files``, repeated)."""
        def run(t, d):
            services.add_progress(t, d["text"], _files(request), actor=request.user)
            return t
        return self._step(request, permissions.can_work, RemediationProgressSerializer, run)

    @extend_schema(request=RemediationNoteSerializer, responses={200: RemediationTaskSerializer})
    @action(detail=True, methods=["post"], serializer_class=RemediationNoteSerializer)
    def start(self, request, pk=None):
        return self._step(request, permissions.can_work, RemediationNoteSerializer,
                          lambda t, d: services.start_task(t, actor=request.user, note=d["note"]))

    @extend_schema(request={"multipart/form-data": RemediationCloseSerializer}, responses={200: RemediationTaskSerializer})
    @action(detail=True, methods=["post"], url_path="request-close", serializer_class=RemediationCloseSerializer)
    def request_close(self, request, pk=None):
        return self._step(request, permissions.can_request_close, RemediationCloseSerializer,
                          lambda t, d: services.request_close(t, actor=request.user, note=d["note"],
                                                              files=_files(request)))

    @extend_schema(request=RemediationNoteSerializer, responses={200: RemediationTaskSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off", serializer_class=RemediationNoteSerializer)
    def sign_off(self, request, pk=None):
        return self._step(request, lambda u, t: permissions.can_sign_off(u), RemediationNoteSerializer,
                          lambda t, d: services.sign_off_task(t, actor=request.user, note=d["note"]))

    @extend_schema(request=RemediationReopenSerializer, responses={200: RemediationTaskSerializer})
    @action(detail=True, methods=["post"], serializer_class=RemediationReopenSerializer)
    def reopen(self, request, pk=None):
        return self._step(request, lambda u, t: permissions.can_reopen(u), RemediationReopenSerializer,
                          lambda t, d: services.reopen_task(t, d["reason"], actor=request.user))
