"""Fast, idempotent writes of readings: one ``INSERT … ON CONFLICT DO UPDATE`` per chunk.

The key (site, time, parameter, source) is the table's unique constraint, so re-importing a file
updates values and never duplicates a row. SQLite and PostgreSQL share the statement. Times are
stored as the backend stores aware datetimes (UTC), through Django's own adaptation.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from outfall.monitoring.models import OutfallReading, SectionReading

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
