"""docs/deploy.md works as written (issue #8, "Done when"): its `sh` blocks, run in order against a
new SQLite database with the files of tests/data/deploy/, take the county from nothing to a working
system (first admin, towns from polygons, rivers, sections, a ledger without a town column, readings,
a town account), and the served API lets the town account edit only its own town's outfalls."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"
DATA = ROOT / "tests" / "data" / "deploy"

#: Lines the test does not run: installing the package (the test runs from the installed one).
INSTALL = re.compile(r"^(apt-get |python3 -m venv |export PATH=)")
SERVE = re.compile(r"^outfall serve\b")


def sh_blocks(text: str) -> list[list[str]]:
    """The command lines of every ```sh block, in order (comments and blank lines dropped)."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)
    return [[ln for ln in b.splitlines() if ln.strip() and not ln.lstrip().startswith("#")] for b in blocks]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(blocks: list[list[str]], port: int) -> tuple[str, list[str]]:
    lines, skipped = ["set -euo pipefail"], []
    for block in blocks:
        for ln in block:
            if INSTALL.match(ln):
                skipped.append(ln)
            elif SERVE.match(ln):
                ln = re.sub(r"--port \d+", f"--port {port}", ln).replace("--host 0.0.0.0", "--host 127.0.0.1")
                lines.append(f"{ln} > serve.log 2>&1 & echo $! > serve.pid")
            else:
                lines.append(f"echo '>>> {ln}'")
                lines.append(ln)
    return "\n".join(lines) + "\n", skipped


def _api(base: str, path: str, token: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(base + path, method=method, headers={"Authorization": f"Token {token}",
                                                                       "Content-Type": "application/json"},
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def test_deploy_doc_takes_a_new_database_to_a_working_county(tmp_path):
    # Steps 1–10 take a county from nothing to served; the production and backup sections after them
    # (Docker, systemd) are checked by tests/web/test_deploy.py and tests/web/test_backup.py.
    blocks = sh_blocks(DOC.read_text(encoding="utf-8").split("## 生产运行")[0])
    assert len(blocks) >= 9 and "## 生产运行 / Running in production" in DOC.read_text(encoding="utf-8")
    for f in DATA.iterdir():
        shutil.copy(f, tmp_path / f.name)
    port = _free_port()
    script, skipped = _script(blocks, port)
    assert len(skipped) == 3, skipped  # only the install lines
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for k in ("OUTFALL_DATABASE_URL", "OUTFALL_DATA_DIR", "DJANGO_SETTINGS_MODULE", "OUTFALL_AREA_CODE",
              "OUTFALL_AREA_NAME"):
        env.pop(k, None)
    r = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    pid_file = tmp_path / "serve.pid"
    try:
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        assert "Traceback" not in r.stderr, r.stderr
        out = r.stdout
        assert (tmp_path / "outfall-data" / "outfall.sqlite3").exists()  # the SQLite file in OUTFALL_DATA_DIR
        assert "已创建用户 admin: admin" in out and "密码 (只显示这一次): " in out
        assert re.search(r"import towns towns.geojson\n(.*\n)*?  新建: 3", out)
        assert "  河段: 4" in out and "河段 4 个，出口 1 个" in out
        assert re.search(r"import outfalls ledger.csv\n.*ledger.csv: 已导入\n(.*\n)*?  新建: 4\n", out)
        assert "  断面数据行: 6" in out
        assert "committed" not in out and "batch_id" not in out and "{'" not in out
        token = re.search(r"Generated token (\w+) for user zhang", out).group(1)

        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        assert urllib.request.urlopen(base + "/accounts/login/", timeout=5).status == 200
        try:
            urllib.request.urlopen(base + "/setup/", timeout=5)
            raise AssertionError("the setup page must be gone once users exist")
        except urllib.error.HTTPError as e:
            assert e.code == 404

        status, page = _api(base, "/api/outfalls/?page_size=100", token)
        assert status == 200
        rows = page["results"] if isinstance(page, dict) else page
        towns = sorted(o["town"] for o in rows)
        assert towns == ["东岭街道", "东岭街道", "南河镇", "西坡镇"]  # found from the points
        assert all(o["code"].startswith("370299") for o in rows)
        for o in rows:
            status, _ = _api(base, f"/api/outfalls/{o['id']}/", token, "PATCH", {"notes": "镇街核查"})
            assert status == (200 if o["town"] == "南河镇" else 404), (o["town"], status, _)
        status, mine = _api(base, f"/api/outfalls/{next(o['id'] for o in rows if o['town'] == '南河镇')}/", token)
        assert status == 200 and mine["notes"] == "镇街核查"
        status, sections = _api(base, "/api/sections/", token)
        assert status == 200 and "370299S02" in json.dumps(sections)
    finally:
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass
