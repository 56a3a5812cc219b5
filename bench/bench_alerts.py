"""Alerts check after a readings import (issue #9): ``check_alerts`` as the import's hook runs it
(``on_readings_written``: the sites the file wrote, from its earliest reading on), on 20,000 new
readings that raise about 3,000 alerts, on SQLite and on PostgreSQL, beside the rules alone (the
core's ``evaluate`` + ``episodes`` on the same arrays) and the peer writing the same number of alert
rows, their steps and their history with one plain multi-row INSERT each (no matching, no
explanation). Then the same check again (a replay: nothing new, nothing written).

``--quick``: 5,000 readings. Each database runs in its own process. PostgreSQL is measured in a
database ``BENCH_PG_DB`` (default ``h_alertbulk``) on ``OUTFALL_BENCH_PG`` (default
postgresql://root@127.0.0.1:5432), created and dropped here; skipped with a note when no server
answers. Target: the check takes under a quarter of a readings import of the same size (the 25 %
of a 100,000-row import is measured by ``python -m bench ingest``, its "alerts check" column).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import print_table

N_SITES = 200
PARAMS = [("NH3N", "mg/L", 2.0), ("TP", "mg/L", 0.4), ("CODMN", "mg/L", 8.0), ("DO", "mg/L", 10.0),
          ("PH", "", 9.0), ("TN", "mg/L", 3.0), ("WT", "℃", 30.0)]
#: Hours of older readings before the new ones (the rules' windows reach back into them); they were
#: never checked, as in bench ingest's prefilled table, so every alert of the check is new.
HISTORY_H = 30
T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
PG_SERVER = os.environ.get("OUTFALL_BENCH_PG", "postgresql://root@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "h_alertbulk")
ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    import django

    django.setup()


def _rows(section_ids: list[int], n: int, *, first_hour: int, seed: int):
    """n hourly readings (every site × parameter each hour), values uniform in [0, top] as in bench ingest."""
    from outfall.monitoring.models import SectionReading

    rnd = random.Random(seed)
    out, h = [], first_hour
    while len(out) < n:
        t = T0 + dt.timedelta(hours=h)
        h += 1
        for s in section_ids:
            for p, u, top in PARAMS:
                if len(out) == n:
                    break
                v = round(rnd.uniform(0, top), 3)
                out.append(SectionReading(section_id=s, time=t, parameter=p, value=v, unit=u, raw=str(v),
                                          source="automatic"))
    return out


def task_run(n: int) -> dict:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from outfall.alerts.checking import check_alerts
    from outfall.alerts.models import Alert, AlertStep
    from outfall.alerts.rules import current_rules
    from outfall.history.models import ChangeRecord
    from outfall.monitoring.models import Section, SectionReading
    from outfall.monitoring.services import import_sections

    call_command("migrate", interactive=False, verbosity=0)
    admin = get_user_model().objects.create_superuser("admin", password="bench-password-1", role="admin")
    lines = ["code,name,lon,lat,target_class"] + [
        f"B{s:05d},断面{s},{120.2 + (s % 20) * 0.02:.3f},{36.8 + (s // 20) * 0.02:.3f},Ⅲ" for s in range(N_SITES)]
    import_sections("\n".join(lines).encode(), actor=admin, name="sections.csv")
    ids = [pk for _code, pk in sorted(Section.objects.values_list("code", "pk"))]
    old = _rows(ids, N_SITES * len(PARAMS) * HISTORY_H, first_hour=0, seed=1)
    SectionReading.objects.bulk_create(old, batch_size=5000)
    before = Alert.objects.count()
    new = _rows(ids, n, first_hour=HISTORY_H, seed=2)
    SectionReading.objects.bulk_create(new, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    since = min(r.time for r in new)
    now = T0 + dt.timedelta(hours=HISTORY_H + n // (N_SITES * len(PARAMS)) + 1)
    sites = {r.section_id for r in new}

    t0, c0 = time.perf_counter(), time.process_time()
    touched = check_alerts(sections=sites, outfalls=set(), since=since, now=now, actor=admin)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    created = Alert.objects.count() - before
    counts = {"touched": len(touched), "alerts": created, "steps": AlertStep.objects.count() - before,
              "history": ChangeRecord.objects.filter(target_type__model="alert").count() - before}
    assert sum(t.new for t in touched) == created, (len(touched), created)

    records = ChangeRecord.objects.count()
    t0 = time.perf_counter()
    again = check_alerts(sections=sites, outfalls=set(), since=since, now=now, actor=admin)
    replay = time.perf_counter() - t0
    assert not any(t.new for t in again) and Alert.objects.count() == created + before
    counts["replay_history"] = ChangeRecord.objects.count() - records

    rules_s = _rules_alone(ids, since, current_rules())
    peer_s = _peer(created)
    return {"rows": n, "seconds": seconds, "cpu": cpu, "replay_s": replay, "rules_s": rules_s, "peer_s": peer_s,
            **counts}


def _rules_alone(ids, since, rules) -> float:
    """The core's rules on the same readings (loaded first, not timed): evaluate + episodes of every rule."""
    import numpy as np

    from outfall.core.warning import Readings, SeriesSpec, episodes, evaluate, section_limit
    from outfall.monitoring.models import SectionReading

    rows = list(SectionReading.objects.filter(section_id__in=ids).order_by("section_id", "parameter", "time")
                .values_list("section_id", "parameter", "time", "value"))
    keys = {}
    series = np.array([keys.setdefault((s, p), len(keys)) for s, p, _t, _v in rows])
    times = np.array([int(t.timestamp()) for _s, _p, t, _v in rows])
    values = np.array([v for *_x, v in rows])
    limits = [section_limit(p, "III") for _s, p in keys]
    t0 = time.perf_counter()
    r = Readings.from_arrays(series, times, values)
    f = evaluate(r, SeriesSpec.from_limits(limits), rules)
    for name in ("over", "repeated", "approaching", "jump"):
        episodes(r, f.flags(name), grace=rules.episode_grace)
    return time.perf_counter() - t0


