"""`outfall serve` runs the production WSGI server and serves the static assets itself (offline)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_login_and_static_files(tmp_path):
    port = _free_port()
    env = {**os.environ, "OUTFALL_DATA_DIR": str(tmp_path)}
    env.pop("OUTFALL_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen([sys.executable, "-m", "outfall", "serve", "--port", str(port), "--db",
                             f"sqlite:///{tmp_path / 's.sqlite3'}"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        page = urllib.request.urlopen(base + "/accounts/login/", timeout=5)
        assert page.status == 200 and "登录" in page.read().decode()
        for asset in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/plotly/plotly.min.js",
                      "/static/outfall/site.css", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"):
            assert urllib.request.urlopen(base + asset, timeout=5).status == 200, asset
        # A new database has no user yet: a page sends the first visitor to the one-time setup page.
        r = urllib.request.urlopen(base + "/ledger/", timeout=5)
        assert r.url.endswith("/setup/") and "创建管理员" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
