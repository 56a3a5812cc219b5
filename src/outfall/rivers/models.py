"""The river network as stored: rivers, reaches drawn in flow direction, and where each outfall and
section sits on it (its snap). The network object the core navigates is rebuilt from these rows
(``outfall.rivers.selectors.current_network``); rows change only through ``rivers.services``."""

from __future__ import annotations

from django.db import models

from outfall.accounts import permissions

KIND_CHOICES = [("river", "河流"), ("lake", "湖泊"), ("reservoir", "水库")]


class ReachQuerySet(permissions.BureauDataQuerySet, models.QuerySet):
    """Sections and reaches are the bureau's data (see accounts.permissions)."""


class River(models.Model):
    """A named water body: the reaches that share a name."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES, default="river")

    class Meta:
        ordering = ["name"]
        verbose_name = "河流"
        verbose_name_plural = "河流"

    def __str__(self) -> str:
        return self.name


class Reach(models.Model):
    """河段: a stretch of river between two junctions, drawn in flow direction (last vertex downstream)."""

    reach_id = models.CharField("河段编号", max_length=64, unique=True)
    river = models.ForeignKey(River, verbose_name="河流", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="reaches")
    name = models.CharField("名称", max_length=100, blank=True)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES, default="river")
    to_id = models.CharField("下游河段", max_length=64, null=True, blank=True)
    from_node = models.CharField("起点节点", max_length=64, null=True, blank=True)
    to_node = models.CharField("终点节点", max_length=64, null=True, blank=True)
    level_path = models.CharField("主干编号", max_length=64, blank=True)
    divergence = models.PositiveSmallIntegerField("分流", default=0, help_text="0 无, 1 主支, 2 次支 (NHDPlus)")
    length_m = models.FloatField("长度(m)", help_text="geodesic metres, computed")
    velocity_m_s = models.FloatField("流速(m/s)", null=True, blank=True)
    flow_m3_s = models.FloatField("流量(m³/s)", null=True, blank=True)
    coords = models.JSONField("几何", help_text="[[lon, lat], ...] WGS84, in flow direction")
    properties = models.JSONField("其他属性", default=dict, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    objects = ReachQuerySet.as_manager()

    class Meta:
        ordering = ["reach_id"]
        verbose_name = "河段"
        verbose_name_plural = "河段"

    def __str__(self) -> str:
        return f"{self.reach_id} {self.name}".strip()


class Snap(models.Model):
    """Where an outfall or a section sits on the network (exactly one of the two is set)."""

    outfall = models.OneToOneField("ledger.Outfall", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="snap")
    section = models.OneToOneField("monitoring.Section", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="snap")
    reach = models.ForeignKey(Reach, on_delete=models.CASCADE, related_name="snaps")
    measure = models.FloatField("位置", help_text="fraction of the reach from its upstream end, 0..1")
    distance_m = models.FloatField("吸附距离(m)")
    far = models.BooleanField("距离过远", default=False)

    class Meta:
        verbose_name = "河网位置"
        verbose_name_plural = "河网位置"
        constraints = [models.CheckConstraint(
            condition=(models.Q(outfall__isnull=False, section__isnull=True)
                       | models.Q(outfall__isnull=True, section__isnull=False)),
            name="snap_one_site")]

    def __str__(self) -> str:
        return f"{self.outfall or self.section} → {self.reach.reach_id} @ {self.measure:.3f}"


class NetworkVersion(models.Model):
    """One imported network: written with its reaches by ``rivers.services.import_rivers``, it holds
    the navigation index (``outfall.core.network.store``) and the validation report, so no process
    or page rebuilds them. The latest row is the current network."""

    created = models.DateTimeField("导入时间", auto_now_add=True)
    batch_id = models.UUIDField("批次", null=True, blank=True)
    reaches = models.PositiveIntegerField("河段数")
    ids_digest = models.CharField("河段编号摘要", max_length=64, help_text="SHA-256 of the reach ids in pk order")
    index = models.BinaryField("导航索引", help_text="uncompressed .npz of the index arrays")
    report = models.JSONField("检查报告", default=dict, blank=True, help_text="the validation report at import")

    class Meta:
        ordering = ["-pk"]
        verbose_name = "河网版本"
        verbose_name_plural = "河网版本"

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} ({self.reaches} 河段)"
