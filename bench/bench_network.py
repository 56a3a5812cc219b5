"""Navigation as the app answers it, next to a SQLite recursive query (the method national
navigation services use), in the same run, on a synthetic tree of 1,000,000 reaches (100,000 with
--quick).

"ours (API path)" is ``outfall.rivers.navigation.navigate_from`` — the function the API, the page
and the CLI call — from a section code: the network key query, the section's snap lookup, then the
indexed navigation; the network is the process-cached one (its index built once, timed on its own
line). Both sides produce the reach ids with distance (km) and travel time (h), ordered by distance.
"engine only" is the core call alone (``outfall.core.network.navigate_arrays``) from the same point.

Targets (issue #11): the API path ≥ 100× the recursive query on the 283,000-reach upstream set, and
within 3× of the engine-only call; MISSED is printed where a target is not met.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import best_of, print_table


def synthetic_tree(n: int, *, seed: int = 1) -> np.ndarray:
    """Parent (downstream) of each reach: chains (90 %) joined at random earlier reaches (10 %)."""
    rng = np.random.default_rng(seed)
    parent = np.arange(-1, n - 1)
    jump = rng.random(n) < 0.1
    jump[0] = False
    idx = np.flatnonzero(jump)
    parent[idx] = (rng.random(idx.size) * idx).astype(np.int64)
    return parent


def _django(tmp: Path) -> None:
    os.environ.setdefault("OUTFALL_DATA_DIR", str(tmp))
    os.environ.setdefault("OUTFALL_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outfall.site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _section_at(net, reach: int, measure: float, code: str) -> None:
    """A section snapped at (reach, measure), and the synthetic network as the process's current one."""
    from outfall.monitoring.models import Section
    from outfall.rivers import selectors
    from outfall.rivers.models import Reach, Snap

    r, _ = Reach.objects.get_or_create(reach_id=net.ids[reach], defaults={"length_m": 1.0, "coords": []})
    sec = Section.objects.filter(code=code).first()
    if sec is None:
        sec = Section(code=code, name=code, lon=120.4, lat=36.9, original_lon=120.4, original_lat=36.9)
        sec.save()
    Snap.objects.update_or_create(section=sec, defaults={"reach": r, "measure": measure, "distance_m": 1.0})
    selectors._cache.update(key=selectors.network_key(), net=net)


def _sqlite(parent, length_km, tt_h) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE reach (id INTEGER PRIMARY KEY, dn INTEGER, len_km REAL, tt_h REAL)")
    con.executemany("INSERT INTO reach VALUES (?, ?, ?, ?)",
                    zip(range(len(parent)), parent.tolist(), length_km.tolist(), tt_h.tolist(), strict=True))
    con.execute("CREATE INDEX reach_dn ON reach (dn)")
    return con


# distance / time from the start point (reach ?, measure ?) to each reach's downstream end (d, t)
# and to its upstream end (fd, ft), walking upstream
_CTE = """WITH RECURSIVE up(id, d, t, fd, ft) AS (
  SELECT id, 0.0, 0.0, ? * len_km, ? * tt_h FROM reach WHERE id = ?
  UNION ALL SELECT r.id, up.fd, up.ft, up.fd + r.len_km, up.ft + r.tt_h FROM reach r JOIN up ON r.dn = up.id {limit})
"""
CTE_ORDERED = _CTE + "SELECT id, d, t FROM up ORDER BY d, id"
CTE_COUNT = _CTE + "SELECT count(*), max(d) FROM up"


def _cte(con, sql, b, m, max_km=None):
    limit = "WHERE up.fd < ?" if max_km is not None else ""
    args = (m, m, b) + ((max_km,) if max_km is not None else ())
    return con.execute(sql.format(limit=limit), args).fetchall()


