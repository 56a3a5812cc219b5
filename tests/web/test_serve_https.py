"""`outfall serve` behind a TLS proxy with OUTFALL_HTTPS=true: plain requests are redirected, the
proxy's X-Forwarded-Proto is believed (from 127.0.0.1 by default), HSTS and secure cookies are sent."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": "outfall.example.org", **(headers or {})})
        r = conn.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders() if k.lower() != "set-cookie"}, r.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def _serve(tmp_path, **env_over):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTFALL_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"OUTFALL_DATA_DIR": str(tmp_path), "OUTFALL_ALLOWED_HOSTS": "outfall.example.org", **env_over})
    proc = subprocess.Popen([sys.executable, "-m", "outfall", "serve", "--port", str(port), "--db",
                             f"sqlite:///{tmp_path / 's.sqlite3'}"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            _get(port, "/accounts/login/")
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise AssertionError("outfall serve did not start")


def test_https_behind_a_proxy(tmp_path):
    proc, port = _serve(tmp_path, OUTFALL_HTTPS="true")
    try:
        status, headers, _ = _get(port, "/ledger/")
        assert status == 301 and headers["location"] == "https://outfall.example.org/ledger/"
        status, headers, cookies = _get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert status == 200, "the proxy's X-Forwarded-Proto must be believed (else: a redirect loop)"
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        assert cookies and all("Secure" in c for c in cookies), cookies
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_forwarded_proto_from_an_untrusted_address_is_ignored(tmp_path):
    proc, port = _serve(tmp_path, OUTFALL_HTTPS="true", OUTFALL_TRUSTED_PROXY="192.0.2.7")
    try:
        status, headers, _ = _get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert status == 301 and headers["location"].startswith("https://")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_proxy_options(monkeypatch):
    from outfall.cli.serve import proxy_options

    monkeypatch.delenv("OUTFALL_TRUSTED_PROXY", raising=False)
    monkeypatch.delenv("OUTFALL_HTTPS", raising=False)
    assert proxy_options() == {}
    monkeypatch.setenv("OUTFALL_HTTPS", "true")
    assert proxy_options()["trusted_proxy"] == "127.0.0.1"
    monkeypatch.setenv("OUTFALL_TRUSTED_PROXY", "192.0.2.3")
    opts = proxy_options()
    assert opts["trusted_proxy"] == "192.0.2.3" and set(opts["trusted_proxy_headers"].split()) == {
        "x-forwarded-for", "x-forwarded-proto"}
