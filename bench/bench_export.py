"""Ledger export of 20,000 outfalls (2,000 with --quick), on one SQLite database, in one run:

- the **web path** a user takes: ``GET /ledger/export/?format=xlsx`` through the export view. Above
  ``OUTFALL_EXPORT_ASYNC_ROWS`` it only creates an export job and queues it on the worker's queue
  (huey on SQLite in the data dir, as ``outfall serve`` uses it) and answers with the job's page:
  that request's time is the target (issue #11: no request thread held past 2 s);
- the **job's time to done**: from the request's start until the queued task, taken off the same
  queue and executed as the worker executes it, has marked the job done with its file written
  (a real worker adds its polling delay on the SQLite queue before it starts);
- the **synchronous writer** (what the CLI and small exports run), with its split: SQL (value
  tuples by code keyset + one party query a chunk), row building (formatting cells), XLSX writing
  (openpyxl's write-only cell writing and the ZIP);
- the peers measured in the same run: the previous row building (model instances with
  ``select_related``, a party query a chunk, ``format_cell`` per cell) doing the same work (the same
  rows), a normal (in-memory) openpyxl workbook, the CSV streamed by the view and the whole CSV
  built in memory.

Time, CPU time of this process, and the peak of Python heap memory (tracemalloc, a separate run).
MISSED is printed where a target is missed.
"""

from __future__ import annotations

import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import print_table

TARGET_REQUEST_S = 2.0


def _xlsx_normal_mode(rows) -> bytes:
    """The peer writer: a normal (in-memory) openpyxl workbook, reproducible as ours."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    from outfall.ledger import columns
    from outfall.ledger.exporting import _FIXED_TIME, _FixedTimeZip

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "入河排污口台账"
    ws.append([c.zh for c in columns.COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedTimeZip(buf, "w")).save()
    return buf.getvalue()


def _rows_before(qs, *, chunk: int = 2000):
    """The previous row building, kept as the peer: model instances read 2,000 at a time by primary
    key with ``select_related``, a party query a chunk, ``format_cell`` called per cell."""
    from outfall.core.columns import format_cell
    from outfall.ledger import columns
    from outfall.ledger.selectors import parties_by_outfall

    pks = list(qs.order_by("code").values_list("pk", flat=True))
    for k in range(0, len(pks), chunk):
        outfalls = list(qs.model.objects.filter(pk__in=pks[k:k + chunk]).select_related("town").order_by("code"))
        parties = parties_by_outfall([o.pk for o in outfalls])
        for o in outfalls:
            values = {c.field: getattr(o, c.field, None) for c in columns.COLUMNS}
            values["town"] = o.town.name
            values.update(columns.parties_columns(parties[o.pk]))
            yield [format_cell(c, values[c.field]) for c in columns.COLUMNS]


def _measure(fn) -> tuple[float, float, float, object]:
    """(wall seconds, CPU seconds of this process, peak Python heap MiB, result): timed without
    tracing, then traced once more. CPU time is what an idle machine would take, about."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    t, c = time.perf_counter() - t0, time.process_time() - c0
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return t, c, peak, out


