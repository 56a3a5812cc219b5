"""ChangeRecord: one row per state change, written by the service that made it (STYLE rule 3)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import pgettext_lazy

#: Fields that change on every save and say nothing to a reader.
BOOKKEEPING_FIELDS = frozenset({"updated_at", "created_at", "id", "pk", "batch_id"})


class ChangeRecord(models.Model):
    ACTION_CHOICES = [
        ("create", pgettext_lazy("history action", "新建")),
        ("update", pgettext_lazy("history action", "修改")),
        ("delete", pgettext_lazy("history action", "删除")),
        ("cancel", pgettext_lazy("history action", "注销")),
        ("import", pgettext_lazy("history action", "导入")),
        ("attach", pgettext_lazy("history action", "添加附件")),
        ("detach", pgettext_lazy("history action", "删除附件")),
    ]

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=150)
    batch_id = models.UUIDField("批次", default=uuid.uuid4, db_index=True)
    action = models.CharField("动作", max_length=10, choices=ACTION_CHOICES)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, db_index=True)
    target_repr = models.CharField("对象", max_length=200)
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    related_id = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["related_type", "related_id"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every changed field, bookkeeping fields left out."""
        before, after = self.before or {}, self.after or {}
        keys = [k for k in {**before, **after} if k not in BOOKKEEPING_FIELDS]
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
