"""Remediation tasks (整治任务) of outfalls, their timeline (progress updates and the steps of the
lifecycle) with evidence files, and the reminders sent when a task is due soon or overdue.

Rows change only through ``outfall.remediation.services`` (which write history).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.core.enums import RemediationMeasure, RemediationState

#: Kinds of timeline entries: a progress note, or one step of the lifecycle.
ENTRY_KINDS = [("created", _("创建任务")), ("progress", _("整治进展")), ("start", _("开始整治")),
               ("request_close", _("申请销号")), ("sign_off", _("审核销号")), ("reopen", _("重新打开"))]
EVIDENCE_KINDS = [("photo", _("照片")), ("document", _("文件"))]
REMINDER_KINDS = [("due_soon", _("即将到期")), ("overdue", _("已逾期"))]


class RemediationTask(models.Model):
    """整治任务: one outfall, one measure (依法取缔 / 清理合并 / 规范整治), a plan and a deadline."""

    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", on_delete=models.PROTECT,
                                related_name="remediation_tasks")
    measure = models.CharField("整治措施", max_length=12, choices=choices(RemediationMeasure))
    merge_into = models.ForeignKey("ledger.Outfall", verbose_name="并入排污口", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text="清理合并: the outfall this one joins")
    plan = models.TextField("整治方案")
    responsible_party = models.ForeignKey("ledger.ResponsibleParty", verbose_name="责任主体", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="remediation_tasks")
    department = models.CharField("责任部门", max_length=100, blank=True)
    start_date = models.DateField("开始日期", help_text="when the task was set; the deadline may not be earlier")
    deadline = models.DateField("整改期限")
    parameter = models.CharField("评估指标", max_length=12, default="NH3N",
                                 help_text="registry code of the parameter the effect check compares")
    state = models.CharField("状态", max_length=16, choices=choices(RemediationState),
                             default=RemediationState.PLANNED.value, db_index=True)
    started_at = models.DateTimeField("开始整治时间", null=True, blank=True)
    close_requested_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    signed_off_at = models.DateTimeField("销号时间", null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="销号人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "整治任务"
        verbose_name_plural = "整治任务"

    def __str__(self) -> str:
        return f"整治 #{self.pk} {self.outfall.code} {RemediationMeasure(self.measure).label}"


class ProgressUpdate(models.Model):
    """One line of a task's timeline: a progress note (整治进展) or a step, with its text."""

    task = models.ForeignKey(RemediationTask, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField("类型", max_length=16, choices=ENTRY_KINDS)
    text = models.TextField("内容", blank=True)
    time = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("记录人", max_length=150)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = "整治进展"
        verbose_name_plural = "整治进展"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.time:%Y-%m-%d}"


def evidence_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"remediation/{instance.update.task_id}/{instance.uuid}.{ext}"


class Evidence(models.Model):
    """A photo or a document attached to a progress update (整改佐证材料)."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("类型", max_length=10, choices=EVIDENCE_KINDS)
    file = models.FileField("文件", upload_to=evidence_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """A due-soon or overdue message of a task, sent once per task, kind and deadline (the worker's
    periodic job skips what is already here)."""

    task = models.ForeignKey(RemediationTask, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("类型", max_length=10, choices=REMINDER_KINDS)
    deadline = models.DateField("期限")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    channels = models.PositiveSmallIntegerField("渠道数", default=0)
    failed = models.PositiveSmallIntegerField("失败数", default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "整治提醒"
        verbose_name_plural = "整治提醒"
        constraints = [models.UniqueConstraint(fields=["task", "kind", "deadline"], name="one_reminder_per_deadline")]

    def __str__(self) -> str:
        return f"#{self.task_id} {self.kind} {self.deadline}"
