"""Fast, idempotent writes of readings, a chunk at a time, inside the import's transaction.

The key (site, parameter, time, source, basis) is the table's unique constraint, so re-importing a
file updates values and never duplicates a row (``basis``: ``sample`` or a reported statistic; see
``outfall.monitoring.models``).

- SQLite: one prepared ``INSERT … ON CONFLICT DO UPDATE`` run by ``executemany`` over the chunk's
  tuples, sorted by key (the unique index is then written in order).
- PostgreSQL: ``COPY`` of the chunk into a temporary table, then one ``INSERT … SELECT … ORDER BY
  key ON CONFLICT DO UPDATE``. The order is what keeps concurrent pushes that share keys from
  deadlocking: every writer locks keys in the same order; :func:`atomic_with_retry` runs the whole
  import again in the rare case PostgreSQL still reports a deadlock (or a serialization failure).

``DO UPDATE`` only touches rows of another batch. A key that this batch already wrote (an earlier
chunk of the same file) is left as it is, and :func:`write_chunk` reports the rows whose value
differs from it, so that the importer can refuse a file that gives one key two values, as the
parser does within a chunk. Times are stored as Django stores aware datetimes (UTC).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter

from django.db import DatabaseError, connection, transaction

from outfall.core.errors import NotFoundError
from outfall.ledger.models import Outfall
from outfall.monitoring.models import OutfallReading, Section, SectionReading

log = logging.getLogger(__name__)

__all__ = ["COLUMNS", "WriteOutcome", "write_chunk", "upsert_readings", "atomic_with_retry", "retryable"]

#: The columns of a row tuple after the site id, in order (``upsert_readings``); the basis is written
#: after them (``sample`` for such tuples).
COLUMNS = ("time", "parameter", "value", "qualifier", "detection_limit", "unit", "raw", "source", "qc_flag",
           "batch_id")
_KEY = "parameter, time, source, basis"  # after the site column
_UPDATED = ("value", "qualifier", "detection_limit", "unit", "raw", "qc_flag", "batch_id")
_LOAD = "outfall_reading_load"  # PostgreSQL: the temporary table a chunk is copied into
#: SQLite page cache of a connection that writes readings (KiB): the unique index of a table of
#: tens of millions of rows is written at ~1,400 places per chunk, which the default 2 MB thrashes.
_SQLITE_CACHE_KIB = 65536
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


def write_chunk(kind: str, site_ids: list[int], chunk, batch_id: uuid.UUID) -> WriteOutcome:
    """Upsert the readings of a checked chunk (``outfall.core.standards.readings_io.ReadingChunk``)
    whose sites are ``site_ids`` (one per reading, all of ``kind`` "section" or "outfall").

    Call inside the import's transaction; each key once per chunk (the parser sees to it).
    """
    vals = chunk.values
    raws = [r if len(r) <= 40 else r[:40] for r in map(attrgetter("raw"), vals)]
    return _write(kind, [site_ids, chunk.times, chunk.params, list(map(attrgetter("value"), vals)),
                         list(map(attrgetter("qualifier"), vals)), list(map(attrgetter("detection_limit"), vals)),
                         chunk.units, raws, chunk.sources, chunk.bases], batch_id)


def upsert_readings(kind: str, rows: list[tuple]) -> int:
    """Write rows ``(site_id, time, parameter, value, qualifier, detection_limit, unit, raw, source,
    qc_flag, batch_id)`` (all of one batch, each key once, ``qc_flag`` "ok", ``time`` aware) of
    ``kind`` "section" or "outfall"; returns the number of rows written."""
    if not rows:
        return 0
    cols = [list(c) for c in zip(*rows, strict=True)]
    return _write(kind, cols[:9] + [["sample"] * len(rows)], rows[0][10]).written


def _write(kind: str, cols: list[list], batch_id: uuid.UUID) -> WriteOutcome:
    """``cols``: site ids, times, parameters, values, qualifiers, detection limits, units, raws, sources,
    bases."""
    if not cols[0]:
        return WriteOutcome()
    table, site = _target(kind)
    for t in set(cols[1]):
        _aware(t)
    _lock_sites(kind, cols[0])
    if connection.vendor == "postgresql":
        return _write_postgresql(table, site, cols, batch_id)
    return _write_sqlite(table, site, cols, batch_id)


def _lock_sites(kind: str, site_ids: list[int]) -> None:
    """Lock the chunk's sites until commit (PostgreSQL ``FOR KEY SHARE``: they cannot be deleted, and
    concurrent writers of their readings are not blocked), or refuse a site that does not exist:
    the per-chunk check that stands for a per-row foreign-key constraint (see ``models``)."""
    model = Section if kind == "section" else Outfall
    table = connection.ops.quote_name(model._meta.db_table)
    ids = sorted(set(site_ids))
    found: set = set()
    with connection.cursor() as cur:
        for i in range(0, len(ids), 10_000):
            part = ids[i:i + 10_000]
            lock = " ORDER BY id FOR KEY SHARE" if connection.vendor == "postgresql" else ""
            cur.execute(f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(part))}){lock}", part)
            found.update(r[0] for r in cur.fetchall())
    missing = [i for i in ids if i not in found]
    if missing:
        what = "断面" if kind == "section" else "排污口"
        raise NotFoundError(f"{kind} ids {missing[:5]} do not exist",
                            user_message=f"{what} (id {missing[0]}) 不存在或已被删除，未写入任何数据")


def _aware(t):
    if not isinstance(t, dt.datetime) or t.tzinfo is None:
        raise ValueError(f"reading time must be an aware datetime: {t!r}")
    return t


def _upsert_sql(table: str, site: str, *, params: str = "") -> str:
    return (f"ON CONFLICT ({site}, {_KEY}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
            + f' WHERE "{table}".batch_id <> excluded.batch_id')


def _write_sqlite(table: str, site: str, cols: list[list], batch_id: uuid.UUID) -> WriteOutcome:
    adapt = connection.ops.adapt_datetimefield_value
    when = {t: adapt(t) for t in set(cols[1])}
    times = list(map(when.__getitem__, cols[1]))
    keys = list(zip(cols[0], cols[2], times, cols[8], cols[9], strict=True))
    order = sorted(range(len(keys)), key=keys.__getitem__)  # key order: the index is written in order
    prepared = list(zip(*[list(map(c.__getitem__, order)) for c in (cols[0], times, *cols[2:9])], repeat("ok"),
                        repeat(batch_id.hex), [cols[9][k] for k in order]))
    names = (site, *COLUMNS, "basis")
    sql = (f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))}) '
           + _upsert_sql(table, site))
    cur = connection.connection.cursor()
    try:
        if cur.execute("PRAGMA cache_size").fetchone()[0] > -_SQLITE_CACHE_KIB:  # this connection's, once
            cur.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
        cur.executemany(sql, prepared)
        written = cur.rowcount
        conflicts = []
        if written < len(prepared):  # keys this batch wrote in an earlier chunk: same value or not?
            q = (f'SELECT value, qualifier, detection_limit FROM "{table}" '
                 f"WHERE {site} = ? AND parameter = ? AND time = ? AND source = ? AND basis = ?")
            for k, p in enumerate(prepared):
                if cur.execute(q, (p[0], p[2], p[1], p[8], p[11])).fetchone() != (p[3], p[4], p[5]):
                    conflicts.append(order[k])
    finally:
        cur.close()
    return WriteOutcome(written, sorted(conflicts))


def _write_postgresql(table: str, site: str, cols: list[list], batch_id: uuid.UUID) -> WriteOutcome:
    names = ", ".join((*COLUMNS, "basis"))
    n = len(cols[0])
    with connection.connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LOAD} (idx integer, site_id bigint, time timestamptz, "
                    "parameter text, value double precision, qualifier text, detection_limit double precision, "
                    "unit text, raw text, source text, qc_flag text, batch_id uuid, basis text) ON COMMIT DROP")
        cur.execute(f"TRUNCATE {_LOAD}")
        cur.execute("SET LOCAL work_mem = '64MB'")  # the chunk's ORDER BY sorts in memory, not on disk
        with cur.copy(f"COPY {_LOAD} (idx, site_id, {names}) FROM STDIN") as copy:
            write = copy.write_row
            for row in zip(range(n), *cols[:9], repeat("ok"), repeat(batch_id), cols[9]):
                write(row)
        cur.execute(f'INSERT INTO "{table}" ({site}, {names}) SELECT site_id, {names} FROM {_LOAD} '
                    f"ORDER BY site_id, {_KEY} " + _upsert_sql(table, site))
        written = cur.rowcount
        conflicts = []
        if written < n:
            cur.execute(f'SELECT l.idx FROM {_LOAD} l JOIN "{table}" r ON r.{site} = l.site_id '
                        "AND r.parameter = l.parameter AND r.time = l.time AND r.source = l.source "
                        "AND r.basis = l.basis "
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
            log.warning("readings write deadlocked (attempt %d of %d); retrying", attempt + 1, attempts)
        time.sleep(random.uniform(0, base_delay * 2 ** attempt))
    raise AssertionError("unreachable")
