"""Field inspections (现场巡查) of outfalls, recorded on a phone, and their photos.

An inspection holds the inspector's position (browser geolocation, WGS84) and its distance to the
ledger position, the observations (standards.md §5.1 "Field checks"), notes and a finding. Its
quick-test values are readings (``monitoring.OutfallReading``, source ``field``) of the batch
``reading_batch``. ``client_key`` is the UUID the phone gives a draft: sending the draft again finds
the same inspection instead of adding one (the idempotency key of the page and the API).

Rows change only through ``outfall.inspections.services`` (which write history). The app sits
above ``cases`` (a finding opens a case) and below ``mapui``/``site`` (STYLE rule 16).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.core.inspections import Discharging, Foam, Odour, WaterColour

FLOW_UNIT_CHOICES = [("L/s", "L/s"), ("m3/d", "m³/d")]
PHOTO_KINDS = [("site", _("现场照片")), ("quick_test", _("快检结果"))]


class Inspection(models.Model):
    """One visit to one outfall by one inspector."""

    client_key = models.UUIDField("草稿标识", unique=True, help_text="UUID made by the phone for the draft (idempotency key)")
    outfall = models.ForeignKey("ledger.Outfall", verbose_name="排污口", on_delete=models.CASCADE,
                                related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="巡查人", null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    inspected_at = models.DateTimeField("巡查时间", db_index=True)
    lon = models.FloatField("经度", null=True, blank=True, help_text="WGS84 degrees, from the browser's geolocation")
    lat = models.FloatField("纬度", null=True, blank=True, help_text="WGS84 degrees")
    accuracy_m = models.FloatField("定位精度(m)", null=True, blank=True)
    distance_m = models.FloatField("距台账位置(m)", null=True, blank=True,
                                   help_text="great-circle distance to the outfall's ledger position, metres")
    far = models.BooleanField("位置偏离", default=False,
                              help_text="distance_m above OUTFALL_INSPECTION_MAX_DISTANCE_M when recorded")
    discharging = models.CharField("是否正在排水", max_length=8, choices=choices(Discharging))
    colour = models.CharField("颜色", max_length=8, choices=choices(WaterColour), default="none")
    odour = models.CharField("气味", max_length=8, choices=choices(Odour), default="none")
    foam = models.CharField("泡沫/油膜", max_length=8, choices=choices(Foam), default="none")
    flow_value = models.FloatField("估算流量", null=True, blank=True, help_text="as stated, in flow_unit")
    flow_unit = models.CharField("流量单位", max_length=6, choices=FLOW_UNIT_CHOICES, blank=True)
    flow_m3_d = models.FloatField("估算流量(m³/d)", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    finding = models.TextField("发现的问题", blank=True)
    open_case = models.BooleanField("申请立案", default=False, help_text="the inspector asked for a case")
    reading_batch = models.UUIDField("快检数据批次", null=True, blank=True,
                                     help_text="monitoring ReadingBatch of the quick-test readings")
    reading_count = models.PositiveSmallIntegerField("快检项数", default=0)
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="inspections", help_text="the case (现场巡查发现) its finding opened")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        ordering = ["-inspected_at", "-id"]
        verbose_name = "现场巡查"
        verbose_name_plural = "现场巡查"

    def __str__(self) -> str:
        return f"{self.outfall.code} {self.inspected_at:%Y-%m-%d %H:%M}"


def photo_path(instance, filename: str) -> str:
    return f"inspections/{instance.inspection.outfall.code}/{instance.kind}-{instance.uuid}.{instance.extension}"


class InspectionPhoto(models.Model):
    """A photo taken during an inspection: the site, or a quick-test result (strip, meter display)."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    inspection = models.ForeignKey(Inspection, verbose_name="巡查", on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("照片类型", max_length=12, choices=PHOTO_KINDS, default="site")
    image = models.FileField("图片", upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = "巡查照片"
        verbose_name_plural = "巡查照片"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/webp": "webp"}.get(self.content_type, "jpg")
