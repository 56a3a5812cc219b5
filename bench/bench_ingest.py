"""Readings ingest into SQLite: our idempotent upsert (and the whole import with parsing and
checks) next to pandas ``to_sql`` of the same rows, in the same run. Target (issue #3):
≥ 200,000 rows/s into SQLite."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from bench.bench_import import _django
from bench.common import print_table


def _csv(sections: list[str], n: int) -> bytes:
    params = [("NH3N", "0.42"), ("TP", "0.081"), ("CODMN", "3.9"), ("DO", "8.2"), ("PH", "7.6"), ("TN", "2.31"),
              ("WT", "14.2")]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["site_code", "time", "parameter", "value", "unit", "source"])
    t0 = dt.datetime(2025, 1, 1)
    i = 0
    while i < n:
        for s in sections:
            t = (t0 + dt.timedelta(hours=4 * (i // (len(sections) * len(params))))).strftime("%Y-%m-%d %H:%M")
            for p, v in params:
                w.writerow([s, t, p, v, "" if p == "PH" else ("℃" if p == "WT" else "mg/L"), "automatic"])
                i += 1
    return buf.getvalue().encode()


def main(quick: bool = False) -> None:
    n = 100_000 if quick else 500_000
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-"))
    _django(tmp)
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from outfall.cli.demo import load_demo
    from outfall.core.standards.readings_io import read_readings
    from outfall.monitoring.ingest import import_readings
    from outfall.monitoring.models import Section, SectionReading
    from outfall.monitoring.store import upsert_readings

    class _Null:
        def write(self, _s):
            pass

    if not Section.objects.exists():
        load_demo(stdout=_Null())
    SectionReading.objects.all().delete()
    admin = get_user_model().objects.get(username="admin")
    codes = list(Section.objects.values_list("code", flat=True))
    data = _csv(codes, n)
    records = read_readings(data, name="bench.csv")
    ids = dict(Section.objects.values_list("code", "pk"))
    batch = uuid.uuid4()
    rows = [(ids[r.site_code], r.time, r.parameter, r.value.value, r.value.qualifier, r.value.detection_limit,
             r.unit, r.value.raw, r.source, "ok", batch) for r in records]

    t0 = time.perf_counter()
    with transaction.atomic():
        upsert_readings("section", rows)
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        upsert_readings("section", rows)
    t_rewrite = time.perf_counter() - t0
    SectionReading.objects.all().delete()
    t0 = time.perf_counter()
    res = import_readings(data, actor=admin, name="bench.csv")
    t_full = time.perf_counter() - t0
    assert res.rows == len(rows)

    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(io.BytesIO(data))
    t_pd_read = time.perf_counter() - t0
    con = sqlite3.connect(tmp / "pandas.sqlite3")
    t0 = time.perf_counter()
    df.to_sql("readings", con, if_exists="replace", index=False, chunksize=50_000)
    con.commit()
    t_pd = time.perf_counter() - t0
    con.close()
    r = len(rows)
    print(f"{r:,} readings, SQLite file; target ≥ 200,000 rows/s\n")
    print_table(["step", "seconds", "rows/s"], [
        ["ours: upsert into the indexed readings table (new rows)", f"{t_write:.2f}", f"{r / t_write:,.0f}"],
        ["ours: the same rows again (idempotent update)", f"{t_rewrite:.2f}", f"{r / t_rewrite:,.0f}"],
        ["ours: whole import (parse, check every cell, resolve sites, write)", f"{t_full:.2f}", f"{r / t_full:,.0f}"],
        ["pandas to_sql (plain table, no key, no checks)", f"{t_pd:.2f}", f"{r / t_pd:,.0f}"],
        ["pandas read_csv + to_sql", f"{t_pd_read + t_pd:.2f}", f"{r / (t_pd_read + t_pd):,.0f}"],
    ])
