"""Background tasks of the site: the worker's heartbeat, written at start and every minute.

``outfall worker`` (huey's consumer) imports every app's ``tasks.py``; later apps put their own
tasks there (``@db_task()``) and enqueue them from services with ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
import os
import socket

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

log = logging.getLogger("outfall.worker")

WORKER = "worker"


def beat(name: str = WORKER) -> None:
    """Write now as the last sign of life of process ``name``."""
    from django.utils import timezone

    from outfall.site.models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"time": timezone.now(), "host": socket.gethostname()[:100],
                                                            "pid": os.getpid()})


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: the worker is alive (``/healthz`` reads the age)."""
    beat()


@on_startup()
def heartbeat_at_start() -> None:
    """At start, so ``/healthz`` sees the worker before its first periodic run."""
    from django.db import close_old_connections

    try:
        beat()
    finally:
        close_old_connections()
    log.info("worker thread started")
