"""A stored trace (溯源记录) with the inputs and model version that reproduce it, and the
verification tasks (核查任务) that check its candidates on site. Rows change only through
``outfall.traces.services`` (which write history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TASK_STATES = [("open", _("待核查")), ("done", _("已完成"))]
TASK_RESULTS = [("discharging", _("存在排放")), ("not_discharging", _("未发现排放")), ("inconclusive", _("无法判断"))]


class Trace(models.Model):
    """One trace of ``parameter`` at ``section`` at time ``at`` (optionally started from an alert)."""

    section = models.ForeignKey("monitoring.Section", verbose_name="断面", on_delete=models.CASCADE,
                                related_name="traces")
    parameter = models.CharField("指标", max_length=12, help_text="registry code, e.g. NH3N")
    at = models.DateTimeField("溯源时间", help_text="time of the reading traced")
    alert = models.ForeignKey("alerts.Alert", verbose_name="预警", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="traces")
    decay_per_day = models.FloatField("衰减系数(1/d)", null=True, blank=True,
                                      help_text="asked first-order decay per day; empty: the parameter's default")
    window_h = models.FloatField("时间窗(h)", help_text="travel-time window and reading window, hours")
    inputs = models.JSONField("输入", help_text="everything the core was given (reproduces the trace)")
    result = models.JSONField("结果", help_text="TraceResult.as_dict() (the `outfall trace --format json` object)")
    notes = models.JSONField("说明", default=list, blank=True, help_text="defaults used and missing data, Chinese first")
    series = models.JSONField("观测与解释", default=list, blank=True,
                              help_text="[{section, times, observed, explained}] at each section in the model")
    map = models.JSONField("地图", default=dict, blank=True, help_text="reaches, sections and candidates to draw")
    candidates = models.ManyToManyField("ledger.Outfall", verbose_name="候选排污口", blank=True, related_name="traces")
    model_version = models.CharField("模型版本", max_length=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "溯源记录"
        verbose_name_plural = "溯源记录"

    def __str__(self) -> str:
        return f"溯源 {self.pk} {self.section.code} {self.parameter} {self.at:%Y-%m-%d %H:%M}"


class VerificationTask(models.Model):
    """核查任务: someone checks one candidate outfall of a trace on site and records the result."""

    trace = models.ForeignKey(Trace, verbose_name="溯源记录", on_delete=models.CASCADE, related_name="tasks")
    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", on_delete=models.CASCADE,
                                related_name="verification_tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="verification_tasks")
    deadline = models.DateField("期限", null=True, blank=True)
    state = models.CharField("状态", max_length=8, choices=TASK_STATES, default="open")
    result = models.CharField("核查结果", max_length=16, choices=TASK_RESULTS, blank=True)
    note = models.TextField("说明", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["state", "deadline", "id"]
        verbose_name = "核查任务"
        verbose_name_plural = "核查任务"
        constraints = [models.UniqueConstraint(fields=["trace", "outfall"], condition=models.Q(state="open"),
                                               name="one_open_task_per_trace_outfall")]

    def __str__(self) -> str:
        return f"核查 {self.pk} {self.outfall.code} ({self.get_state_display()})"
