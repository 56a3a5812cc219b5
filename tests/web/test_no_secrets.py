"""No secret and no database is ever committed (issue #7, item 7), and a data folder outfall makes
ignores itself wherever DATA_DIR points."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: File names (fnmatch patterns, matched against the base name) that must never be tracked.
FORBIDDEN = ("secret_key", "*.sqlite3", "*.sqlite3-*", "*.db", "*.pem", "*.key", ".env", ".env.*")


def forbidden(paths: list[str]) -> list[str]:
    """The paths whose base name matches a FORBIDDEN pattern."""
    return [p for p in paths if any(fnmatch.fnmatch(Path(p).name, pat) for pat in FORBIDDEN)]


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_patterns_catch_what_they_should():
    assert forbidden(["src/outfall/data/secret_key", "data/outfall.sqlite3", "a/b.db", "certs/server.pem",
                      "certs/server.key", ".env", "deploy/.env.production", "x/outfall.sqlite3-wal"]) == [
        "src/outfall/data/secret_key", "data/outfall.sqlite3", "a/b.db", "certs/server.pem", "certs/server.key",
        ".env", "deploy/.env.production", "x/outfall.sqlite3-wal"]
    assert forbidden(["src/outfall/site/config.py", "docs/settings.md", "tests/data/readings_sample.csv",
                      "src/outfall/core/standards/data/gb3838_table1.csv", "keys.py", "environment.md"]) == []


def test_no_secret_or_database_file_is_tracked():
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot list tracked files")
    r = _git("ls-files", "-z", cwd=ROOT)
    if r.returncode != 0:
        pytest.skip(f"not inside a git checkout ({r.stderr.strip()[:120]}): nothing to check")
    tracked = [p for p in r.stdout.split("\0") if p]
    assert tracked, "git ls-files listed nothing"
    bad = forbidden(tracked)
    assert bad == [], f"secret or database files are committed; `git rm --cached` them and rotate the secrets: {bad}"


def test_a_data_folder_made_by_outfall_ignores_itself(tmp_path):
    from outfall.site.config import ensure_data_dir, secret_key_from_file

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "clone"
    repo.mkdir()
    assert _git("init", "-q", cwd=repo).returncode == 0
    data = repo / "somewhere" / "data"
    secret_key_from_file(data)  # creates the folder, as settings.py does on first start
    (data / "outfall.sqlite3").write_bytes(b"SQLite format 3\0")
    (repo / "notes.txt").write_text("kept")
    status = _git("status", "--porcelain", "--untracked-files=all", cwd=repo).stdout
    assert "notes.txt" in status
    assert "somewhere" not in status, status
    # a folder that already existed is left as it was (no .gitignore forced into a user's folder)
    mine = tmp_path / "mine"
    mine.mkdir()
    ensure_data_dir(mine)
    assert not (mine / ".gitignore").exists()