def _peer(n: int) -> float:
    """Write n alert rows + n steps + n history rows with one multi-row INSERT per table (batches
    of 500) and no matching or explanation, then roll back: the floor of writing what the check writes."""
    from django.db import connection, transaction

    from outfall.alerts.models import Alert, AlertStep
    from outfall.history.models import ChangeRecord

    proto = Alert.objects.first()
    t0 = time.perf_counter()
    with transaction.atomic():
        cols = [f for f in Alert._meta.concrete_fields if not f.primary_key]
        names = ", ".join(connection.ops.quote_name(f.column) for f in cols)
        base = [f.get_db_prep_save(f.pre_save(proto, add=True), connection) for f in cols]
        key = {f.name: i for i, f in enumerate(cols)}
        mark = "%s"
        with connection.cursor() as cur:
            ids = []
            for a in range(0, n, 500):
                batch = []
                for k in range(a, min(n, a + 500)):
                    row = list(base)
                    row[key["site_code"]] = f"P{k:06d}"
                    batch.append(row)
                sql = (f"INSERT INTO {Alert._meta.db_table} ({names}) VALUES "
                       + ", ".join("(" + ", ".join([mark] * len(cols)) + ")" for _ in batch) + " RETURNING id")
                cur.execute(sql, [x for row in batch for x in row])
                ids += [r[0] for r in cur.fetchall()]
            steps = [AlertStep(alert_id=i, from_state="", to_state="new", actor_name="系统") for i in ids]
            AlertStep.objects.bulk_create(steps, batch_size=500)
            rec = ChangeRecord.objects.filter(target_type__model="alert").first()
            ChangeRecord.objects.bulk_create(
                [ChangeRecord(actor_name=rec.actor_name, batch_id=rec.batch_id, action="create",
                              target_type_id=rec.target_type_id, target_id=str(i), target_repr="x", after=rec.after)
                 for i in ids], batch_size=500)
        transaction.set_rollback(True)
    return time.perf_counter() - t0


TASKS = {"run": task_run}


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as con:
            con.execute(sql)
        return True
    except Exception as exc:  # noqa: BLE001  (no server: the PostgreSQL half is skipped with a note)
        print(f"PostgreSQL not measured: {exc}")
        return False


def _run(backend: str, tmp: Path, n: int) -> dict | None:
    data = tmp / backend
    data.mkdir()
    env = {**os.environ, "OUTFALL_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "outfall.site.settings"}
    if backend == "postgresql":
        if not _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)") or not _pg_admin(f"CREATE DATABASE {PG_DB}"):
            return None
        env["OUTFALL_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        env["OUTFALL_DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    try:
        proc = subprocess.run([sys.executable, "-m", "bench.bench_alerts", "run", str(n)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"{backend} failed:\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if backend == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main(quick: bool = False) -> None:
    n = 5_000 if quick else 20_000
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-alerts-"))
    rows = []
    try:
        for backend in ("sqlite", "postgresql"):
            res = _run(backend, tmp, n)
            if res is None:
                continue
            a = res["alerts"]
            rows += [
                [backend, f"ours: check_alerts after {n:,} new readings ({a:,} new alerts, {res['touched']:,} "
                          f"touched, {res['history']:,} history rows)", f"{res['seconds']:.2f}", f"{res['cpu']:.2f}",
                 f"{a / res['seconds']:,.0f}"],
                [backend, f"ours: the same check again (replay: nothing new, {res['replay_history']:,} alerts "
                          "re-measured)", f"{res['replay_s']:.2f}", "", ""],
                [backend, "the core's rules alone (evaluate + episodes, same readings)", f"{res['rules_s']:.3f}", "",
                 ""],
                [backend, f"peer: {a:,} alerts + steps + history, plain multi-row INSERTs, no matching",
                 f"{res['peer_s']:.2f}", "", f"{a / res['peer_s']:,.0f}"],
            ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Alerts check on {n:,} new readings of {N_SITES} sections × {len(PARAMS)} parameters "
          f"(hourly, {HISTORY_H} h of older readings before them)\n")
    print_table(["database", "step", "seconds", "CPU s", "alerts/s"], rows)
    print("\nTarget: under a quarter of the import of the same file end to end (bench ingest's 'alerts check' "
          "column shows the share).")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(TASKS[sys.argv[1]](*[int(a) if a.isdigit() else a for a in sys.argv[2:]])))
