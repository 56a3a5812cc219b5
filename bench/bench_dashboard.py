"""The dashboard (概览) and the monthly report (月报) on the Laixi demo year (issue #13 items 5–6).

Times, on a new SQLite database holding the demo (365 days; ``--quick``: 90): each registered part's
``summary`` (``outfall.dashboard.registry``) for the year and for one month, the page /dashboard/ and /reports/monthly/ as a user
gets them (the test client, the same views), the two downloads; beside the peer for the section
compliance part: the section page's own yearly assessment (``period_evaluations``) asked of every
section in turn, which must give the same numbers. Target: the dashboard page
under 1 s, each part under 0.5 s, the compliance part faster than the peer. MISSED marks a miss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import best_of, print_table

ROOT = Path(__file__).resolve().parent.parent
PAGE_S, PART_S = 1.0, 0.5


def _worker(days: int) -> dict:
    import datetime as dt
    import io

    from outfall.cli import django_setup

    django_setup()
    import outfall.demo.monitoring
    from outfall.cli.demo import load_demo

    outfall.demo.monitoring.DAYS = days
    load_demo(stdout=io.StringIO())  # every app's demo (cases, remediation … when installed)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from outfall.dashboard.registry import part_functions
    from outfall.monitoring import reporting as sections_part
    from outfall.monitoring.models import Section, SectionReading
    from outfall.monitoring.selectors import period_evaluations

    setup_test_environment()
    admin = get_user_model().objects.get(username="admin")
    year, month = (dt.date(2025, 1, 1), dt.date(2026, 1, 1)), (dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    out = {"readings": SectionReading.objects.count(), "rows": []}
    for fn in part_functions():  # every registered part, as the dashboard calls it
        name = fn(user=admin, town_id=None, start=month[0], end=month[1]).key
        for label, (s, e) in (("year", year), ("month", month)):
            t = best_of(lambda f=fn, s=s, e=e: f(user=admin, town_id=None, start=s, end=e))
            out["rows"].append([f"{name} part, {label}", t, PART_S])

    def peer():
        met = n = 0
        for sec in Section.objects.all():
            row = next((r for r in period_evaluations(sec, by="year") if r["period"] == "2025"), None)
            if row and row["evaluation"].water_class is not None:
                n, met = n + 1, met + bool(row["evaluation"].compliant)
        return met, n

    ours = sections_part.summary(user=admin, town_id=None, start=year[0], end=year[1]).rates[0]
    out["same"] = (ours.done, ours.total) == peer()
    out["peer"] = best_of(peer, repeat=2)
    c = Client()
    c.force_login(admin)
    for url in ("/dashboard/?year=2025", "/reports/monthly/?month=2025-03",
                "/reports/monthly/download/?month=2025-03&format=xlsx",
                "/reports/monthly/download/?month=2025-03&format=docx"):
        c.get(url, HTTP_HOST="localhost")  # warm: imports, templates, matplotlib
        t = best_of(lambda u=url: c.get(u, HTTP_HOST="localhost"))
        out["rows"].append([f"GET {url}", t, PAGE_S if url.startswith("/dashboard/") else None])
    return out


def main(quick: bool = False) -> None:
    days = 90 if quick else 365
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "OUTFALL_DATA_DIR": tmp, "OUTFALL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "DJANGO_SETTINGS_MODULE": "outfall.site.settings", "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-c", f"import json, bench.bench_dashboard as b; "
                              f"print('@@' + json.dumps(b._worker({days})))"],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("@@")), None)
    if run.returncode or line is None:
        print(f"failed: {run.stderr[-2000:]}")
        return
    r = json.loads(line[2:])
    rows = [[what, f"{1000 * t:.0f} ms", "" if target is None else ("ok" if t <= target else "MISSED")]
            for what, t, target in r["rows"]]
    compl = next(t for what, t, _ in r["rows"] if what == "sections part, year")
    rows.append(["peer: period_evaluations of every section, year", f"{1000 * r['peer']:.0f} ms",
                 ("same numbers" if r["same"] else "DIFFERENT NUMBERS MISSED")
                 + ("" if compl < r["peer"] else ", ours not faster MISSED")])
    print(f"demo: {days} days, {r['readings']} section readings (SQLite)\n")
    print_table(["what", "time (best of 3)", "target"], rows)