def main(quick: bool = False) -> None:
    from outfall.core.network.graph import network_from_arrays
    from outfall.core.network.navigate import navigate_arrays

    n = 100_000 if quick else 1_000_000
    parent = synthetic_tree(n)
    rng = np.random.default_rng(2)
    length = rng.uniform(200, 3000, n)
    t0 = time.perf_counter()
    net = network_from_arrays(parent, length)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    _ = net.D_pre, net.T_pre, net.rank_pre, net.D_byD, net.T_byD  # the navigation arrays (stored with the index on import)
    t_arrays = time.perf_counter() - t0
    size = net.size
    picks = {}
    for label, target in (("small", 10), ("medium", 1_000), ("large", 100_000), ("whole basin", n)):
        cand = np.flatnonzero((size >= target) & (size <= target * 3)) if target < n else np.array([0])
        picks[label] = int(cand[0]) if cand.size else int(np.argmin(np.abs(size - target)))

    tmp = Path(tempfile.mkdtemp(prefix="outfall-bench-"))
    _django(tmp)
    from outfall.core.network.store import ids_digest, index_bytes, network_from_index
    from outfall.rivers.models import NetworkVersion
    from outfall.rivers.navigation import navigate_from

    t0 = time.perf_counter()
    blob = index_bytes(net)
    t_store = time.perf_counter() - t0
    version = NetworkVersion.objects.create(reaches=n, ids_digest=ids_digest(net.ids), index=blob)
    t0 = time.perf_counter()
    assert network_from_index(NetworkVersion.objects.values_list("index", flat=True).get(pk=version.pk), ids=net.ids,
                              names=net.names, kinds=net.kinds, coords=net.coords, level_path=net.level_path)
    t_load = time.perf_counter() - t0

    con = _sqlite(parent, length / 1000.0, net.travel_h)
    m = 0.37  # where on its reach the section sits (0 = upstream end)
    cases = [(f"UT, {label}", b, None) for label, b in picks.items()] + [("UT ≤ 50 km, whole basin", 0, 50.0)]
    rows, missed = [], []
    for label, b, max_km in cases:
        code = f"BENCH{b}"
        _section_at(net, b, m, code)
        res = navigate_from(code, mode="UT", max_km=max_km)[2]
        ref = _cte(con, CTE_ORDERED, b, m, max_km)
        assert len(res) == len(ref) and res.index[1:].tolist() == [r[0] for r in ref[1:]]
        assert np.allclose(res.distance_km[1:], [r[1] for r in ref[1:]], atol=1e-6)
        k = len(res)
        rep = 3 if k < 10_000 else 2
        t_api = best_of(lambda c=code, mk=max_km: navigate_from(c, mode="UT", max_km=mk), repeat=rep + 2)
        t_core = best_of(lambda b=b, mk=max_km: navigate_arrays(net, (b, m), mode="UT", max_km=mk), repeat=rep + 2)
        t_slice = best_of(lambda b=b: net.upstream_set(b).copy(), repeat=rep + 2)
        t_sql = best_of(lambda b=b, mk=max_km: _cte(con, CTE_ORDERED, b, m, mk), repeat=1 if k > 10_000 else rep)
        t_sql_engine = best_of(lambda b=b, mk=max_km: _cte(con, CTE_COUNT, b, m, mk), repeat=1 if k > 10_000 else rep)
        speed, over = t_sql / t_api, t_api / t_core
        flag = ""
        if quick:
            pass  # the targets are for the full 1,000,000-reach tree
        elif label == "UT, large" and speed < 100:
            flag += " MISSED ≥100×"
            missed.append(f"{label} ≥100×")
        if not quick and label == "UT, large" and over > 3:
            flag += " MISSED ≤3×"
            missed.append(f"{label} ≤3×")
        rows.append([label, f"{k:,}", f"{t_api * 1e3:.2f}", f"{t_core * 1e3:.2f}", f"{t_slice * 1e3:.2f}",
                     f"{t_sql * 1e3:.1f}", f"{t_sql_engine * 1e3:.1f}", f"{speed:,.0f}×", f"{over:.2f}×{flag}"])

    deep = int(np.argmax(net.D_km))
    for mode in ("DM", "DD"):
        _section_at(net, deep, m, "BENCHDEEP")
        k = len(navigate_from("BENCHDEEP", mode=mode)[2])
        t_api = best_of(lambda md=mode: navigate_from("BENCHDEEP", mode=md), repeat=3)
        t_core = best_of(lambda md=mode: navigate_arrays(net, (deep, m), mode=md), repeat=3)
        rows.append([f"{mode}, from the farthest reach", f"{k:,}", f"{t_api * 1e3:.2f}", f"{t_core * 1e3:.2f}",
                     "", "", "", "", f"{t_api / t_core:.2f}×"])

    from outfall.core.network.graph import _levels

    depth = len(_levels(n, net.roots, *net.up_main))
    print(f"{n:,} reaches, {depth:,} levels deep. Index build (once per imported network): {t_build:.2f} s "
          f"+ navigation arrays {t_arrays:.2f} s; stored with the network ({len(blob) / 2**20:.0f} MiB, "
          f"{t_store:.2f} s); a new process loads it from the database in {t_load:.2f} s instead of rebuilding. "
          "None of this is in the figures below (the network is cached per process).\n")
    print_table(["navigation (ids + km + h, ordered)", "reaches", "ours, API path ms", "engine only ms",
                 "index slice alone ms", "SQLite CTE ms", "CTE engine only (count) ms", "CTE / ours",
                 "API path / engine"], rows)
    print("\nTargets: API path ≥ 100× the SQLite CTE on the large (283k) set; API path within 3× of the engine.")
    if quick:
        print("Quick run (100,000 reaches): targets not judged.")
    else:
        print("MISSED: " + ", ".join(missed) if missed else "All targets met.")
