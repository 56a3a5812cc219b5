"""The CLI contract (shared/DESIGN.md §3): --db URL, a new database migrated on first use,
non-zero exit with a clear message on refused input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def outfall(*args, env_extra=None, cwd=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("OUTFALL_DATABASE_URL", None)  # each call names its own new SQLite file with --db
    return subprocess.run([sys.executable, "-m", "outfall", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_demo_export_import_on_a_new_database(tmp_path):
    db = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    env = {"OUTFALL_DATA_DIR": str(tmp_path)}
    r = outfall("--db", db, "demo", env_extra=env)
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and "已创建 300 个演示排污口" in r.stdout
    out = tmp_path / "ledger.xlsx"
    r = outfall("export", "ledger", str(out), "--db", db, env_extra=env)
    assert r.returncode == 0 and out.stat().st_size > 10_000
    r = outfall("import", "outfalls", str(out), "--dry-run", "--db", db, "--format", "json", env_extra=env)
    assert r.returncode == 0 and '"unchanged": 300' in r.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("排污口名称,一级类型,经度,纬度,所属镇街,受纳水体\n甲,工业排污口,200,36.9,水集街道,大沽河\n", encoding="utf-8")
    r = outfall("import", "outfalls", str(bad), "--db", db, env_extra=env)
    assert r.returncode == 2
    assert "bad.csv 第2行 列「经度」" in r.stderr
    r = outfall("export", "ledger", str(tmp_path / "x.pdf"), "--db", db, env_extra=env)
    assert r.returncode == 2 and "不支持的导出格式" in r.stderr
