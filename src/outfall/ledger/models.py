"""The ledger (台账): outfalls, their responsible parties and photos.

Attributes follow shared/reference/standards.md §3.2 (HJ 1312-2023 types) and §5.1 (ledger fields).
Rows change only through ``outfall.ledger.services`` (which write history); never call ``save()``
on these models from a view, a serializer, the admin or a command.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts import permissions
from outfall.accounts.labels import choices
from outfall.core.enums import (
    ApprovalState,
    DischargeNature,
    DischargeRegularity,
    EntryMode,
    OutfallStatus,
    Role,
)


class OutfallQuerySet(models.QuerySet):
    """The one place that decides which outfalls a user may see and change."""

    def visible_to(self, user):
        if not permissions.can_read(user):
            return self.none()
        return self

    def editable_by(self, user):
        towns = permissions.editable_town_ids(user)
        if towns is None:
            return self
        return self.filter(town_id__in=towns)

    def active(self):
        return self.exclude(status=OutfallStatus.CANCELLED.value)


class ResponsibleParty(models.Model):
    """责任主体: an enterprise or authority answerable for one or more outfalls."""

    name = models.CharField("名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True,
                            help_text="18 位，按 GB 32100-2015 校验")
    industry = models.CharField("行业", max_length=100, blank=True)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "责任主体"
        verbose_name_plural = "责任主体"

    def __str__(self) -> str:
        return self.name


class Outfall(models.Model):
    """入河排污口: a point where wastewater enters a river, lake or reservoir."""

    code = models.CharField("排污口编码", max_length=40, unique=True, help_text="内部编码，默认为区划代码+类型字母+序号")
    national_code = models.CharField("国家平台编码", max_length=60, null=True, blank=True, unique=True)
    name = models.CharField("排污口名称", max_length=200)
    type_l1 = models.CharField("一级类型", max_length=40, db_index=True)
    type_l2 = models.CharField("二级类型", max_length=60, blank=True)
    type_l3 = models.CharField("三级类型", max_length=60, blank=True)

    lon = models.FloatField("经度", help_text="CGCS2000/WGS84，度")
    lat = models.FloatField("纬度", help_text="CGCS2000/WGS84，度")
    original_lon = models.FloatField("原始经度")
    original_lat = models.FloatField("原始纬度")
    original_crs = models.CharField("原始坐标系", max_length=10, default="WGS84")
    address = models.CharField("地址", max_length=300, blank=True)
    town = models.ForeignKey("accounts.Town", verbose_name="所属镇街", on_delete=models.PROTECT, related_name="outfalls")
    receiving_water = models.CharField("受纳水体", max_length=100, db_index=True)

    entry_mode = models.CharField("入河方式", max_length=20, choices=choices(EntryMode), blank=True)
    discharge_regularity = models.CharField("排放规律", max_length=20, choices=choices(DischargeRegularity), blank=True)
    design_discharge_m3_d = models.FloatField("设计排放量(m³/d)", null=True, blank=True)
    discharge_nature = models.CharField("排放性质", max_length=20, choices=choices(DischargeNature), blank=True)
    responsible_parties = models.ManyToManyField(ResponsibleParty, verbose_name="责任主体", blank=True,
                                                 related_name="outfalls")
    status = models.CharField("状态", max_length=20, choices=choices(OutfallStatus),
                              default=OutfallStatus.IN_USE.value, db_index=True)
    approval = models.CharField("设置审批/备案", max_length=12, choices=choices(ApprovalState),
                                default=ApprovalState.UNKNOWN.value)
    approval_number = models.CharField("审批/备案文号", max_length=100, blank=True)
    online_monitoring = models.BooleanField("在线监测", default=False)
    video_monitoring = models.BooleanField("视频监控", default=False)
    notes = models.TextField("备注", blank=True)
    cancel_reason = models.CharField("注销原因", max_length=300, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="并入排污口", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from",
                                    help_text="清理合并销号后，本排污口并入的排污口 (set by the remediation sign-off)")
    is_demo = models.BooleanField("演示数据", default=False)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OutfallQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "入河排污口"
        verbose_name_plural = "入河排污口"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def type_label(self) -> str:
        from outfall.ledger.type_names import type_name

        return " / ".join(type_name(x) for x in (self.type_l1, self.type_l2, self.type_l3) if x)


def photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"photos/{instance.outfall.code}/{instance.kind}-{instance.uuid}.{ext}"


class Photo(models.Model):
    """A site or monitoring photo of an outfall (standards.md §5.1: 4 site + 4 monitoring photos)."""

    KIND_CHOICES = [
        ("site", _("现场照片")), ("signboard", _("标志牌")), ("sampling_point", _("采样点")),
        ("sampling", _("采样/测流")), ("bottle", _("样品瓶")), ("quick_test", _("快检结果")), ("other", _("其他")),
    ]

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    outfall = models.ForeignKey(Outfall, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("照片类型", max_length=20, choices=KIND_CHOICES, default="site")
    image = models.FileField("图片", upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.caption}".strip()


class ExportJobQuerySet(models.QuerySet):
    """The one place that decides who may see an export job and fetch its file: the user who asked
    for it, and administrators."""

    def visible_to(self, user):
        if not permissions.can_read(user):
            return self.none()
        if user.role_enum == Role.ADMIN:
            return self
        return self.filter(requester=user)


class ExportJob(models.Model):
    """A ledger export too large to write inside a request: queued, written by the worker into a file
    under the data directory, downloaded by the user who asked for it, removed after a retention."""

    STATE_CHOICES = [("queued", _("排队中")), ("running", _("导出中")), ("done", _("已完成")), ("failed", _("失败"))]

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    format = models.CharField("格式", max_length=10, default="xlsx")
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default="queued", db_index=True)
    rows = models.PositiveIntegerField("行数", default=0, help_text="排队时估计，完成时为实际写出的行数")
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    file_name = models.CharField("文件", max_length=200, blank=True,
                                 help_text="相对于数据目录下 exports/ 的文件名；过期删除后清空")
    size_bytes = models.PositiveBigIntegerField("文件大小(字节)", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    removed_at = models.DateTimeField("文件删除时间", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return f"导出 #{self.pk} ({self.format}, {self.rows} 行)"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def progress_pct(self) -> int:
        if self.state == "done":
            return 100
        return min(99, int(100 * self.rows_done / self.rows)) if self.rows else 0
