"""`outfall serve --with-worker` (what `make run` starts): the worker writes its heartbeat, /healthz
answers 200 over HTTP, every log line on stdout is JSON with OUTFALL_LOG_FORMAT=json, and stopping
the server stops the worker; `outfall worker` alone writes the heartbeat too."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, **extra):
    env = {**os.environ, "OUTFALL_DATA_DIR": str(tmp_path), **extra}
    env.pop("OUTFALL_DATABASE_URL", None)
    env.pop("OUTFALL_REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _healthz(url: str) -> tuple[int, dict]:
    try:
        r = urllib.request.urlopen(url, timeout=5)
        return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_with_worker_is_healthy_logs_json_and_stops_the_worker(tmp_path):
    port = _free_port()
    log = open(tmp_path / "out.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "outfall", "serve", "--port", str(port), "--with-worker",
                             "--db", f"sqlite:///{tmp_path / 's.sqlite3'}"],
                            env=_env(tmp_path, OUTFALL_LOG_FORMAT="json"), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        status, body = None, None
        for _ in range(150):
            try:
                status, body = _healthz(url)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert status == 200, body
        assert body["checks"]["worker"]["status"] == "up" and body["checks"]["worker"]["age_s"] < 60
        req = urllib.request.Request(url, headers={"X-Request-ID": "probe-1"})
        assert urllib.request.urlopen(req, timeout=5).headers["X-Request-ID"] == "probe-1"
        worker_pid = int(next(line for line in open(tmp_path / "out.log", encoding="utf-8")
                              if "后台任务进程 pid" in line).rsplit("pid", 1)[1].strip(" )\n"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
    deadline = time.time() + 20
    while time.time() < deadline and _alive(worker_pid):
        time.sleep(0.2)
    assert not _alive(worker_pid), "the worker outlived the server"
    lines = [line for line in (tmp_path / "out.log").read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    plain = [line for line in lines if not line.startswith("{")]
    # Only the two start-up banners are plain text; every log record is a JSON object.
    assert len(plain) == 2 and all("已启动" in line for line in plain), plain
    probe = [r for r in records if r.get("request_id") == "probe-1"]
    assert probe and probe[0]["path"] == "/healthz" and probe[0]["logger"] == "outfall.request"
    assert probe[0]["status"] == 200 and probe[0]["user"] == "-"
    assert any(r["logger"].startswith("huey") for r in records)  # the worker's own lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped) counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_worker_alone_writes_the_heartbeat(tmp_path):
    db = tmp_path / "w.sqlite3"
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "outfall", "migrate", "--db", f"sqlite:///{db}"], env=env, check=True,
                   capture_output=True, timeout=300)
    proc = subprocess.Popen([sys.executable, "-m", "outfall", "worker", "--db", f"sqlite:///{db}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        row = None
        for _ in range(150):
            with sqlite3.connect(db) as con:
                row = con.execute("SELECT name, pid FROM outfall_site_heartbeat").fetchone()
            if row:
                break
            time.sleep(0.2)
        assert row == ("worker", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (tmp_path / "huey.sqlite3").exists()  # the embedded queue lives in DATA_DIR


def test_queue_is_sqlite_in_data_dir_or_redis_when_asked(tmp_path):
    probe = ("import django; django.setup(); from huey.contrib.djhuey import HUEY; s = HUEY.storage; "
             "print(type(s).__name__, getattr(s, 'filename', None) or s.conn.connection_pool.connection_kwargs['db'])")
    env = {**_env(tmp_path), "DJANGO_SETTINGS_MODULE": "outfall.site.settings"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["SqliteStorage", str(tmp_path / "huey.sqlite3")]
    env["OUTFALL_REDIS_URL"] = "redis://127.0.0.1:6379/6"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["RedisStorage", "6"]
