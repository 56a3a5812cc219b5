"""Cases API: open (POST ``/api/cases/``), list (filters as the list page), read, and one action per
step: ``assign``, ``note`` (JSON or multipart with ``file``), ``reply``, ``close``, ``reopen``; the
complainant's details unmasked at ``GET /api/cases/{id}/contact/`` (bureau roles; others 403).
Campaigns: ``/api/case-campaigns/`` (read). Every change goes through ``cases.services``."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from outfall.accounts.models import Town
from outfall.cases import permissions, selectors, services
from outfall.cases.models import Campaign, Case, CaseNote
from outfall.core.enums import CaseResult, CaseSource, ComplaintChannel
from outfall.core.errors import InputError, NotFoundError, PermissionDeniedError
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section

#: The close-out results and complaint channels as the API takes them (named in SPECTACULAR_SETTINGS).
RESULT_CHOICES = [r.value for r in CaseResult]
CHANNEL_CHOICES = [c.value for c in ComplaintChannel]
CONTACT_REFUSED = ("信访人姓名和联系方式仅局机关人员可见，您的角色无权查看完整信息 / "
                   "the complainant's name and contact are for bureau roles only")


class NoteSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author_name", "created_at", "file_name", "content_type", "file_url"]

    def get_file_url(self, note) -> str | None:
        from django.urls import reverse

        return reverse("cases:note-file", args=[note.pk]) if note.file else None


class CaseSerializer(serializers.ModelSerializer):
    complainant_name = serializers.SerializerMethodField(help_text="masked (张*) unless a bureau role")
    complainant_contact = serializers.SerializerMethodField(help_text="masked (138****5678) unless a bureau role")
    outfalls = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sections = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    towns = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    assigned_town = serializers.CharField(source="assigned_town.name", read_only=True, default=None, allow_null=True)
    campaign = serializers.CharField(source="campaign.name", read_only=True, default=None, allow_null=True)
    channel = serializers.CharField(read_only=True, help_text="complaints: 12345, 12369, letter, visit, other; else empty")
    result = serializers.CharField(read_only=True, help_text="rectified, not_substantiated, partly, other; empty until closed")
    deadline_flag = serializers.SerializerMethodField(help_text="overdue, due_soon or empty")
    notes = NoteSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "source", "batch", "number", "title", "description", "problem_type", "intake_date", "deadline",
                  "deadline_flag", "channel", "complainant_name", "complainant_contact", "outfalls", "sections", "towns",
                  "verification_task", "alert", "campaign", "state", "assigned_town", "assigned_department",
                  "assigned_on", "reply", "replied_on", "result", "result_note", "closed_on", "created_at", "notes"]
        read_only_fields = fields

    def _contact(self, case) -> dict:
        return selectors.contact_of(case, self.context["request"].user)

    def get_complainant_name(self, case) -> str:
        return self._contact(case)["name"]

    def get_complainant_contact(self, case) -> str:
        return self._contact(case)["contact"]

    def get_deadline_flag(self, case) -> str:
        return selectors.deadline_flag(case)


class CaseWriteSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[s.value for s in CaseSource])
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    batch = serializers.CharField(required=False, allow_blank=True, max_length=40)
    number = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="empty: generated")
    problem_type = serializers.CharField(required=False, allow_blank=True, max_length=60)
    intake_date = serializers.DateField(required=False, help_text="default today")
    deadline = serializers.DateField(required=False, help_text="default intake + the source's days")
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, required=False, allow_blank=True)
    complainant_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    complainant_contact = serializers.CharField(required=False, allow_blank=True, max_length=100)
    outfalls = serializers.ListField(child=serializers.CharField(), required=False, default=list, help_text="codes")
    sections = serializers.ListField(child=serializers.CharField(), required=False, default=list, help_text="codes")
    towns = serializers.ListField(child=serializers.CharField(), required=False, default=list, help_text="names or codes")
    campaign = serializers.IntegerField(required=False)
    verification_task = serializers.IntegerField(required=False)
    alert = serializers.IntegerField(required=False)


class AssignSerializer(serializers.Serializer):
    town = serializers.CharField(required=False, allow_blank=True, help_text="town name or code")
    department = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    on = serializers.DateField(required=False)


class NoteWriteSerializer(serializers.Serializer):
    text = serializers.CharField()
    file = serializers.FileField(required=False, help_text="evidence: image, PDF, .docx or .xlsx")


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()
    on = serializers.DateField(required=False)


class CloseSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=RESULT_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    on = serializers.DateField(required=False)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ContactSerializer(serializers.Serializer):
    complainant_name = serializers.CharField()
    complainant_contact = serializers.CharField()


def _objects(model, keys: list[str], field_names: tuple[str, ...], label: str) -> list:
    q = Q()
    for f in field_names:
        q |= Q(**{f"{f}__in": keys})
    found = list(model.objects.filter(q))
    have = {str(getattr(o, f)) for o in found for f in field_names}
    missing = [k for k in keys if k not in have]
    if missing:
        raise InputError(f"unknown {label}: {missing}", user_message=f"{label}不存在: {'、'.join(missing)}")
    return found


def _one(model, pk, label: str, visible=None):
    if pk is None:
        return None
    qs = visible if visible is not None else model.objects.all()
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFoundError(f"{label} {pk}", user_message=f"{label} {pk} 不存在 / not found")
    return obj


FILTERS = [OpenApiParameter("source", str, enum=[x.value for x in CaseSource], required=False),
           OpenApiParameter("state", str, enum=["intake", "assigned", "handling", "replied", "closed"], required=False),
           OpenApiParameter("town", int, required=False, description="town id: assigned to it or linking it"),
           OpenApiParameter("year", int, required=False, description="year of intake"),
           OpenApiParameter("campaign", int, required=False, description="campaign id"),
           OpenApiParameter("overdue", str, enum=["1", "soon"], required=False,
                            description="1: overdue; soon: due within OUTFALL_CASE_DUE_SOON_DAYS"),
           OpenApiParameter("q", str, required=False, description="part of the number or title")]
CONTACT_PARAM = OpenApiParameter("contact", str, enum=["full"], required=False,
                                 description="full: unmasked complainant details (bureau roles; others 403)")


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """案件 / cases; filter with ?source=&state=&town=ID&year=&campaign=ID&overdue=1|soon&q=."""

    serializer_class = CaseSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.request.query_params.get("contact") == "full" and not permissions.can_see_contact(self.request.user):
            raise PermissionDeniedError("contact refused", user_message=CONTACT_REFUSED)
        qs = selectors.cases_for(self.request.user).prefetch_related("outfalls", "sections", "towns", "notes")
        return selectors.filtered(qs, self.request.query_params)

    @extend_schema(parameters=[*FILTERS, CONTACT_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[CONTACT_PARAM])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _out(self, case, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_open(request.user):
            raise PermissionDeniedError(f"{request.user} may not open", user_message="无权登记案件 / not allowed")
        ser = CaseWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        from outfall.alerts.models import Alert
        from outfall.traces import permissions as trace_permissions
        from outfall.traces.models import VerificationTask

        links = {"outfalls": _objects(Outfall, d.pop("outfalls"), ("code",), "排污口"),
                 "sections": _objects(Section, d.pop("sections"), ("code",), "断面"),
                 "towns": _objects(Town, d.pop("towns"), ("name", "code"), "镇街")}
        d["campaign"] = _one(Campaign, d.pop("campaign", None), "专项执法检查")
        d["verification_task"] = _one(VerificationTask, d.pop("verification_task", None), "核查任务",
                                      trace_permissions.visible_tasks(VerificationTask.objects.all(), request.user))
        d["alert"] = _one(Alert, d.pop("alert", None), "预警")
        fields = {k: v for k, v in d.items() if k not in ("source", "title", "description") and v not in (None, "")}
        case = services.open_case(actor=request.user, source=d["source"], title=d["title"],
                                  description=d["description"], **links, **fields)
        return self._out(case, status.HTTP_201_CREATED)

    def _step(self, request, may, ser_class):
        case = self.get_object()
        if not may(request.user, case):
            raise PermissionDeniedError(f"{request.user} may not act on case {case.pk}",
                                        user_message="无权办理此步骤 / not allowed")
        ser = ser_class(data=request.data)
        ser.is_valid(raise_exception=True)
        return case, ser.validated_data

    @extend_schema(request=AssignSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=AssignSerializer)
    def assign(self, request, pk=None):
        case, d = self._step(request, permissions.can_assign, AssignSerializer)
        town = _objects(Town, [d["town"]], ("name", "code"), "镇街")[0] if d.get("town") else None
        return self._out(services.assign_case(case, actor=request.user, town=town, department=d["department"],
                                              note=d["note"], on=d.get("on")))

    @extend_schema(request={"application/json": NoteWriteSerializer, "multipart/form-data": NoteWriteSerializer},
                   responses={201: NoteSerializer})
    @action(detail=True, methods=["post"], serializer_class=NoteWriteSerializer)
    def note(self, request, pk=None):
        case, d = self._step(request, permissions.can_note, NoteWriteSerializer)
        note = services.add_note(case, d["text"], actor=request.user, file=d.get("file"))
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplySerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=ReplySerializer)
    def reply(self, request, pk=None):
        case, d = self._step(request, permissions.can_reply, ReplySerializer)
        return self._out(services.reply_case(case, d["reply"], actor=request.user, on=d.get("on")))

    @extend_schema(request=CloseSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=CloseSerializer)
    def close(self, request, pk=None):
        case = self.get_object()
        if not permissions.can_close(request.user, case):  # before the body: a town account is told why
            raise PermissionDeniedError(f"{request.user} may not close", user_message="销号须由局机关人员办理，镇街账号无权销号 "
                                        "/ only bureau roles close cases")
        case, d = self._step(request, permissions.can_close, CloseSerializer)
        return self._out(services.close_case(case, d["result"], actor=request.user, note=d["note"], on=d.get("on")))

    @extend_schema(request=ReopenSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        case, d = self._step(request, permissions.can_close, ReopenSerializer)
        return self._out(services.reopen_case(case, d["reason"], actor=request.user))

    @extend_schema(responses={200: ContactSerializer})
    @action(detail=True, methods=["get"], serializer_class=ContactSerializer)
    def contact(self, request, pk=None):
        case = self.get_object()
        if not permissions.can_see_contact(request.user):
            raise PermissionDeniedError("contact refused", user_message=CONTACT_REFUSED)
        return Response({"complainant_name": case.complainant_name, "complainant_contact": case.complainant_contact})


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "year", "start_date", "end_date", "description"]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """专项执法检查 / enforcement campaigns (create them on the campaigns page)."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.all()
