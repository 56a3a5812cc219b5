"""`outfall backup` → a new database → `outfall restore` gives the same system back: the ledger export
is byte-identical and every photo is there with the same bytes (SQLite → SQLite and SQLite →
PostgreSQL). A non-empty target, a truncated or a tampered archive is refused with nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

#: The Laixi demo (its monitoring year cut to 20 days of automatic readings, to keep the test quick)
#: plus three photos (real PNGs, through the service) on the first three outfalls.
MAKE_SOURCE = """
import io, sys
from outfall.cli import django_setup
django_setup(sys.argv[1])
import outfall.demo.monitoring
outfall.demo.monitoring.DAYS = 20
from outfall.cli.demo import load_demo
load_demo()
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from outfall.cli.common import resolve_actor
from outfall.ledger.models import Outfall
from outfall.ledger.services import add_photo
actor = resolve_actor(None)
for i, o in enumerate(Outfall.objects.order_by("code")[:3]):
    buf = io.BytesIO()
    Image.new("RGB", (16 + i, 12), (40 * i, 120, 200)).save(buf, "PNG")
    add_photo(o, SimpleUploadedFile(f"p{i}.png", buf.getvalue()), actor=actor, caption=f"照片{i}")
"""

#: Prints the photos (with the sha256 of their files) and the row count of every model backed up;
#: with "--new" then creates an outfall, which needs the sequences to be right, and prints its id.
STATE = """
import hashlib, json, sys
from outfall.cli import django_setup
django_setup(sys.argv[1])
from outfall.ledger.models import Outfall, Photo
from outfall.site.backup import backup_models
photos = [[p.outfall.code, p.kind, p.caption, p.image.name, p.size_bytes,
           hashlib.sha256(p.image.open("rb").read()).hexdigest()] for p in Photo.objects.order_by("pk")]
counts = {m._meta.label_lower: m._base_manager.count() for m in backup_models()}
max_pk, new = max(Outfall.objects.values_list("pk", flat=True)), None
if "--new" in sys.argv:
    from outfall.cli.common import resolve_actor
    from outfall.ledger.services import create_outfall
    o = Outfall.objects.order_by("pk").first()
    new = create_outfall({"name": "恢复后新建", "type_l1": o.type_l1, "type_l2": o.type_l2, "type_l3": o.type_l3,
                          "original_lon": o.lon, "original_lat": o.lat, "original_crs": "WGS84", "lon": o.lon,
                          "lat": o.lat, "town": o.town, "receiving_water": o.receiving_water, "status": "in_use",
                          "approval": "unknown", "parties": []}, actor=resolve_actor(None)).pk
print(json.dumps({"photos": photos, "counts": counts, "max_pk": max_pk, "new_pk": new}))
"""


def run(args, data_dir: Path, *, script: str | None = None):
    env = {**os.environ, "OUTFALL_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("OUTFALL_DATABASE_URL", None)  # every call names its database with --db
    cmd = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "outfall", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def state(db: str, data_dir: Path, *extra) -> dict:
    return json.loads(ok(run([db, *extra], data_dir, script=STATE)).stdout)


def export(db: str, data_dir: Path, out: Path) -> bytes:
    ok(run(["export", "ledger", str(out), "--db", db], data_dir))
    return out.read_bytes()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The Laixi demo plus three photos in an SQLite database, its exports and its backup."""
    root = tmp_path_factory.mktemp("backup-source")
    db = f"sqlite:///{root / 'source.sqlite3'}"
    ok(run([db], root, script=MAKE_SOURCE))
    archive = root / "outfall-backup.tar.gz"
    r = ok(run(["backup", str(archive), "--db", db], root))
    assert "已备份" in r.stdout
    return {"root": root, "db": db, "archive": archive, "export": export(db, root, root / "before.xlsx"),
            "state": state(db, root)}


def test_manifest_lists_every_member_with_its_checksum_and_every_count(source):
    with tarfile.open(source["archive"]) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        digests = {m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest()
                   for m in tar.getmembers() if m.name != "manifest.json"}
    assert names[-1] == "manifest.json" and manifest["format"] == "outfall-backup"
    assert manifest["format_version"] == 1 and manifest["app_version"]
    assert "0001_initial" in manifest["migrations"]["ledger"]
    assert {k: v["sha256"] for k, v in manifest["members"].items()} == digests
    assert manifest["counts"] == source["state"]["counts"]
    assert manifest["counts"]["ledger.outfall"] == 300 and manifest["counts"]["ledger.photo"] == 3
    assert manifest["counts"]["monitoring.sectionreading"] > 1000 and manifest["counts"]["rivers.reach"] > 0
    photos = {"media/" + p[3] for p in source["state"]["photos"]}
    assert len(photos) == 3 and photos <= set(digests)
    assert "outfall_site.heartbeat" not in manifest["counts"]  # runtime state, not data


