"""Site-wide bookkeeping: the background worker's heartbeat (read by ``/healthz``)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a background process said it was alive; one row per process kind ("worker").

    Runtime state, not data: a backup leaves it out.
    """

    name = models.CharField("进程", max_length=40, primary_key=True)
    time = models.DateTimeField("最近心跳")
    host = models.CharField("主机", max_length=100, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.time:%Y-%m-%d %H:%M:%S}"
