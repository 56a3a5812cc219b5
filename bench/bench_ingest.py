"""Readings import (issue #11): a long readings file into a readings table that already holds many
rows, on SQLite and on PostgreSQL, as a user runs it (``outfall import readings FILE``: the CLI's
handler end to end, parse + check + resolve sites + write + history), beside the store alone (the
same chunks written from tuples already prepared) and the peer doing the same work into the same
keyed table with no checks (PostgreSQL: COPY into a temporary table + one INSERT … ON CONFLICT DO
UPDATE; SQLite: executemany of INSERT … ON CONFLICT DO UPDATE). Target: ≥ 200,000 rows/s, and a
peak memory (ru_maxrss of the importing process) under 300 MB whatever the file's size. The user's
run is the CLI's with its defaults: a file of ``OUTFALL_ALERT_WORKER_ROWS`` rows or more (20,000)
has its alerts check queued for the worker, which is then run and measured on its own (time and
peak memory: it takes the sites in groups, ``outfall.alerts.batches``); a 10,000-row file has its
check run in the import, before it returns, and that check's share of the import is printed:
target under 25 % (issue #9).

Full run: a 1,000,000-row file into 20,000,000 rows, then a 10,000,000-row file for the memory
check. ``--quick``: 100,000 rows into 1,000,000. Every measured step runs in its own process (so its peak memory is
its own). PostgreSQL is measured in a database ``BENCH_PG_DB`` (default
``h_ingest``) on ``OUTFALL_BENCH_PG`` (default postgresql://root@127.0.0.1:5432), created and
dropped here; it is skipped with a note when no server answers. The files are larger than the
default ``OUTFALL_IMPORT_MAX_ROWS``, which the runs raise.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import print_table

TARGET_ROWS_S = 200_000
TARGET_PEAK_MB = 300
TARGET_ALERTS_SHARE = 0.25  # the alerts check after the commit: under a quarter of the import (issue #9)
#: A file below ``OUTFALL_ALERT_WORKER_ROWS`` (default 20,000): its alerts check runs in the import.
SMALL_ROWS = 10_000
N_SITES = 200
PARAMS = [("NH3N", "mg/L", 2.0), ("TP", "mg/L", 0.4), ("CODMN", "mg/L", 8.0), ("DO", "mg/L", 10.0),
          ("PH", "", 9.0), ("TN", "mg/L", 3.0), ("WT", "℃", 30.0)]
UNITS = {"NH3N": "mg/L", "TP": "mg/L", "CODMN": "mg/L", "DO": "mg/L", "PH": "", "TN": "mg/L", "WT": "℃"}
T0 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
PG_SERVER = os.environ.get("OUTFALL_BENCH_PG", "postgresql://root@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "h_ingest")  # a database of its own per run
ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- data

def _hours(start_row: int) -> int:
    return start_row // (N_SITES * len(PARAMS))


def write_file(path: Path, n: int, *, first_hour: int, seed: int) -> None:
    """A long readings CSV of ``n`` rows (hourly, N_SITES sites × 7 parameters) from ``first_hour``."""
    rnd = random.Random(seed)
    cst = dt.timezone(dt.timedelta(hours=8))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["site_code", "time", "parameter", "value", "unit", "source"])
        i, h = 0, first_hour
        while i < n:
            t = (T0 + dt.timedelta(hours=h)).astimezone(cst).strftime("%Y-%m-%d %H:%M")
            h += 1
            hour = [[f"B{s:05d}", t, p, f"{rnd.uniform(0, top):.3f}", u, "automatic"]
                    for s in range(N_SITES) for p, u, top in PARAMS][: n - i]
            w.writerows(hour)
            i += len(hour)


def _prefill_rows(site_ids: list[int], n: int, batch, *, as_text_time):
    """n old readings as table tuples, hourly from T0 (before every file's times), generated in key
    order (site, parameter, time): the fastest way to build a keyed table."""
    rnd = random.Random(7)
    hours = -(-n // (len(site_ids) * len(PARAMS)))
    times = [as_text_time(T0 + dt.timedelta(hours=h)) for h in range(hours)]
    out = []
    for s in site_ids:
        for p, u, top in PARAMS:
            for t in times:
                if n == 0:
                    break
                v = round(rnd.uniform(0, top), 3)
                out.append((s, t, p, v, "", None, u, repr(v), "automatic", "ok", batch))
                n -= 1
                if len(out) == 100_000:
                    yield out
                    out = []
    if out:
        yield out


# ---------------------------------------------------------------- child tasks (one process each)

def _django() -> None:
    import django

    django.setup()


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over from
    the parent across fork and exec, so a child would report its parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource  # not Linux

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def task_setup(prefill: int) -> dict:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from outfall.monitoring.models import Section, SectionReading
    from outfall.monitoring.services import import_sections

    call_command("migrate", interactive=False, verbosity=0)
    admin = get_user_model().objects.create_superuser("admin", password="bench-password-1", role="admin")
    lines = ["code,name,lon,lat,target_class"] + [
        f"B{s:05d},断面{s},{120.2 + (s % 20) * 0.02:.3f},{36.8 + (s // 20) * 0.02:.3f},Ⅲ" for s in range(N_SITES)]
    import_sections("\n".join(lines).encode(), actor=admin, name="sections.csv")
    ids = [pk for _code, pk in sorted(Section.objects.values_list("code", "pk"))]
    table = SectionReading._meta.db_table
    cols = "section_id, time, parameter, value, qualifier, detection_limit, unit, raw, source, qc_flag, batch_id"
    t0 = time.perf_counter()
    with transaction.atomic():
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for part in _prefill_rows(ids, prefill, uuid.uuid4(), as_text_time=lambda t: t):
                    for r in part:
                        copy.write_row(r)
        else:
            cur = connection.connection.cursor()
            cur.execute("PRAGMA cache_size = -65536")
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * 11)})"
            for part in _prefill_rows(ids, prefill, uuid.uuid4().hex,
                                      as_text_time=lambda t: t.strftime("%Y-%m-%d %H:%M:%S")):
                cur.executemany(sql, part)
    build = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"build_s": build, "rows": SectionReading.objects.count()}


def _timed_hooks() -> list[float]:
    """Wrap the readings hooks (the alerts check) so the seconds spent in them are counted."""
    from outfall.monitoring import hooks

    spent = [0.0]

    def timed(hook):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                hook(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t0
        return run

    hooks.readings_written[:] = [timed(h) for h in hooks.readings_written]
    return spent


def task_user(path: str) -> dict:
    """What ``outfall import readings FILE`` runs, the alerts check after the commit included
    (its seconds also counted apart)."""
    _django()
    from outfall.cli.common import resolve_actor
    from outfall.monitoring.cli import import_readings_file

    actor = resolve_actor(None)
    hooks_s = _timed_hooks()
    t0, c0 = time.perf_counter(), time.process_time()
    res = import_readings_file(Path(path), actor=actor, dry_run=False)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert res.committed and not res.errors, res.errors[:3]
    return {"seconds": seconds, "cpu": cpu, "rows": res.rows, "peak_mb": _peak_mb(), "alerts_s": hooks_s[0]}


def task_worker(first_hour: int) -> dict:
    """What the worker runs after a large import (``check_alerts_task``): the alerts check of every
    bench site from the file's first reading, its sites taken in groups (``outfall.alerts.batches``)."""
    _django()
    from outfall.alerts.checking import check_readings_written
    from outfall.cli.common import resolve_actor
    from outfall.monitoring.models import Section

    ids = list(Section.objects.values_list("pk", flat=True))
    t0, c0 = time.perf_counter(), time.process_time()
    touched = check_readings_written(ids, [], T0 + dt.timedelta(hours=first_hour), resolve_actor(None))
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "alerts": len(touched),
            "peak_mb": _peak_mb()}


