"""100 concurrent users against ``outfall serve`` on PostgreSQL on this machine (locust, headless).

A fresh database gets the Laixi demo; ``outfall serve`` (waitress) answers on 127.0.0.1; locust's
users, each with a signed-in session (as if logged in earlier), browse the ledger, outfall pages,
the map layers and the sections API, and now and then log in again (a deliberate ~0.5 s PBKDF2
password hash each time), for a bounded time (90 s, 40 s with --quick). Before that one user alone
times each page: the "1 user" column, the peer measured in the same run. Printed per endpoint:
requests, errors, p50 and p95 (ms) against the target (issue #7): p95 < 300 ms and no error,
MISSED where not met.

The database is ``BENCH_DATABASE_URL`` (default postgresql://root@127.0.0.1:5432/outfall_bench_load),
dropped and created anew, and dropped at the end; only a server on 127.0.0.1/localhost is
accepted. Without PostgreSQL the benchmark says so and is skipped.
"""

from __future__ import annotations

import csv
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import print_table

USERS = 100
#: Users started per second.
SPAWN_RATE = 10
TARGET_P95_MS = 300
DEFAULT_URL = "postgresql://root@127.0.0.1:5432/outfall_bench_load"
HERE = Path(__file__).resolve().parent

_SETUP = """
import os, django
django.setup()
from django.contrib.auth import get_user_model
from outfall.ledger.models import Outfall
get_user_model().objects.create_user(username=os.environ["BENCH_USER"], password=os.environ["BENCH_PASSWORD"],
                                     role="bureau")
print(",".join(str(pk) for pk in Outfall.objects.order_by("?").values_list("pk", flat=True)[:200]))
# One signed-in session per simulated user, as if each had logged in earlier in the day.
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username=os.environ["BENCH_USER"])
keys = []
for _ in range(int(os.environ["BENCH_USERS"])):
    s = SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
print(",".join(keys))
"""


def _recreate_database(url: str, *, create: bool = True) -> str | None:
    """Drop and create (or only drop) the bench database; None when done, else why it cannot be."""
    import psycopg

    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return f"refused: {parts.hostname} is not this machine (127.0.0.1 only)"
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"no PostgreSQL at {parts.hostname}:{parts.port or 5432} ({str(exc).strip()[:80]})"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"outfall serve exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("outfall serve did not start")


#: The pages the locust users ask for (bench/locust_site.py), as "METHOD path" with an outfall id.
PAGES = ["GET /ledger/", "GET /ledger/<id>/", "GET /map/layers/outfalls.geojson", "GET /map/layers/rivers.geojson",
         "GET /map/layers/sections.geojson", "GET /map/layers/towns.geojson", "GET /api/sections/"]


def _one_user(port: int, env: dict, outfall_id: str) -> dict[str, float]:
    """Log in once and time each page alone (median of 3, ms, after a first warm-up request): the
    same requests with no concurrency, as the peer of the loaded figures."""
    import http.cookiejar
    import statistics
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"

    def timed(method, path, data=None):
        t0 = time.perf_counter()
        body = urllib.parse.urlencode(data).encode() if data else None
        opener.open(urllib.request.Request(base + path, data=body, method=method), timeout=60).read()
        return (time.perf_counter() - t0) * 1000

    out = {"GET /accounts/login/": timed("GET", "/accounts/login/")}
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    out["POST /accounts/login/"] = timed("POST", "/accounts/login/", {
        "username": env["BENCH_USER"], "password": env["BENCH_PASSWORD"], "csrfmiddlewaretoken": csrf})
    for page in PAGES:
        method, path = page.split(" ")
        path = path.replace("<id>", outfall_id)
        timed(method, path)
        out[page] = statistics.median(timed(method, path) for _ in range(3))
    return out


def _rows(stats_csv: Path, alone: dict[str, float]) -> list[list]:
    rows = []
    with stats_csv.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = r["Name"] if r["Name"] != "Aggregated" else "all"
            n, failures = int(r["Request Count"]), int(r["Failure Count"])
            p50, p95 = int(float(r["50%"] or 0)), int(float(r["95%"] or 0))
            ok = n > 0 and failures == 0 and p95 < TARGET_P95_MS
            one = f"{alone[name]:.0f}" if name in alone else ""
            rows.append([name, n, failures, p50, p95, one, f"< {TARGET_P95_MS}, 0 errors", "ok" if ok else "MISSED"])
    return rows


def main(quick: bool = False) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    why = _recreate_database(url)
    if why:
        print(f"skipped: {why}")
        return
    duration = 40 if quick else 90
    tmp = Path(tempfile.mkdtemp(prefix="outfall-load-"))
    outfall = str(Path(sys.executable).with_name("outfall"))
    env = {**os.environ, "OUTFALL_DATABASE_URL": url, "OUTFALL_DATA_DIR": str(tmp), "OUTFALL_DEBUG": "false",
           "OUTFALL_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "outfall.site.settings",
           "BENCH_USER": "bench-load", "BENCH_PASSWORD": secrets.token_urlsafe(16)}
    subprocess.run([outfall, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([outfall, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    ids, sessions = subprocess.run([sys.executable, "-c", _SETUP], env={**env, "BENCH_USERS": str(USERS)}, check=True,
                                   capture_output=True, text=True).stdout.strip().splitlines()[-2:]
    port = _free_port()
    server = subprocess.Popen([outfall, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "16"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, server)
        alone = _one_user(port, env, ids.split(",")[0])
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "locust", "-f", str(HERE / "locust_site.py"), "--headless",
                        "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{duration}s", "--stop-timeout", "5",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(tmp / "load"), "--only-summary",
                        "--loglevel", "ERROR", "--exit-code-on-error", "0"],
                       env={**env, "BENCH_OUTFALL_IDS": ids, "BENCH_SESSIONS": sessions}, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=duration + 120)
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
        _recreate_database(url, create=False)
    print(f"{USERS} users (locust, 1–3 s between pages), {duration} s, `outfall serve` (waitress, 16 threads) "
          f"on PostgreSQL, Laixi demo data; {wall:.0f} s wall")
    print_table(["endpoint", "requests", "errors", "p50 ms", "p95 ms", "1 user ms", "target p95", "verdict"],
                _rows(tmp / "load_stats.csv", alone))
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(the server is one Python process; a login hashes the password with PBKDF2 by design)")