def _check_restored(source, db: str, data_dir: Path):
    r = ok(run(["restore", str(source["archive"]), "--db", db], data_dir))
    assert "已恢复" in r.stdout
    assert export(db, data_dir, data_dir / "after.xlsx") == source["export"]
    after = state(db, data_dir, "--new")  # the sequences continue after the restored ids
    assert {**after, "new_pk": None} == source["state"] and after["new_pk"] > after["max_pk"]
    for _code, _kind, _caption, name, size, sha in after["photos"]:
        path = data_dir / "media" / name
        assert path.stat().st_size == size and hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_restore_into_a_new_sqlite_database_gives_the_same_export_and_photos(source, tmp_path):
    _check_restored(source, f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path)


@pytest.fixture
def postgres_target(request):
    """A new PostgreSQL database ``<name>_restore`` beside the one in OUTFALL_DATABASE_URL; dropped after."""
    url = os.environ.get("OUTFALL_DATABASE_URL", "")
    required = request.config.getoption("--require-postgres")
    if not url.startswith(("postgres://", "postgresql://")):
        if required:
            pytest.fail("--require-postgres: OUTFALL_DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("SQLite → PostgreSQL restore: set OUTFALL_DATABASE_URL=postgresql://… to run it")
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_restore"
    try:
        admin = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if required:
            pytest.fail(f"PostgreSQL unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path="/" + name))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_from_sqlite_into_postgresql_gives_the_same_export_and_photos(source, postgres_target, tmp_path):
    _check_restored(source, postgres_target, tmp_path)


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(source):
    r = run(["restore", str(source["archive"]), "--db", source["db"]], source["root"])
    assert r.returncode == 2
    assert "目标数据库非空 / target database is not empty" in r.stderr and "ledger.outfall (300)" in r.stderr
    assert state(source["db"], source["root"]) == source["state"]


def _tables(sqlite_file: Path) -> list[str]:
    if not sqlite_file.exists():
        return []
    with sqlite3.connect(sqlite_file) as con:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def _refused(archive: Path, tmp_path: Path, message: str):
    target = tmp_path / "target.sqlite3"
    r = run(["restore", str(archive), "--db", f"sqlite:///{target}"], tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr, r.stderr
    assert _tables(target) == [] and not (tmp_path / "media").exists()  # nothing changed


def test_restore_refuses_a_truncated_archive(source, tmp_path):
    data = source["archive"].read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    _refused(cut, tmp_path, "已损坏或不完整")


def test_restore_refuses_a_tampered_archive(source, tmp_path):
    """Rebuilt as a valid tar.gz with one changed row and the original manifest."""
    def one_row_changed(name, data):
        if name != "db.jsonl":
            return data
        assert b'"is_demo": true' in data
        return data.replace(b'"is_demo": true', b'"is_demo": false', 1)

    tampered = _rewrite(source["archive"], tmp_path / "tampered.tar.gz", one_row_changed)
    _refused(tampered, tmp_path, "成员「db.jsonl」校验和不符 / checksum mismatch")


def test_restore_refuses_an_archive_with_a_missing_photo(source, tmp_path):
    shorter = tmp_path / "shorter.tar.gz"
    with tarfile.open(source["archive"]) as src, tarfile.open(shorter, "w:gz") as out:
        dropped = [m for m in src.getmembers() if m.name.startswith("media/")][0].name
        for m in src.getmembers():
            if m.name != dropped:
                out.addfile(m, src.extractfile(m))
    _refused(shorter, tmp_path, f"缺少成员「{dropped}」")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as out:
        data = b"{}"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    _refused(other, tmp_path, "不应有的成员「../../etc/evil」")


def test_backup_never_overwrites_a_file(source):
    r = run(["backup", str(source["archive"]), "--db", source["db"]], source["root"])
    assert r.returncode == 2 and "已存在" in r.stderr


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, bytes) -> bytes`` applied to every member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for m in src.getmembers():
            data = change(m.name, src.extractfile(m).read())
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    return out


def test_restore_refuses_a_backup_from_another_schema_version(source, tmp_path):
    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["ledger"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    _refused(_rewrite(source["archive"], tmp_path / "newer.tar.gz", newer), tmp_path,
             "备份来自更新的版本")


def test_restore_refuses_to_overwrite_a_different_media_file(source, tmp_path):
    name = source["state"]["photos"][0][3]
    clash = tmp_path / "media" / name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"another photo")
    target = tmp_path / "target.sqlite3"
    r = run(["restore", str(source["archive"]), "--db", f"sqlite:///{target}"], tmp_path)
    assert r.returncode == 2 and "已存在且内容不同" in r.stderr, r.stderr
    assert _tables(target) == [] and clash.read_bytes() == b"another photo"
    assert [p.name for p in (tmp_path / "media").rglob("*") if p.is_file()] == [clash.name]