def _parsed(path: str):
    """The file's chunks with their site ids, through the same parser (not timed)."""
    from django.conf import settings

    from outfall.core.standards.readings_io import stream_readings
    from outfall.monitoring.models import Section

    ids = dict(Section.objects.values_list("code", "pk"))
    with stream_readings(path, limits=settings.OUTFALL_IMPORT_LIMITS) as stream:
        return [([ids[s] for s in c.sites], c) for c in stream]


def task_store(path: str) -> dict:
    """The store alone: the same chunks, already parsed, written in one transaction."""
    _django()
    from django.db import transaction

    from outfall.monitoring.store import write_chunk

    chunks = _parsed(path)
    batch = uuid.uuid4()
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction.atomic():
        n = sum(write_chunk("section", ids, c, batch).written for ids, c in chunks)
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "rows": n}


def task_peer(path: str) -> dict:
    """The peer: the same rows, prepared without checks, upserted the plain way for the backend."""
    _django()
    from django.conf import settings

    from outfall.monitoring.models import Section, SectionReading

    ids = dict(Section.objects.values_list("code", "pk"))
    table = SectionReading._meta.db_table
    cols = "section_id, time, parameter, value, qualifier, detection_limit, unit, raw, source, qc_flag, batch_id"
    upd = ("value = excluded.value, qualifier = excluded.qualifier, detection_limit = excluded.detection_limit, "
           "unit = excluded.unit, raw = excluded.raw, qc_flag = excluded.qc_flag, batch_id = excluded.batch_id")
    db = settings.DATABASES["default"]
    cst = dt.timezone(dt.timedelta(hours=8))
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        next(r)
        rows = list(r)
    if db["ENGINE"].endswith("sqlite3"):
        import sqlite3

        batch = uuid.uuid4().hex
        times = {}
        prepared = []
        for s, t, p, v, u, src in rows:
            tt = times.get(t) or times.setdefault(t, dt.datetime.fromisoformat(t).replace(tzinfo=cst).astimezone(
                dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))
            prepared.append((ids[s], tt, p, float(v), "", None, u, v, src, "ok", batch))
        con = sqlite3.connect(db["NAME"])
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536"):  # as ours
            con.execute(f"PRAGMA {pragma}")
        t0, c0 = time.perf_counter(), time.process_time()
        con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * 11)}) "
                        f"ON CONFLICT (section_id, parameter, time, source, basis) DO UPDATE SET {upd}", prepared)
        con.commit()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        con.close()
    else:
        import psycopg

        batch = uuid.uuid4()
        prepared = [(ids[s], f"{t}+08", p, float(v), "", None, u, v, src, "ok", batch) for s, t, p, v, u, src in rows]
        with psycopg.connect(f"{PG_SERVER}/{PG_DB}") as con:
            t0, c0 = time.perf_counter(), time.process_time()
            with con.cursor() as cur:
                cur.execute("CREATE TEMP TABLE load (section_id bigint, time timestamptz, parameter text, "
                            "value double precision, qualifier text, detection_limit double precision, unit text, "
                            "raw text, source text, qc_flag text, batch_id uuid) ON COMMIT DROP")
                with cur.copy(f"COPY load ({cols}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
                cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM load "
                            f"ON CONFLICT (section_id, parameter, time, source, basis) DO UPDATE SET {upd}")
            con.commit()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "rows": len(prepared)}


