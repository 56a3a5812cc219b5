"""Alerts (预警) and what hangs off them: steps of the lifecycle, sensitive receptors, outfall
discharge limits, notification channels, subscriptions and delivery attempts.

An alert is one *episode* of one rule on one series (site, parameter, basis): it opens at the first
flagged reading and stays ``episode_open`` until the first reading that no longer trips the rule.
Its human lifecycle (``state``) is separate and moves only through ``outfall.alerts.lifecycle``.
Rows change only through the services (``outfall.alerts.services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.core.enums import AlertRule, AlertSeverity, AlertState
from outfall.core.warning import BASES, KINDS

SITE_KINDS = [("section", _("断面")), ("outfall", _("排污口"))]
BASIS_CHOICES = [(b, b) for b in BASES]
KIND_CHOICES = [(k, {"max": _("上限"), "min": _("下限")}[k]) for k in KINDS]


#: The lifecycle's choices, one set for every field that holds a state (named once in the API schema).
STATE_CHOICES = choices(AlertState)

class Alert(models.Model):
    """One episode of one rule on one series; ``opened_at`` is the time of its first reading."""

    site_kind = models.CharField("站点类型", max_length=8, choices=SITE_KINDS)
    section = models.ForeignKey("monitoring.Section", verbose_name="断面", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="alerts")
    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="alerts")
    site_code = models.CharField("站点编码", max_length=40)
    parameter = models.CharField("指标", max_length=12)
    rule = models.CharField("规则", max_length=12, choices=choices(AlertRule))
    basis = models.CharField("依据", max_length=12, choices=BASIS_CHOICES, default="sample")
    severity = models.CharField("级别", max_length=8, choices=choices(AlertSeverity))
    state = models.CharField("状态", max_length=12, choices=STATE_CHOICES, default=AlertState.NEW.value)
    episode_open = models.BooleanField("持续中", default=True,
                                       help_text="the rule still fires on the latest reading (recovery clears it)")
    opened_at = models.DateTimeField("开始时间", help_text="time of the first reading of the episode")
    last_time = models.DateTimeField("最新读数时间")
    recovered_at = models.DateTimeField("恢复时间", null=True, blank=True)
    value = models.FloatField("最新值", null=True, help_text="latest flagged value, registry unit")
    limit = models.FloatField("限值", null=True, blank=True, help_text="registry unit; none for a jump without limit")
    limit_kind = models.CharField("限值类型", max_length=6, blank=True)
    multiple = models.FloatField("超标倍数", null=True, blank=True, help_text="(C − L) / L, largest of the episode")
    exceedance_pct = models.FloatField("超标率(%)", null=True, blank=True)
    peak = models.FloatField("峰值", null=True, help_text="most extreme value of the episode, registry unit")
    readings_count = models.PositiveIntegerField("读数次数", default=1)
    rules_version = models.PositiveIntegerField("规则版本")
    receptors = models.JSONField("下游敏感目标", default=list, blank=True,
                                 help_text="[{section, name, kind, distance_km, travel_time_h}]")
    explanation_zh = models.TextField("说明")
    explanation_en = models.TextField("说明 (English)", blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_alerts")
    town = models.ForeignKey("accounts.Town", verbose_name="所属镇街", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="alerts")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-last_time", "-id"]
        verbose_name = "预警"
        verbose_name_plural = "预警"
        constraints = [
            models.UniqueConstraint(fields=["site_kind", "site_code", "parameter", "rule", "basis", "opened_at"],
                                    name="alert_episode_key"),
            models.UniqueConstraint(fields=["site_kind", "site_code", "parameter", "rule", "basis"],
                                    condition=models.Q(episode_open=True), name="alert_one_open_episode"),
        ]
        indexes = [models.Index(fields=["state", "-last_time"], name="alert_state_time")]

    @property
    def site(self):
        return self.section if self.site_kind == "section" else self.outfall

    @property
    def rule_enum(self) -> AlertRule:
        return AlertRule(self.rule)

    @property
    def state_enum(self) -> AlertState:
        return AlertState(self.state)

    @property
    def severity_enum(self) -> AlertSeverity:
        return AlertSeverity(self.severity)

    def __str__(self) -> str:
        return f"{self.site_code} {self.parameter} {AlertRule(self.rule).label} {self.opened_at:%Y-%m-%d %H:%M}"


class AlertStep(models.Model):
    """One step of an alert's lifecycle (the timeline on the alert page)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField("原状态", max_length=12, choices=STATE_CHOICES, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=STATE_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=150)
    note = models.TextField("说明", blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    time = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = "预警处置步骤"
        verbose_name_plural = "预警处置步骤"

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.from_state or '—'} → {self.to_state}"


