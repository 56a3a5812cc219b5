"""The deployment files: compose.yaml, the Dockerfile, .dockerignore and the systemd units say what the
app reads, and `docker compose up` gives a healthy system where a Docker daemon is reachable."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from outfall.site.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DECLARED = {f"OUTFALL_{s.name}" for s in SETTINGS}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_web_worker_postgresql_and_redis_with_healthchecks():
    services = compose()["services"]
    assert {"web", "worker", "db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["command"][:2] == ["outfall", "serve"] and "0.0.0.0" in services["web"]["command"]
    assert services["worker"]["command"] == ["outfall", "worker"]
    assert "check_worker" in " ".join(services["worker"]["healthcheck"]["test"])
    for name in ("web", "worker"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["redis"]["condition"] == "service_healthy"
        assert "data:/data" in services[name]["volumes"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert set(compose()["volumes"]) >= {"data", "pgdata", "redisdata"}


def test_compose_environment_is_settings_the_app_reads():
    services = compose()["services"]
    envs = {name: s.get("environment", {}) for name, s in services.items() if name in ("web", "worker", "migrate")}
    assert envs["web"] == envs["worker"] == envs["migrate"]  # one configuration for every process
    env = envs["web"]
    outfall_keys = {k for k in env if k.startswith("OUTFALL_")}
    assert outfall_keys - DECLARED == set(), "compose.yaml sets variables the app does not read"
    assert env["OUTFALL_DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["OUTFALL_DATABASE_URL"]
    assert env["OUTFALL_REDIS_URL"].startswith("redis://redis:6379/")
    assert env["OUTFALL_DATA_DIR"] == "/data"


def test_dockerfile_is_debian_python_non_root_and_serves_on_all_addresses():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim-bookworm"
    user = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    # the last CMD is the image's (the one before it continues the HEALTHCHECK line)
    cmd = json.loads([line for line in instructions if line.startswith("CMD ")][-1].removeprefix("CMD "))
    assert cmd == ["outfall", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert any(line.startswith("RUN pip install .") for line in instructions)
    assert not any(line.startswith("ADD ") for line in instructions)  # nothing fetched by URL
    assert "/healthz" in next(line for line in lines if "urlopen" in line)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "data", "*.sqlite3"} <= set(ignored)


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / "systemd" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize(("unit", "command"), [("outfall-web.service", ["serve"]),
                                               ("outfall-worker.service", ["worker"])])
def test_systemd_units_run_the_commands_with_an_environment_file(unit, command):
    u = _unit(unit)
    exec_start = shlex.split(u["Service"]["ExecStart"])
    assert Path(exec_start[0]).name == "outfall" and exec_start[1:2] == command
    assert u["Service"]["EnvironmentFile"] == "/etc/outfall/outfall.env"
    assert u["Service"]["User"] not in ("root", "0")
    assert u["Install"]["WantedBy"] == "multi-user.target"
    example = (ROOT / "deploy" / "systemd" / "outfall.env.example").read_text(encoding="utf-8")
    keys = {line.lstrip("# ").split("=", 1)[0] for line in example.splitlines() if "=" in line}
    assert keys and keys <= DECLARED


def _docker_unavailable() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "no `docker` command on this machine"
    try:
        info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)
        version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker does not answer: {exc}"
    if info.returncode != 0:
        return f"no Docker daemon reachable: {(info.stderr or info.stdout).strip()[:200]}"
    if version.returncode != 0:
        return "the `docker compose` plugin is missing"
    return None


def test_compose_up_is_healthy(tmp_path):
    why = _docker_unavailable()
    if why:
        pytest.skip(f"docker compose up needs Docker: {why}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    project = f"outfall-test-{os.getpid()}"
    env = {**os.environ, "WEB_PORT": str(port), "OUTFALL_SECRET_KEY": "t" * 50}
    base = ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "-p", project]
    try:
        subprocess.run([*base, "up", "-d", "--build"], env=env, check=True, timeout=1800)
        status, body = None, None
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                r = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                status, body = r.status, json.loads(r.read())
                break
            except urllib.error.HTTPError as exc:  # 503 until the worker's first heartbeat
                status, body = exc.code, exc.read()
            except OSError:
                pass
            time.sleep(3)
        assert status == 200, body
        assert body["checks"]["database"]["vendor"] == "postgresql" and body["checks"]["worker"]["status"] == "up"
    finally:
        subprocess.run([*base, "down", "-v"], env=env, timeout=300)