TASKS = {"setup": task_setup, "user": task_user, "store": task_store, "peer": task_peer, "worker": task_worker}


# ---------------------------------------------------------------- parent

def _run(task: str, env: dict, *args) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.bench_ingest", task, *map(str, args)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{task} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  {env['OUTFALL_DATABASE_URL'].split(':')[0]} {task}: {time.perf_counter() - t0:.1f} s {out}", file=sys.stderr)
    return out


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as con:
            con.execute(sql)
        return True
    except Exception as exc:  # noqa: BLE001  (no server: the PostgreSQL half is skipped with a note)
        print(f"PostgreSQL not measured: {exc}")
        return False


def _rate(res: dict) -> float:
    return res["rows"] / res["seconds"]


def _cpu_rate(res: dict) -> str:
    return f"{res['rows'] / res['cpu']:,.0f}" if res.get("cpu") else ""


def _alerts(res: dict) -> str:
    """The alerts check's seconds and its share of the import's wall time."""
    return f"{res['alerts_s']:.2f} ({res['alerts_s'] / res['seconds']:.0%})"


def _alerts_flag(res: dict) -> str:
    return "" if res["alerts_s"] < TARGET_ALERTS_SHARE * res["seconds"] else "MISSED(alerts)"


def _bench_backend(backend: str, tmp: Path, files: dict, *, prefill: int, big: Path | None) -> list[list]:
    data = tmp / backend
    data.mkdir()
    env = {"OUTFALL_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "outfall.site.settings",
           "OUTFALL_IMPORT_MAX_ROWS": "100000000",  # the files here are larger than the default limit
           "OUTFALL_REDIS_URL": ""}  # a queued alerts check goes to the embedded queue in the bench's folder
    if backend == "postgresql":
        if not _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)") or not _pg_admin(f"CREATE DATABASE {PG_DB}"):
            return []
        env["OUTFALL_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        env["OUTFALL_DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    rows = []
    try:
        setup = _run("setup", env, prefill)
        peer = _run("peer", env, files["peer"])
        store = _run("store", env, files["store"])
        user = _run("user", env, files["user"])  # as the CLI runs it: a file this large has its check queued
        worker = _run("worker", env, files["user_first_hour"])
        small = _run("user", {**env, "OUTFALL_ALERT_WORKER_ROWS": "0"}, files["small"])  # checked in the import
        n = user["rows"]
        peer_name = ("COPY + INSERT … ON CONFLICT" if backend == "postgresql" else "executemany INSERT … ON CONFLICT")

        def flag(rate):
            return "" if rate >= TARGET_ROWS_S else "MISSED"

        rows.append([backend, f"build the table: {prefill:,} rows ({'COPY' if backend == 'postgresql' else 'executemany'})",
                     f"{setup['build_s']:.1f}", "", f"{prefill / setup['build_s']:,.0f}", "", "", "", ""])
        rows.append([backend, f"ours, as a user runs it: outfall import readings ({n:,} new rows)",
                     f"{user['seconds']:.2f}", f"{user['cpu']:.2f}", f"{_rate(user):,.0f}", _cpu_rate(user),
                     f"{user['peak_mb']:.0f}", "queued",
                     " ".join(x for x in (flag(_rate(user)), "" if user["peak_mb"] < TARGET_PEAK_MB else "MISSED(mem)")
                              if x)])
        rows.append([backend, f"  then the worker's alerts check of those rows ({worker['alerts']:,} alerts)",
                     f"{worker['seconds']:.2f}", f"{worker['cpu']:.2f}", f"{n / worker['seconds']:,.0f}", "",
                     f"{worker['peak_mb']:.0f}", "", "" if worker["peak_mb"] < TARGET_PEAK_MB else "MISSED(mem)"])
        rows.append([backend, f"ours, a {small['rows']:,}-row file: its alerts check in the import, before it returns",
                     f"{small['seconds']:.2f}", f"{small['cpu']:.2f}", f"{_rate(small):,.0f}", _cpu_rate(small),
                     f"{small['peak_mb']:.0f}", _alerts(small), _alerts_flag(small)])
        rows.append([backend, "ours, the store alone (same chunks, already parsed)", f"{store['seconds']:.2f}",
                     f"{store['cpu']:.2f}", f"{_rate(store):,.0f}", _cpu_rate(store), "", "", flag(_rate(store))])
        rows.append([backend, f"peer: {peer_name} (no checks)", f"{peer['seconds']:.2f}", f"{peer['cpu']:.2f}",
                     f"{_rate(peer):,.0f}", _cpu_rate(peer), "", "", flag(_rate(peer))])
        if big is not None:
            b = _run("user", env, big)  # as the CLI runs it: its alerts check queued
            rows.append([backend, f"ours, as a user runs it: {b['rows']:,}-row file (memory check)",
                         f"{b['seconds']:.1f}", f"{b['cpu']:.1f}", f"{_rate(b):,.0f}", _cpu_rate(b), f"{b['peak_mb']:.0f}",
                         "queued",
                         " ".join(x for x in (flag(_rate(b)), "" if b["peak_mb"] < TARGET_PEAK_MB else "MISSED(mem)")
                                  if x)])
    finally:
        if backend == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return rows


def main(quick: bool = False) -> None:
    n, prefill, big_n = (100_000, 1_000_000, None) if quick else (1_000_000, 20_000_000, 10_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-ingest-"))
    first = _hours(prefill) + 1
    files = {}
    try:
        # the user's file last in time: the worker's check from its first hour sees its rows only
        for k, name in enumerate(("peer", "store", "user")):
            files[name] = tmp / f"{name}.csv"
            files[f"{name}_first_hour"] = first + k * (_hours(n) + 1)
            write_file(files[name], n, first_hour=files[f"{name}_first_hour"], seed=k)
        after = first + 3 * (_hours(n) + 1) + _hours(big_n or 0) + 1
        files["small"] = tmp / "small.csv"
        write_file(files["small"], SMALL_ROWS, first_hour=after, seed=5)
        big = None
        if big_n:
            big = tmp / "big.csv"
            write_file(big, big_n, first_hour=first + 3 * (_hours(n) + 1), seed=9)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    out = []
    try:
        for backend in ("sqlite", "postgresql"):
            out += _bench_backend(backend, tmp, files, prefill=prefill, big=big)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Readings import: a {n:,}-row long CSV into a table of {prefill:,} readings; "
          f"target ≥ {TARGET_ROWS_S:,} rows/s, peak < {TARGET_PEAK_MB} MB, alerts check < "
          f"{TARGET_ALERTS_SHARE:.0%} of the import\n")
    print_table(["database", "step", "seconds", "CPU s", "rows/s", "rows/CPU-s", "peak MB", "alerts check s (share)",
                 "target"], out)
    print("\nrows/s is wall time (the target); CPU s and rows/CPU-s are the importing process's own CPU time\n"
          "(with SQLite that is all the work; with PostgreSQL the server's share is not in it), which a\n"
          "machine busy with other work does not inflate.")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(TASKS[sys.argv[1]](*[int(a) if a.isdigit() else a for a in sys.argv[2:]])))
