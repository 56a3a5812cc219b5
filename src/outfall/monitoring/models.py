"""Monitoring sections (监测断面) and readings of sections and outfalls.

Readings of sections and of outfalls live in two tables of one shape (``ReadingBase``), each with a
real foreign key and the idempotency key (site, parameter, time, source, basis) as a unique constraint.

``basis`` says what a value is: ``sample`` (every reading before the column existed, and the
default) or a reported statistic of a local day or month (``daily_avg`` … ``monthly_min``, e.g. a
monthly average from a self-monitoring report). It is in the key, not beside it: a statistic
reported for a time at which a sample of the same source exists is a second reading, never an
overwrite of the sample; re-importing a file upserts each row under the same key (idempotent); a
row re-imported with another basis is a new reading (the old one stays, as a row with another
source would). The alerts compare a statistic only with a limit of the same basis.
Values are stored in the parameter's registry unit (``outfall.core.standards``), the original
text kept in ``raw``. Rows change only through ``outfall.monitoring.services``.

The site column of a readings table has no index of its own: the unique key begins with it, so
a second index would only be written again for every reading. It keeps its database foreign-key
constraint (the database itself refuses a reading of a site that does not exist, whoever writes
it); the store (``outfall.monitoring.store``) also checks and locks the sites of each chunk once,
so a missing site is a clear error, not an integrity failure.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts import permissions
from outfall.accounts.labels import choices
from outfall.core.enums import SectionLevel, WaterClass, WaterType

SOURCE_CHOICES = [("manual", _("手工监测")), ("automatic", _("自动站")), ("online", _("在线监测")), ("lab", _("实验室")),
                  ("field", _("现场快检"))]
QUALIFIER_CHOICES = [("", "检出"), ("<", "未检出 (低于检出限)"), ("missing", "无数据")]
QC_CHOICES = [("ok", "有效"), ("suspect", "可疑"), ("invalid", "无效")]
BASIS_CHOICES = [("sample", "样品"), ("daily_avg", "日均值"), ("daily_max", "日最大值"), ("monthly_avg", "月均值"),
                 ("monthly_max", "月最大值"), ("monthly_min", "月最小值")]


class SectionQuerySet(permissions.BureauDataQuerySet, models.QuerySet):
    """Sections and reaches are the bureau's data (see accounts.permissions)."""


class Section(models.Model):
    """A river or lake monitoring section with its GB 3838 target class."""

    code = models.CharField("断面编码", max_length=40, unique=True)
    name = models.CharField("断面名称", max_length=100)
    level = models.CharField("级别", max_length=12, choices=choices(SectionLevel), default=SectionLevel.MUNICIPAL.value)
    water_type = models.CharField("水体类型", max_length=8, choices=choices(WaterType), default=WaterType.RIVER.value)
    target_class = models.CharField("水质目标", max_length=4, choices=choices(WaterClass), default=WaterClass.III.value)
    river = models.CharField("所在河流", max_length=100, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    original_lon = models.FloatField("原始经度")
    original_lat = models.FloatField("原始纬度")
    original_crs = models.CharField("原始坐标系", max_length=10, default="WGS84")
    town = models.ForeignKey("accounts.Town", verbose_name="所属镇街", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="sections")
    automatic_station = models.BooleanField("自动站", default=False)
    notes = models.TextField("备注", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "监测断面"
        verbose_name_plural = "监测断面"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReadingBase(models.Model):
    time = models.DateTimeField("监测时间")
    parameter = models.CharField("指标", max_length=12, help_text="registry code, e.g. NH3N")
    value = models.FloatField("监测值", null=True, blank=True, help_text="in the parameter's registry unit")
    qualifier = models.CharField("标识", max_length=8, choices=QUALIFIER_CHOICES, blank=True)
    detection_limit = models.FloatField("检出限", null=True, blank=True)
    unit = models.CharField("单位", max_length=16)
    raw = models.CharField("原始值", max_length=40, blank=True)
    source = models.CharField("来源", max_length=12, choices=SOURCE_CHOICES, default="manual")
    qc_flag = models.CharField("质控", max_length=8, choices=QC_CHOICES, default="ok")
    basis = models.CharField("依据", max_length=12, choices=BASIS_CHOICES, default="sample", db_default="sample",
                             help_text="sample, or the reported statistic (daily_avg … monthly_min)")
    batch_id = models.UUIDField("批次", default=uuid.uuid4)

    class Meta:
        abstract = True


class SectionReading(ReadingBase):
    # Indexed by the unique key (see the module docstring).
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="readings", db_index=False)

    class Meta:
        verbose_name = "断面监测数据"
        verbose_name_plural = "断面监测数据"
        # One index: the idempotency key, ordered for "a parameter's series at a site".
        constraints = [models.UniqueConstraint(fields=["section", "parameter", "time", "source", "basis"],
                                               name="section_reading_key")]


class OutfallReading(ReadingBase):
    outfall = models.ForeignKey("ledger.Outfall", on_delete=models.CASCADE, related_name="readings",
                                db_index=False)  # as SectionReading.section

    class Meta:
        verbose_name = "排污口监测数据"
        verbose_name_plural = "排污口监测数据"
        constraints = [models.UniqueConstraint(fields=["outfall", "parameter", "time", "source", "basis"],
                                               name="outfall_reading_key")]


class ReadingBatch(models.Model):
    """One import or push of readings: the unit of history for readings (rows are many)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.CharField("文件", max_length=200)
    kind = models.CharField("格式", max_length=20, default="long")
    rows = models.PositiveIntegerField("行数")
    section_rows = models.PositiveIntegerField("断面数据行数", default=0)
    outfall_rows = models.PositiveIntegerField("排污口数据行数", default=0)
    skipped = models.PositiveIntegerField("跳过行数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "监测数据批次"
        verbose_name_plural = "监测数据批次"

    def __str__(self) -> str:
        return f"{self.file} ({self.rows} 行)"


class StationBinding(models.Model):
    """站点授权: an account allowed to write the readings of one section or one outfall.

    Meant for the service account of an automatic station or a data platform: its token may push
    readings only for the sites bound to it (``outfall.monitoring.permissions``). A binding adds to
    what the account's role already allows; it never takes anything away. Exactly one of
    ``section`` and ``outfall`` is set. Changed only by ``add_station_binding`` and
    ``remove_station_binding`` (history in each).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="station_bindings")
    section = models.ForeignKey(Section, verbose_name="监测断面", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="station_bindings")
    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="station_bindings")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        ordering = ["user_id", "id"]
        verbose_name = "站点授权"
        verbose_name_plural = "站点授权"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(section__isnull=False, outfall__isnull=True)
                           | models.Q(section__isnull=True, outfall__isnull=False)),
                name="station_binding_one_site",
                violation_error_message="请选择一个断面或一个排污口（只选其一） / choose one section or one outfall"),
            models.UniqueConstraint(fields=["user", "section"], condition=models.Q(section__isnull=False),
                                    name="station_binding_user_section",
                                    violation_error_message="该账号已绑定此站点 / already bound to this site"),
            models.UniqueConstraint(fields=["user", "outfall"], condition=models.Q(outfall__isnull=False),
                                    name="station_binding_user_outfall",
                                    violation_error_message="该账号已绑定此站点 / already bound to this site"),
        ]

    @property
    def site(self):
        return self.section if self.section_id else self.outfall

    def __str__(self) -> str:
        return f"{self.user} → {self.site}"
