"""A trace as the app runs it (``outfall.traces``), beside the engine alone and a naive loader, on
the Laixi demo (300 outfalls, 7 sections, a year of 4-hourly readings) in a fresh SQLite database.

- "service, no store": ``outfall.traces.compute.run_trace`` — what ``outfall trace`` calls: the
  network (process-cached), the snaps, the readings of one parameter in [at − 48 h, at + 48 h]
  filtered in SQL, then ``outfall.core.tracing.trace``;
- "service, stored": ``outfall.traces.services.start_trace`` — what the pages and API call: the same
  plus the observed/explained series, the map, the Trace row and its history;
- "engine only": ``trace`` on the inputs already loaded (same keys, same output);
- "peer loader": every reading of the parameter read and filtered in Python, then the engine.
Targets (issue #10): a trace under 50 ms at county scale (service, no store); loading the inputs
costs less than the engine; MISSED is printed where a target is not met.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np

from bench.common import best_of, print_table


def _django(tmp: Path) -> None:
    os.environ.setdefault("OUTFALL_DATA_DIR", str(tmp))
    os.environ.setdefault("OUTFALL_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outfall.site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def main(quick: bool = False) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-"))
    _django(tmp)
    from django.contrib.auth import get_user_model

    from outfall.cli.demo import load_demo
    from outfall.core.tracing import trace
    from outfall.monitoring.models import Section, SectionReading
    from outfall.traces import services
    from outfall.traces.compute import run_trace
    from outfall.traces.inputs import load_inputs, reading_value, to_hours

    class _Null:
        def write(self, _s):
            pass

    load_demo(stdout=_Null())
    admin = get_user_model().objects.get(username="admin")
    section = Section.objects.get(code="370285S03")
    peak = (SectionReading.objects.filter(section=section, parameter="NH3N").order_by("-value")
            .values_list("time", flat=True).first())
    at = peak or dt.datetime(2025, 7, 14, tzinfo=dt.UTC)
    repeat = 3 if quick else 7
    run_trace(section, "NH3N", at)  # warm the network cache
    inp = load_inputs(section, "NH3N", at)

    def engine():
        return trace(inp.net, inp.index, inp.sections, inp.readings, section=section.code, parameter="NH3N",
                     at=inp.at_h, window_h=inp.window_h)

    def peer():
        rows = SectionReading.objects.filter(parameter="NH3N").values_list("section__code", "time", "value",
                                                                           "qualifier", "detection_limit")
        lo, hi = inp.at_h - inp.window_h, inp.at_h + inp.window_h
        got: dict = {}
        for code, t, v, q, d in rows:
            h, x = to_hours(t), reading_value(v, q, d)
            if x is not None and lo <= h <= hi:
                got.setdefault(code, ([], []))[0].append(h)
                got[code][1].append(x)
        rd = {c: (np.array(t), np.array(v)) for c, (t, v) in got.items()}
        return trace(inp.net, inp.index, inp.sections, rd, section=section.code, parameter="NH3N", at=inp.at_h,
                     window_h=inp.window_h)

    assert peer().as_dict() == engine().as_dict()
    t_engine = best_of(engine, repeat=repeat)
    t_load = best_of(lambda: load_inputs(section, "NH3N", at), repeat=repeat)
    t_run = best_of(lambda: run_trace(section, "NH3N", at), repeat=repeat)
    t_store = best_of(lambda: services.start_trace(section, "NH3N", at, actor=admin), repeat=repeat)
    t_peer = best_of(peer, repeat=repeat)
    n_cand = len(engine().candidates)

    def ms(x):
        return f"{1000 * x:.1f} ms"

    print_table(["path", "time", "target", ""], [
        ["service, no store (run_trace)", ms(t_run), "< 50 ms", "" if t_run < 0.05 else "MISSED"],
        ["  of which loading (load_inputs)", ms(t_load), "< engine", "" if t_load < t_engine else "MISSED"],
        ["service, stored (start_trace)", ms(t_store), "", ""],
        ["engine only (trace)", ms(t_engine), "", ""],
        ["peer loader (all readings) + engine", ms(t_peer), "", ""],
    ])
    print(f"\n{section.code} NH3N at {at:%Y-%m-%d %H:%M}, {n_cand} candidates, "
          f"{sum(len(t) for t, _ in inp.readings.values())} readings in the window of "
          f"{SectionReading.objects.filter(parameter='NH3N').count()}; best of {repeat}.")
