"""The CLI speaks to people (issue #12): an import's outcome as localized lines, never
``committed: False``, ``batch_id: None`` or a raw Python dict; ``serve`` on a busy port says so in
one line and exits non-zero."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

import outfall.cli
from factories import make_towns, make_users
from outfall.demo.laixi import rivers_geojson
from test_permission_matrix import SECTIONS_CSV

RAW = re.compile(r"committed|batch_id|: None\b|: True\b|: False\b|\{'|\{\"|\[\]")


def run(argv, monkeypatch, language="zh-hans"):
    monkeypatch.setattr(outfall.cli, "django_setup", lambda *a, **k: None)
    out, err = io.StringIO(), io.StringIO()
    # The CLI speaks OUTFALL_LANGUAGE (LANGUAGE_CODE), not the language a page request left active.
    with override_settings(LANGUAGE_CODE=language), translation.override("en" if language != "en" else "zh-hans"), \
            redirect_stdout(out), redirect_stderr(err):
        code = outfall.cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path, db):
    import json

    make_users(*make_towns())
    (tmp_path / "sections.csv").write_text(SECTIONS_CSV, encoding="utf-8")
    (tmp_path / "rivers.geojson").write_text(json.dumps(rivers_geojson(), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "bad.csv").write_text(SECTIONS_CSV.replace("120.4235", "abc"), encoding="utf-8")
    return tmp_path


def test_an_import_reads_as_lines_in_chinese(files, monkeypatch):
    code, out, _err = run(["import", "sections", files / "sections.csv", "--dry-run"], monkeypatch)
    assert code == 0 and not RAW.search(out), out
    assert "sections.csv: 试导入通过 (--dry-run)，未写入任何数据" in out and "  新建: 2" in out
    code, out, _err = run(["import", "sections", files / "sections.csv"], monkeypatch)
    assert code == 0 and not RAW.search(out), out
    assert "sections.csv: 已导入" in out
    assert re.search(r"  批次号 \(变更历史中可查\): [0-9a-f-]{36}\n", out)


def test_an_import_reads_as_lines_in_english(files, monkeypatch):
    code, out, _err = run(["import", "sections", files / "sections.csv"], monkeypatch, "en")
    assert code == 0 and not RAW.search(out), out
    assert "sections.csv: imported" in out and "  Created: 2" in out and "Batch" in out
    assert not re.search(r"[\u4e00-\u9fff]", out.replace("马连庄", "").replace("大沽河沽河桥", "")), out


def test_the_rivers_report_is_lines_not_a_dict(files, monkeypatch):
    code, out, _err = run(["import", "rivers", files / "rivers.geojson"], monkeypatch)
    assert code == 0 and not RAW.search(out), out
    assert re.search(r"  检查报告: 河段 \d+ 个，出口 \d+ 个，连通部分 \d+ 个。", out) and "  河段: " in out


def test_refused_rows_are_listed_one_a_line(files, monkeypatch):
    code, out, _err = run(["import", "sections", files / "bad.csv", "--dry-run"], monkeypatch)
    assert code == 2 and not RAW.search(out), out
    assert "bad.csv: 发现 1 处错误，未写入任何数据" in out
    assert re.search(r"  bad.csv 第 2 行，列「经度」: .+", out) and "新建" not in out, out


def test_json_stays_for_machines(files, monkeypatch):
    import json

    code, out, _err = run(["import", "sections", files / "sections.csv", "--format", "json"], monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["committed"] is True and data["created"] == 2


def _busy_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path):
    sock, port = _busy_port()
    env = {**os.environ, "OUTFALL_DATA_DIR": str(tmp_path)}
    env.pop("OUTFALL_DATABASE_URL", None)
    try:
        r = subprocess.run([sys.executable, "-m", "outfall", "serve", "--port", str(port), "--db",
                            f"sqlite:///{tmp_path / 'o.sqlite3'}"], env=env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL, cwd=Path(tmp_path))
    finally:
        sock.close()
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"端口 {port} 已被占用" in lines[0] and "--port" in lines[0], r.stderr


def test_bind_errors_in_english():
    import errno

    from outfall.cli.serve import bind_error

    with translation.override("en"):
        text = bind_error(OSError(errno.EADDRINUSE, "Address already in use"), "127.0.0.1", 8000)
    assert "8000" in text and "in use" in text and not re.search(r"[\u4e00-\u9fff]", text)