def main(quick: bool = False) -> None:
    import os

    from bench.bench_import import _django, _workbook

    n = 2_000 if quick else 20_000
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-"))
    os.environ.setdefault("OUTFALL_EXPORT_ASYNC_ROWS", str(n // 4))
    _django(tmp)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from huey.contrib.djhuey import HUEY

    from outfall.cli.demo import load_demo
    from outfall.ledger.excel import import_outfalls
    from outfall.ledger.exporting import export_ledger, iter_cells, write_csv, write_xlsx_to
    from outfall.ledger.models import ExportJob, Outfall
    from outfall.ledger.views import export

    class _Null:
        def write(self, _s):
            pass

    load_demo(stdout=_Null())
    Outfall.objects.filter(code__startswith="370285B").delete()
    admin = get_user_model().objects.get(username="admin")
    t0 = time.perf_counter()
    assert import_outfalls(_workbook(n), actor=admin, name="ledger.xlsx").created == n
    t_setup = time.perf_counter() - t0
    qs = Outfall.objects.all()
    total = qs.count()
    assert not HUEY.immediate and total > settings.OUTFALL_EXPORT_ASYNC_ROWS

    def get(fmt):
        request = RequestFactory().get("/ledger/export/", {"format": fmt})
        request.user = admin
        return export(request)

    def web_xlsx():
        """(request seconds, seconds until the job is done, the file's bytes)."""
        HUEY.flush()
        t0 = time.perf_counter()
        response = get("xlsx")
        t_req = time.perf_counter() - t0
        assert response.status_code == 302, response.status_code
        task = HUEY.dequeue()  # what the worker does next: take the task off the queue and run it
        HUEY.execute(task)
        job = ExportJob.objects.order_by("-pk").first()
        t_done = time.perf_counter() - t0
        assert job.state == "done", job.error
        return t_req, t_done, (settings.OUTFALL_EXPORTS_DIR / job.file_name).read_bytes()

    def view_csv():
        t0 = time.perf_counter()
        it = iter(get("csv").streaming_content)
        first = next(it)
        ttfb = time.perf_counter() - t0
        return ttfb, len(first) + sum(len(c) for c in it)

    def sync_split():
        timings = {}
        buf = io.BytesIO()
        t0 = time.perf_counter()
        write_xlsx_to(iter_cells(qs, timings=timings), buf)
        return timings["sql"], timings["rows"], time.perf_counter() - t0 - timings["sql"] - timings["rows"]

    t_w, c_w, m_w, (t_req, t_done, job_file) = _measure(web_xlsx)
    t_x, c_x, m_x, data = _measure(lambda: export_ledger(qs, "xlsx"))
    assert job_file == data, "the job's file differs from the synchronous export"
    t0 = time.perf_counter()
    assert get("xlsx").status_code == 302  # once more, warm and untraced (its job is not run)
    t_req_warm = time.perf_counter() - t0
    HUEY.flush()
    sql, build, write = sync_split()
    t_r, c_r, m_r, new_rows = _measure(lambda: list(iter_cells(qs)))
    t_rb, c_rb, m_rb, old_rows = _measure(lambda: list(_rows_before(qs)))
    assert new_rows == old_rows, "the previous row building gives other rows"
    t_xo, c_xo, m_xo, _ = _measure(lambda: _xlsx_normal_mode(_rows_before(qs)))
    t_c, c_c, m_c, (ttfb, csv_size) = _measure(view_csv)
    t_co, c_co, m_co, _ = _measure(lambda: write_csv(list(_rows_before(qs))))

    missed = not quick and t_req > TARGET_REQUEST_S
    flag = "  MISSED (target ≤ 2 s)" if missed else ""
    rows = [["XLSX, web path: the export request (creates and queues the job), first in this process",
             f"{t_req:.3f}{flag}", "", "", ""],
            ["XLSX, web path: the same request again (warm, as on a running server)", f"{t_req_warm:.3f}", "", "", ""],
            ["XLSX, web path: request → job done (task run as the worker runs it)", f"{t_done:.2f}", f"{c_w:.2f}",
             f"{m_w:.0f}", f"{len(job_file) / 2**20:.1f}"],
            ["XLSX, synchronous writer (CLI, small exports): write-only, by code keyset", f"{t_x:.2f}", f"{c_x:.2f}",
             f"{m_x:.0f}", f"{len(data) / 2**20:.1f}"],
            [f"  of which SQL {sql:.2f} s · row building {build:.2f} s · XLSX writing {write:.2f} s", "", "", "", ""],
            ["rows alone, ours: value tuples, formatters built once", f"{t_r:.2f}", f"{c_r:.2f}", f"{m_r:.0f}", ""],
            ["rows alone, peer: model instances + format_cell (the previous way)", f"{t_rb:.2f}", f"{c_rb:.2f}",
             f"{m_rb:.0f}", ""],
            ["XLSX, peer: previous rows + normal openpyxl workbook in memory", f"{t_xo:.2f}", f"{c_xo:.2f}",
             f"{m_xo:.0f}", ""],
            [f"CSV, ours: streamed by the view (first bytes after {ttfb * 1e3:.0f} ms)", f"{t_c:.2f}", f"{c_c:.2f}",
             f"{m_c:.0f}", f"{csv_size / 2**20:.1f}"],
            ["CSV, peer: previous rows, whole file built in memory", f"{t_co:.2f}", f"{c_co:.2f}", f"{m_co:.0f}", ""]]
    print(f"{total:,} outfalls in SQLite (loaded by a committed import in {t_setup:.0f} s); export jobs above "
          f"{settings.OUTFALL_EXPORT_ASYNC_ROWS:,} rows; target: the export request ≤ {TARGET_REQUEST_S:.0f} s\n")
    print_table(["export", "seconds", "CPU seconds", "peak Python heap MiB", "file MiB"], rows)
    print("The job's file is byte-identical to the synchronous export. A real worker starts the task after its "
          "queue poll (SQLite queue: up to huey's max delay; Redis: at once).")
    if quick:
        print("Quick run (2,000 outfalls): the target is for 20,000, not judged.")
    else:
        print("MISSED: the XLSX export request took over 2 s" if missed else "All targets met.")
