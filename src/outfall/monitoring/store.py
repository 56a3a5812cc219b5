"""Fast, idempotent writes of readings, a chunk at a time, inside the import's transaction.

The key (site, parameter, time, source) is the table's unique constraint, so re-importing a file
updates values and never duplicates a row.

- SQLite: one prepared ``INSERT … ON CONFLICT DO UPDATE`` run by ``executemany`` over the chunk's
  tuples, sorted by key (the unique index is then written in order).
- PostgreSQL: ``COPY`` of the chunk into a temporary table, then one ``INSERT … SELECT … ORDER BY
  key ON CONFLICT DO UPDATE``. The order is what keeps concurrent pushes that share keys from
  deadlocking: every writer locks keys in the same order.

``DO UPDATE`` only touches rows of another batch. A key that this batch already wrote (an earlier
chunk of the same file) is left as it is, and :func:`write_readings` reports the rows whose value
differs from it, so that the importer can refuse a file that gives one key two values, as the
parser does within a chunk. Times are stored as Django stores aware datetimes (UTC).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import DatabaseError, connection, transaction

from outfall.monitoring.models import OutfallReading, SectionReading

__all__ = ["COLUMNS", "WriteOutcome", "write_readings", "upsert_readings", "atomic_with_retry"]

#: The columns of a row tuple after the site id, in order.
COLUMNS = ("time", "parameter", "value", "qualifier", "detection_limit", "unit", "raw", "source", "qc_flag",
           "batch_id")
_UPDATED = ("value", "qualifier", "detection_limit", "unit", "raw", "qc_flag", "batch_id")
_BY_KEY = itemgetter(0, 2, 1, 8)  # site, parameter, time, source
_LOAD = "outfall_reading_load"  # PostgreSQL: the temporary table a chunk is copied into
#: SQLSTATEs after which the whole transaction can simply be run again.
RETRYABLE = {"40P01": "deadlock detected", "40001": "serialization failure"}


@dataclass
class WriteOutcome:
    """``written`` rows inserted or updated; ``conflicts``: indexes (into the rows given) of rows
    whose key this batch already wrote with another value."""

    written: int = 0
    conflicts: list[int] = field(default_factory=list)


def _target(kind: str):
    if kind == "section":
        return SectionReading._meta.db_table, "section_id"
    if kind == "outfall":
        return OutfallReading._meta.db_table, "outfall_id"
    raise ValueError(f"kind must be 'section' or 'outfall', not {kind!r}")


def write_readings(kind: str, rows: list[tuple]) -> WriteOutcome:
    """Upsert rows ``(site_id, time, parameter, value, qualifier, detection_limit, unit, raw, source,
    qc_flag, batch_id)`` of ``kind`` "section" or "outfall" (all of one batch).

    Call inside the import's transaction, at most ``outfall.core.standards.readings_io.CHUNK_ROWS``
    rows at a time, each key once. ``time`` must be an aware datetime.
    """
    if not rows:
        return WriteOutcome()
    table, site = _target(kind)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return _write_postgresql(table, site, rows)
    return _write_sqlite(table, site, rows)


def upsert_readings(kind: str, rows: list[tuple]) -> int:
    """:func:`write_readings` for rows known to be free of repeated keys; returns rows written."""
    return write_readings(kind, rows).written


def _aware(t):
    if not isinstance(t, dt.datetime) or t.tzinfo is None:
        raise ValueError(f"reading time must be an aware datetime: {t!r}")
    return t


def _write_sqlite(table: str, site: str, rows: list[tuple]) -> WriteOutcome:
    adapt = connection.ops.adapt_datetimefield_value
    times: dict = {}
    batches: dict = {}

    def when(t):
        v = times.get(t)
        if v is None:
            v = times[t] = adapt(_aware(t))
        return v

    def batch(b):
        v = batches.get(b)
        if v is None:
            v = batches[b] = b.hex
        return v

    prepared = [(r[0], when(r[1]), *r[2:10], batch(r[10])) for r in rows]
    order = sorted(range(len(prepared)), key=lambda i: _BY_KEY(prepared[i]))
    prepared = [prepared[i] for i in order]
    cols = (site, *COLUMNS)
    sql = (f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))}) '
           f"ON CONFLICT ({site}, parameter, time, source) DO UPDATE SET "
           + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
           + f' WHERE "{table}".batch_id <> excluded.batch_id')
    cur = connection.connection.cursor()
    try:
        cur.executemany(sql, prepared)
        written = cur.rowcount
        conflicts = []
        if written < len(prepared):  # keys this batch wrote in an earlier chunk: same value or not?
            q = (f'SELECT value, qualifier, detection_limit FROM "{table}" '
                 f"WHERE {site} = ? AND parameter = ? AND time = ? AND source = ?")
            for k, p in enumerate(prepared):
                if cur.execute(q, (p[0], p[2], p[1], p[8])).fetchone() != (p[3], p[4], p[5]):
                    conflicts.append(order[k])
    finally:
        cur.close()
    return WriteOutcome(written, sorted(conflicts))


def _write_postgresql(table: str, site: str, rows: list[tuple]) -> WriteOutcome:
    cols = ", ".join(COLUMNS)
    raw = connection.connection
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LOAD} (idx integer, site_id bigint, time timestamptz, "
                    "parameter text, value double precision, qualifier text, detection_limit double precision, "
                    "unit text, raw text, source text, qc_flag text, batch_id uuid) ON COMMIT DROP")
        cur.execute(f"TRUNCATE {_LOAD}")
        with cur.copy(f"COPY {_LOAD} (idx, site_id, {cols}) FROM STDIN") as copy:
            write = copy.write_row
            for i, r in enumerate(rows):
                _aware(r[1])
                write((i, *r))
        cur.execute(f'INSERT INTO "{table}" ({site}, {cols}) SELECT site_id, {cols} FROM {_LOAD} '
                    f"ORDER BY site_id, parameter, time, source "
                    f"ON CONFLICT ({site}, parameter, time, source) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
                    + f' WHERE "{table}".batch_id <> excluded.batch_id')
        written = cur.rowcount
        conflicts = []
        if written < len(rows):
            cur.execute(f'SELECT l.idx FROM {_LOAD} l JOIN "{table}" r ON r.{site} = l.site_id '
                        "AND r.parameter = l.parameter AND r.time = l.time AND r.source = l.source "
                        "WHERE (r.value, r.qualifier, r.detection_limit) IS DISTINCT FROM "
                        "(l.value, l.qualifier, l.detection_limit) ORDER BY l.idx")
            conflicts = [i for (i,) in cur.fetchall()]
    return WriteOutcome(written, conflicts)


def retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the transaction may simply be run again."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) in RETRYABLE:
            return True
        exc = exc.__cause__
    return False


def atomic_with_retry(fn, *, attempts: int = 5, base_delay: float = 0.05):
    """Run ``fn()`` in a transaction; on a deadlock or serialization failure roll back and run it
    again, up to ``attempts`` times, sleeping a random 0…``base_delay``·2ⁿ seconds (full jitter)
    between tries. Inside a caller's transaction it runs once: only the outermost transaction can
    be retried.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return fn()
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return fn()
        except DatabaseError as exc:
            if attempt == attempts - 1 or not retryable(exc):
                raise
        time.sleep(random.uniform(0, base_delay * 2 ** attempt))
    raise AssertionError("unreachable")
