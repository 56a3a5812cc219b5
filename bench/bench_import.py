"""Ledger import: a 10,000-row XLSX dry-run and commit (issue #2 target: under 10 s each),
next to reading the same file with openpyxl alone and loading it with pandas read_excel + to_sql
(no validation), measured in the same run on a fresh SQLite database."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import print_table


def _django(tmp: Path) -> None:
    os.environ.setdefault("OUTFALL_DATA_DIR", str(tmp))
    os.environ.setdefault("OUTFALL_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outfall.site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _workbook(n: int) -> bytes:
    from outfall.core.columns import format_cell
    from outfall.demo.ledger import outfall_rows
    from outfall.ledger import columns
    from outfall.ledger.exporting import write_xlsx

    rows = []
    for i, r in enumerate(outfall_rows(n, seed=1)):
        cells = {c.field: r.get(c.field) for c in columns.COLUMNS}
        cells.update(columns.parties_columns(r["parties"]))
        cells["code"] = f"370285B{i:06d}"
        out = {c.field: format_cell(c, cells[c.field]) for c in columns.COLUMNS}
        rows.append(out)
    return write_xlsx(rows)


def main(quick: bool = False) -> None:
    n = 2_000 if quick else 10_000
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-"))
    _django(tmp)
    from outfall.cli.demo import load_demo
    from outfall.ledger.excel import import_outfalls
    from outfall.ledger.models import Outfall

    class _Null:
        def write(self, _s):
            pass

    load_demo(stdout=_Null())  # towns and users
    Outfall.objects.filter(code__startswith="370285B").delete()
    data = _workbook(n)
    path = tmp / "ledger.xlsx"
    path.write_bytes(data)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")

    t0 = time.perf_counter()
    dry = import_outfalls(data, actor=admin, name="ledger.xlsx", dry_run=True)
    t_dry = time.perf_counter() - t0
    assert not dry.errors, dry.errors[:3]
    t0 = time.perf_counter()
    res = import_outfalls(data, actor=admin, name="ledger.xlsx")
    t_commit = time.perf_counter() - t0
    assert res.created == n
    t0 = time.perf_counter()
    res2 = import_outfalls(data, actor=admin, name="ledger.xlsx")
    t_again = time.perf_counter() - t0
    assert res2.unchanged == n

    import openpyxl

    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sum(1 for _ in wb.active.iter_rows(values_only=True))
    wb.close()
    t_openpyxl = time.perf_counter() - t0
    rows = [["import (ours): dry run, every check", f"{t_dry:.2f}", f"{n / t_dry:,.0f}"],
            ["import (ours): commit, one transaction + history", f"{t_commit:.2f}", f"{n / t_commit:,.0f}"],
            ["import (ours): re-import, nothing changed", f"{t_again:.2f}", f"{n / t_again:,.0f}"],
            ["openpyxl read only (floor: reading the file)", f"{t_openpyxl:.2f}", f"{n / t_openpyxl:,.0f}"]]
    try:
        import pandas as pd

        t0 = time.perf_counter()
        df = pd.read_excel(path)
        con = sqlite3.connect(tmp / "pandas.sqlite3")
        df.to_sql("ledger", con, if_exists="replace", index=False)
        con.commit()
        con.close()
        t_pd = time.perf_counter() - t0
        rows.append(["pandas read_excel + to_sql (no checks)", f"{t_pd:.2f}", f"{n / t_pd:,.0f}"])
    except ImportError:
        rows.append(["pandas read_excel + to_sql", "not installed", ""])
    print(f"{n:,}-row XLSX ledger, SQLite; target: dry run and commit each under 10 s\n")
    print_table(["step", "seconds", "rows/s"], rows)