class Receptor(models.Model):
    """A sensitive receptor (敏感目标) at a monitoring section: a drinking-water source or an
    assessed section downstream of which an alert is more urgent."""

    KINDS = [("drinking_water", _("饮用水水源地")), ("national", _("国控考核断面")), ("provincial", _("省控考核断面"))]

    section = models.OneToOneField("monitoring.Section", verbose_name="断面", on_delete=models.CASCADE,
                                   related_name="receptor")
    kind = models.CharField("类型", max_length=16, choices=KINDS)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "敏感目标"
        verbose_name_plural = "敏感目标"

    def __str__(self) -> str:
        return f"{self.section} ({self.get_kind_display()})"


class OutfallLimit(models.Model):
    """A discharge limit of one outfall (permit or discharge standard), in the registry unit."""

    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", on_delete=models.CASCADE,
                                related_name="limits")
    parameter = models.CharField("指标", max_length=12, help_text="registry code")
    limit = models.FloatField("限值", help_text="in the parameter's registry unit")
    entered_value = models.CharField("录入值", max_length=40)
    entered_unit = models.CharField("录入单位", max_length=16)
    kind = models.CharField("类型", max_length=4, choices=KIND_CHOICES, default="max")
    basis = models.CharField("依据", max_length=12, choices=BASIS_CHOICES, default="sample")
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outfall_id", "parameter", "basis", "valid_from"]
        verbose_name = "排放限值"
        verbose_name_plural = "排放限值"
        # One limit per (outfall, parameter, basis, start); an open start (NULL) counts once too. Two
        # partial constraints instead of nulls_distinct=False, which SQLite does not support.
        constraints = [
            models.UniqueConstraint(fields=["outfall", "parameter", "basis", "valid_from"], name="outfall_limit_key",
                                    condition=models.Q(valid_from__isnull=False)),
            models.UniqueConstraint(fields=["outfall", "parameter", "basis"], name="outfall_limit_key_open",
                                    condition=models.Q(valid_from__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.outfall_id} {self.parameter} {self.kind} {self.limit} ({self.basis})"


class Channel(models.Model):
    """Where notifications go: an e-mail list or a group-bot webhook (checked at entry)."""

    KINDS = [("email", _("电子邮件")), ("webhook", _("通用 Webhook")), ("wecom", _("企业微信群机器人")),
             ("dingtalk", _("钉钉群机器人"))]

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=12, choices=KINDS)
    url = models.CharField("地址", max_length=500, blank=True, help_text="http(s) URL of a webhook or bot")
    secret = models.CharField("密钥", max_length=200, blank=True, help_text="DingTalk signing secret (SEC…)")
    recipients = models.TextField("收件人", blank=True, help_text="e-mail addresses, one per line or comma-separated")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "通知渠道"
        verbose_name_plural = "通知渠道"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Subscription(models.Model):
    """Which alerts a channel receives: optionally one town, section or rule, at a minimum severity."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="subscriptions")
    town = models.ForeignKey("accounts.Town", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey("monitoring.Section", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    rule = models.CharField("规则", max_length=12, choices=choices(AlertRule), blank=True)
    min_severity = models.CharField("最低级别", max_length=8, choices=choices(AlertSeverity),
                                    default=AlertSeverity.LOW.value)

    class Meta:
        verbose_name = "通知订阅"
        verbose_name_plural = "通知订阅"

    def matches(self, alert: Alert) -> bool:
        return ((self.town_id is None or self.town_id == alert.town_id)
                and (self.section_id is None or self.section_id == alert.section_id)
                and (not self.rule or self.rule == alert.rule)
                and AlertSeverity(alert.severity).rank >= AlertSeverity(self.min_severity).rank)

    def __str__(self) -> str:
        return f"{self.channel} ≥ {self.min_severity}"


class Delivery(models.Model):
    """One attempt to send one alert's message over one channel (every attempt is kept)."""

    STATUS = [("sent", _("已发送")), ("failed", _("失败"))]

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField("事件", max_length=20, default="new")
    attempt = models.PositiveSmallIntegerField("第几次")
    status = models.CharField("结果", max_length=8, choices=STATUS)
    http_status = models.PositiveSmallIntegerField("HTTP 状态码", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    time = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = "通知记录"
        verbose_name_plural = "通知记录"

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.channel} #{self.attempt} {self.status}"
