"""Cases (案件): inspection hand-overs (督察交办件), complaints (信访), enforcement campaign findings
(专项执法检查发现问题), trace verifications, alerts and field findings, each driven from intake to
close (销号); campaigns; handling notes with evidence. Rows change only through
``outfall.cases.services`` (which write history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from outfall.accounts.labels import choices
from outfall.core.enums import CaseResult, CaseSource, CaseState, ComplaintChannel


class Campaign(models.Model):
    """专项执法检查: an enforcement campaign whose findings are cases of source ``campaign``."""

    name = models.CharField("名称", max_length=100, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "专项执法检查"
        verbose_name_plural = "专项执法检查"

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One case, from intake (受理) to close (销号); see :mod:`outfall.core.cases.rules`."""

    source = models.CharField("来源", max_length=24, choices=choices(CaseSource))
    batch = models.CharField("批次", max_length=40, blank=True)
    number = models.CharField("编号", max_length=60, help_text="交办编号/受理编号; unique per source")
    title = models.CharField("标题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    problem_type = models.CharField("问题类型", max_length=60, blank=True)
    intake_date = models.DateField("受理日期")
    deadline = models.DateField("办理期限", help_text="reply deadline; default intake + OUTFALL_CASE_DEADLINE_DAYS")
    channel = models.CharField("信访渠道", max_length=8, choices=choices(ComplaintChannel), blank=True)
    complainant_name = models.CharField("信访人", max_length=60, blank=True, help_text="private: bureau roles only")
    complainant_contact = models.CharField("联系方式", max_length=100, blank=True, help_text="private: bureau roles only")
    outfalls = models.ManyToManyField("ledger.Outfall", verbose_name="涉及排污口", blank=True, related_name="cases")
    sections = models.ManyToManyField("monitoring.Section", verbose_name="涉及断面", blank=True, related_name="cases")
    towns = models.ManyToManyField("accounts.Town", verbose_name="涉及镇街", blank=True, related_name="cases")
    verification_task = models.ForeignKey("traces.VerificationTask", verbose_name="核查任务", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="cases")
    alert = models.ForeignKey("alerts.Alert", verbose_name="预警", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cases")
    campaign = models.ForeignKey(Campaign, verbose_name="专项执法检查", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    state = models.CharField("状态", max_length=10, choices=choices(CaseState), default=CaseState.INTAKE.value)
    assigned_town = models.ForeignKey("accounts.Town", verbose_name="承办镇街", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="assigned_cases")
    assigned_department = models.CharField("承办部门", max_length=100, blank=True)
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    result = models.CharField("办理结果", max_length=20, choices=choices(CaseResult), blank=True)
    result_note = models.TextField("办结说明", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-intake_date", "-id"]
        verbose_name = "案件"
        verbose_name_plural = "案件"
        constraints = [models.UniqueConstraint(fields=["source", "number"], name="case_number_unique_per_source")]
        indexes = [models.Index(fields=["state", "deadline"]), models.Index(fields=["intake_date"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title[:40]}"

    @property
    def source_enum(self) -> CaseSource:
        return CaseSource(self.source)

    @property
    def state_enum(self) -> CaseState:
        return CaseState(self.state)


class CaseNote(models.Model):
    """A handling note (办理记录) with an optional evidence file (photo, PDF, Word, Excel)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("内容")
    file = models.FileField("附件", upload_to="cases/%Y/%m/", blank=True)
    file_name = models.CharField("附件名", max_length=200, blank=True)
    content_type = models.CharField("附件类型", max_length=100, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField("记录人姓名", max_length=150)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.case.number} {self.created_at:%Y-%m-%d} {self.text[:30]}"
