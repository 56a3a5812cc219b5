"""Fast, idempotent writes of readings: one ``INSERT … ON CONFLICT DO UPDATE`` per chunk.

The key (site, time, parameter, source) is the table's unique constraint, so re-importing a file
updates values and never duplicates a row. SQLite and PostgreSQL share the statement. Times are
stored as the backend stores aware datetimes (UTC), through Django's own adaptation.

Concurrent pushes of overlapping keys on PostgreSQL: each ``INSERT … ON CONFLICT`` locks the key
rows in the order of its VALUES, so two pushes writing the same keys in different orders could
each wait for the other (deadlock detected). Rows are therefore written sorted by key, which
gives every writer the same lock order, and :func:`atomic_with_deadlock_retry` runs the whole
write again in the rare case PostgreSQL still reports a deadlock.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time

from django.db import OperationalError, connection, transaction

from outfall.monitoring.models import OutfallReading, SectionReading

log = logging.getLogger(__name__)

_COLUMNS = ("time", "parameter", "value", "qualifier", "detection_limit", "unit", "raw", "source", "qc_flag",
            "batch_id")


def _statement(model, site_column: str, nrows: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    cols = (site_column, *_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    updates = ", ".join(f"{c} = excluded.{c}" for c in ("value", "qualifier", "detection_limit", "unit", "raw",
                                                          "qc_flag", "batch_id"))
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * nrows)} "
            f"ON CONFLICT ({site_column}, parameter, time, source) DO UPDATE SET {updates}")


def upsert_readings(kind: str, rows: list[tuple], *, chunk: int | None = None) -> int:
    """Write rows ``(site_id, time, parameter, value, qualifier, detection_limit, unit, raw, source,
    qc_flag, batch_id)`` for ``kind`` "section" or "outfall"; returns the number of rows written.

    Call inside the import's transaction. ``time`` must be an aware datetime.
    """
    model, site_column = (SectionReading, "section_id") if kind == "section" else (OutfallReading, "outfall_id")
    if not rows:
        return 0
    if connection.vendor == "postgresql":  # one lock order for every writer (see the module docstring)
        rows = sorted(rows, key=_key)
    ncols = 1 + len(_COLUMNS)
    # Bound parameters per statement: SQLite ≥ 3.32 allows 32766, PostgreSQL 65535.
    chunk = chunk or ((32766 if connection.vendor == "sqlite" else 65535) // ncols)
    adapt_time = connection.ops.adapt_datetimefield_value
    uuid_hex = connection.vendor == "sqlite"
    times: dict = {}  # readings share times (one per parameter): adapt each once

    def when(t):
        v = times.get(t)
        if v is None:
            if not isinstance(t, dt.datetime) or t.tzinfo is None:
                raise ValueError(f"reading time must be an aware datetime: {t!r}")
            v = times[t] = adapt_time(t)
        return v

    batches: dict = {}
    with connection.cursor() as cur:
        full = _statement(model, site_column, chunk)
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            sql = full if len(part) == chunk else _statement(model, site_column, len(part))
            params = []
            extend = params.extend
            for r in part:
                b = r[10]
                bv = batches.get(b)
                if bv is None:
                    bv = batches[b] = b.hex if uuid_hex else b
                extend((r[0], when(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bv))
            cur.execute(sql, params)
    return len(rows)


def _key(r: tuple) -> tuple:
    """The unique key (site, parameter, time, source) of a row tuple."""
    return r[0], r[2], r[1], r[8]


def _is_deadlock(exc: BaseException) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "40P01" or "deadlock detected" in str(exc)


def atomic_with_deadlock_retry(write, *, attempts: int = 4):
    """Run ``write()`` in its own transaction; on a PostgreSQL deadlock (SQLSTATE 40P01) roll back
    and run it again, up to ``attempts`` times, after a short random pause (10–100 ms × attempt).

    Only retried when not nested in an outer transaction (whose earlier work the rollback would
    lose); nested, the error propagates as before. Returns what ``write`` returns.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            if connection.in_atomic_block or attempt == attempts or not _is_deadlock(exc):
                raise
            log.warning("readings write deadlocked (attempt %d of %d); retrying", attempt, attempts)
            time.sleep(random.uniform(0.01, 0.1) * attempt)
    raise AssertionError("unreachable")
