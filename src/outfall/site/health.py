"""``/healthz``: is every part of the system up? (no login; for load balancers and containers)

The checks are a registry (STYLE rule 10): :data:`CHECKS` maps a short name to a callable, or to the
dotted path of one, that takes nothing and returns a dict with ``"status": "up"`` or ``"down"`` and
any details. A check that raises is reported down with the error. An app adds its own check with
:func:`register` in its ``AppConfig.ready()`` (or a line in :data:`CHECKS`); the built-in checks are
registered the same way.

The answer is ``200`` with ``{"status": "up", "checks": {...}}`` when every check is up, else
``503`` with ``"status": "down"``.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

__all__ = ["CHECKS", "register", "run_checks", "healthz"]

log = logging.getLogger("outfall.health")

#: name → callable or dotted path of ``f() -> {"status": "up"|"down", ...}``.
CHECKS: dict[str, Callable[[], dict] | str] = {
    "database": "outfall.site.health.check_database",
    "migrations": "outfall.site.health.check_migrations",
    "worker": "outfall.site.health.check_worker",
    "disk": "outfall.site.health.check_disk",
}


def register(name: str, check: Callable[[], dict] | str) -> None:
    """Add (or replace) the check ``name``."""
    CHECKS[name] = check


def _up(ok: bool, **details) -> dict:
    return {"status": "up" if ok else "down", **details}


def check_database() -> dict:
    """A query answers (``SELECT 1``); the time it took in ms."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return _up(True, vendor=connection.vendor, ms=round((time.perf_counter() - start) * 1000, 1))


def check_migrations() -> dict:
    """Every migration of the installed code is applied to the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    return _up(not pending, pending=pending) if pending else _up(True)


def check_worker() -> dict:
    """The worker's last heartbeat is younger than ``OUTFALL_WORKER_MAX_AGE`` seconds."""
    from outfall.site.models import Heartbeat
    from outfall.site.tasks import WORKER

    max_age = settings.OUTFALL_WORKER_MAX_AGE
    beat = Heartbeat.objects.filter(name=WORKER).first()
    if beat is None:
        return _up(False, detail="not running (no heartbeat yet; start `outfall worker`)", max_age_s=max_age)
    age = round((timezone.now() - beat.time).total_seconds(), 1)
    return _up(age <= max_age, age_s=age, max_age_s=max_age, last=beat.time.isoformat(), host=beat.host,
               **({} if age <= max_age else {"detail": "not running (heartbeat too old)"}))


def check_disk() -> dict:
    """Free space in DATA_DIR is at least ``OUTFALL_HEALTH_MIN_FREE_MB`` MiB."""
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_mb = usage.free // (1024 * 1024)
    minimum = settings.OUTFALL_HEALTH_MIN_FREE_MB
    return _up(free_mb >= minimum, free_mb=free_mb, min_free_mb=minimum)


def run_checks() -> dict:
    """Run every registered check; ``{"status": ..., "checks": {name: result}}``."""
    results = {}
    for name, check in CHECKS.items():
        try:
            fn = import_string(check) if isinstance(check, str) else check
            result = dict(fn())
            if result.get("status") not in ("up", "down"):
                raise ValueError(f"check returned status {result.get('status')!r}")
        except Exception as exc:  # a failing check is a part that is down, never a 500
            log.warning("health check %s failed: %s", name, exc)
            result = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
        results[name] = result
    ok = all(r["status"] == "up" for r in results.values())
    return {"status": "up" if ok else "down", "checks": results}


@never_cache
@require_GET
def healthz(request):
    report = run_checks()
    response = JsonResponse(report, status=200 if report["status"] == "up" else 503,
                            json_dumps_params={"ensure_ascii": False})
    if report["status"] != "up":
        down = [name for name, r in report["checks"].items() if r["status"] != "up"]
        log.warning("health: down: %s", ", ".join(down), extra={"down": down})
        response._has_been_logged = True  # this line says why; Django's generic 503 error line would not
    return response
