"""Users with one role each, and towns (镇街), the unit of local responsibility."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.core.enums import Role


class Town(models.Model):
    """A town (镇) or sub-district (街道) of the area; town staff may edit only their own."""

    KIND_CHOICES = [("subdistrict", _("街道")), ("town", _("镇")), ("township", _("乡")), ("zone", _("功能区"))]

    code = models.CharField("代码", max_length=12, unique=True, help_text="9 位乡级区划代码或自定义代码")
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=12, choices=KIND_CHOICES, default="town")
    boundary = models.JSONField("边界 (GeoJSON)", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "镇街"
        verbose_name_plural = "镇街"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A user with one role; town staff are bound to one town."""

    role = models.CharField("角色", max_length=12, choices=choices(Role), default=Role.VIEWER.value)
    town = models.ForeignKey(Town, verbose_name="所属镇街", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="users")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def role_enum(self) -> Role:
        if self.is_superuser:
            return Role.ADMIN
        return Role(self.role)

    @property
    def edits_everything(self) -> bool:
        """Admins and bureau staff may edit every record of the area."""
        return self.is_active and self.role_enum in (Role.ADMIN, Role.BUREAU)
