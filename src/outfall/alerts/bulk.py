"""Plain multi-row INSERT and executemany UPDATE for the alerts check, without Django's per-value
compiler (``bulk_create`` prepares every value of every row through the field and the SQL compiler,
about 100 µs a row of an alert; a 100,000-row import can raise thousands).

Values are taken as the model holds them; only the fields whose database form differs from the
Python value (dates and times, JSON, UUIDs) go through ``get_db_prep_save``, and ``auto_now`` /
``auto_now_add`` fields are filled once for all rows. The ids come back through ``RETURNING``
(PostgreSQL, SQLite ≥ 3.35), as Django's own ``bulk_create`` gets them: on SQLite from multi-row
INSERTs (999 parameters each), on PostgreSQL from one single-row INSERT that psycopg pipelines for
every row (``executemany(returning=True)``; with client-side binding a multi-row statement is
re-split for every call, which cost more than the database's work).
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

__all__ = ["insert_rows", "update_rows"]

#: Rows per INSERT at most: PostgreSQL plans a statement of thousands of rows far slower than a few
#: of hundreds (SQLite's own limit of 999 parameters keeps it lower still).
_MAX_ROWS = 500
_PREPARED = (models.DateTimeField, models.DateField, models.JSONField, models.UUIDField)


def _columns(conn, fields, objs, *, add: bool):
    """Per field: None (the value as it is) or its converter; auto-now fields set on every object first."""
    now = timezone.now()
    convert = []
    for f in fields:
        if getattr(f, "auto_now", False) or (add and getattr(f, "auto_now_add", False)):
            for o in objs:
                setattr(o, f.attname, now)
        if isinstance(f, models.DateTimeField):  # aware datetimes (USE_TZ): the backend's form directly
            adapt = conn.ops.adapt_datetimefield_value
            convert.append(lambda v, adapt=adapt: None if v is None else adapt(v))
        elif isinstance(f, _PREPARED):
            convert.append(lambda v, f=f: f.get_db_prep_save(v, conn))
        else:
            convert.append(None)
    return convert


def _row(obj, fields, convert) -> list:
    return [getattr(obj, f.attname) if c is None else c(getattr(obj, f.attname)) for f, c in zip(fields, convert,
                                                                                                    strict=True)]


def insert_rows(objs: list[models.Model]) -> None:
    """INSERT ``objs`` (of one model, pk unset) in multi-row statements and set their pks."""
    if not objs:
        return
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    convert = _columns(conn, fields, objs, add=True)
    qn = conn.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":  # one short statement, pipelined: psycopg splits a long one per call
            raw, sql = cur.cursor, f"INSERT INTO {table} ({cols}) VALUES {one} RETURNING {pk}"
            start = time.monotonic()
            with conn.wrap_database_errors:  # Django's exceptions (IntegrityError …), as its own cursor raises
                raw.executemany(sql, [_row(o, fields, convert) for o in objs], returning=True)
            if conn.queries_logged:  # as Django's debug cursor logs an executemany
                conn.queries_log.append({"sql": f"{len(objs)} times: {sql}", "time": f"{time.monotonic() - start:.3f}"})
            ids = []
            while True:
                ids.append(raw.fetchone()[0])
                if not raw.nextset():
                    break
            _set_pks(objs, ids, conn)
            return
        size = min(conn.ops.bulk_batch_size(fields, objs) or len(objs), _MAX_ROWS)
        for a in range(0, len(objs), size):
            part = objs[a:a + size]
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} RETURNING {pk}",
                        [v for o in part for v in _row(o, fields, convert)])
            _set_pks(part, [r[0] for r in cur.fetchall()], conn)


def _set_pks(objs, ids, conn) -> None:
    for o, pk in zip(objs, ids, strict=True):
        o.pk = pk
        o._state.adding, o._state.db = False, conn.alias


def update_rows(objs: list[models.Model], names: list[str]) -> None:
    """UPDATE the fields ``names`` of ``objs`` by pk: one parametrised statement executed for every
    row (SQLite steps it in C, psycopg pipelines it); ``auto_now`` fields are refreshed."""
    if not objs:
        return
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(n) for n in names]
    fields += [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    convert = _columns(conn, fields, objs, add=False)
    qn = conn.ops.quote_name
    sql = (f"UPDATE {qn(model._meta.db_table)} SET " + ", ".join(f"{qn(f.column)} = %s" for f in fields)
           + f" WHERE {qn(model._meta.pk.column)} = %s")
    with conn.cursor() as cur:
        cur.executemany(sql, [_row(o, fields, convert) + [o.pk] for o in objs])
