"""``outfall restore``: bring a backup archive (``outfall.site.backup``) back into an EMPTY database.

In order, and refusing with nothing changed at each step before the load:

1. read the whole archive into a folder beside MEDIA_ROOT, checking every member's name and its
   sha256 and size against the manifest (a truncated, tampered or foreign archive is refused);
2. compare the archive's applied migrations with this program's (a backup from another schema
   version is refused: restore it with the version that made it, then upgrade);
3. refuse a target database holding any row of a model the backup holds ("目标数据库非空"), and a
   media file already present with other content;
4. migrate the target, then in ONE transaction: ``loaddata`` the dump, check the row count of every
   model against the manifest, reset the sequences (PostgreSQL; ``sqlsequencereset``) and move the
   media files into place. Any failure rolls the rows back and removes the files moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from outfall.core.errors import FileFormatError, InputError
from outfall.site.backup import (
    DB_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    backup_models,
    model_label,
)

__all__ = ["read_archive", "check_migrations", "check_empty", "restore_backup"]

_CHUNK = 1024 * 1024


def _damaged(path: Path, why: str) -> FileFormatError:
    return FileFormatError(f"{path}: {why}", user_message=f"备份文件 {path.name} 无法使用：{why} / the archive is refused")


def _member_path(name: str) -> PurePosixPath | None:
    """The relative path of an allowed member name, else None."""
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or "\\" in name or not p.parts:
        return None
    if name in (MANIFEST, DB_MEMBER) or (name.startswith(MEDIA_PREFIX) and len(p.parts) > 1):
        return p
    return None


def read_archive(path: Path, into: Path) -> dict:
    """Unpack ``path`` into the folder ``into`` and verify it; the manifest.

    Raises FileFormatError for an unreadable, truncated or tampered archive.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} not found", user_message=f"备份文件 {path} 不存在 / archive not found")
    seen: dict[str, dict] = {}
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                rel = _member_path(member.name)
                if rel is None or not member.isreg():
                    raise _damaged(path, f"不应有的成员「{member.name}」/ unexpected member")
                if member.name in seen:
                    raise _damaged(path, f"成员「{member.name}」重复 / duplicate member")
                dest = into.joinpath(*rel.parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                sha, size = hashlib.sha256(), 0
                src = tar.extractfile(member)
                with open(dest, "wb") as out:
                    while chunk := src.read(_CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[member.name] = {"sha256": sha.hexdigest(), "size": size}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(path, f"文件已损坏或不完整 / damaged or truncated ({exc})") from exc
    if MANIFEST not in seen:
        raise _damaged(path, "没有 manifest.json / no manifest")
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, f"manifest.json 不可读 / unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "不是 outfall 备份 / not an outfall backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _damaged(path, f"备份格式版本 {manifest.get('format_version')}，本程序读取版本 {FORMAT_VERSION} "
                             f"/ unsupported format version")
    expected = manifest.get("members") or {}
    seen.pop(MANIFEST)
    for name in sorted(set(expected) | set(seen)):
        if name not in seen:
            raise _damaged(path, f"缺少成员「{name}」/ member missing")
        if name not in expected:
            raise _damaged(path, f"成员「{name}」不在清单中 / member not in the manifest")
        if seen[name] != {"sha256": expected[name].get("sha256"), "size": expected[name].get("size")}:
            raise _damaged(path, f"成员「{name}」校验和不符 / checksum mismatch")
    if DB_MEMBER not in seen:
        raise _damaged(path, f"缺少成员「{DB_MEMBER}」/ member missing")
    return manifest


def check_migrations(manifest: dict) -> None:
    """Refuse an archive whose applied migrations are not exactly this program's."""
    from django.db.migrations.loader import MigrationLoader

    ours = {(app, name) for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.nodes}
    theirs = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    newer, older = sorted(theirs - ours), sorted(ours - theirs)
    if newer:
        raise InputError(f"backup has migrations unknown here: {newer[:5]}",
                         user_message=f"备份来自更新的版本（{manifest.get('app_version')}），含本程序没有的迁移 "
                                      f"{', '.join(a + '.' + n for a, n in newer[:5])}；请用该版本恢复 "
                                      f"/ the backup was made by a newer version")
    if older:
        raise InputError(f"backup lacks migrations: {older[:5]}",
                         user_message=f"备份来自较旧的版本（{manifest.get('app_version')}），缺少迁移 "
                                      f"{', '.join(a + '.' + n for a, n in older[:5])}；请用该版本恢复后运行 "
                                      f"outfall migrate 升级 / the backup was made by an older version: restore it "
                                      f"with that version, then upgrade")


def check_empty() -> None:
    """Refuse a database holding any row of a model a backup holds."""
    tables = set(connection.introspection.table_names())
    full = []
    for model in backup_models():
        if model._meta.db_table in tables and model._base_manager.exists():
            full.append(f"{model_label(model)} ({model._base_manager.count()})")
    if full:
        raise InputError(f"target database is not empty: {full}",
                         user_message=f"目标数据库非空 / target database is not empty: {', '.join(full[:8])}")


def _media_plan(unpacked: Path, manifest: dict, media_root: Path) -> list[tuple[Path, Path]]:
    """(unpacked file, destination) for every media member; refuses a destination with other content."""
    plan = []
    for name, meta in sorted(manifest["members"].items()):
        if not name.startswith(MEDIA_PREFIX):
            continue
        rel = PurePosixPath(name).parts[1:]
        src, dest = unpacked.joinpath(*PurePosixPath(name).parts), media_root.joinpath(*rel)
        if dest.exists():
            if dest.is_file() and _sha256(dest) == meta["sha256"]:
                continue
            raise InputError(f"{dest} exists with other content",
                             user_message=f"媒体文件 {'/'.join(rel)} 已存在且内容不同 / a media file exists with other content")
        plan.append((src, dest))
    return plan


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def load_rows(path: Path, *, batch_size: int = 2000) -> int:
    """Insert every row of the JSONL dump ``path`` as it is (ids, times), in batches; the rows read.

    Rows are read with Django's ``jsonl`` deserializer one line at a time and inserted raw (as
    ``loaddata`` does: no ``auto_now``, no signals) in multi-row INSERTs, many-to-many links after
    their model. Call inside a transaction: foreign keys are checked at its commit.
    """
    from django.core import serializers

    pending: list = []
    links: dict = {}
    total = 0

    def flush():
        if not pending:
            return
        model = type(pending[0])
        fields = model._meta.local_concrete_fields
        step = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, pending) or batch_size))
        for i in range(0, len(pending), step):
            model._base_manager._insert(pending[i:i + step], fields=fields, raw=True)
        pending.clear()
        for through, rows in links.items():
            through._base_manager.bulk_create(rows, batch_size=batch_size)
        links.clear()

    with open(path, encoding="utf-8") as stream:
        try:
            for item in serializers.deserialize("jsonl", stream, handle_forward_references=False):
                obj, total = item.object, total + 1
                if pending and type(pending[0]) is not type(obj) or len(pending) >= batch_size:
                    flush()
                if obj._meta.parents:  # multi-table inheritance: one row at a time, as loaddata does
                    flush()
                    item.save()
                    continue
                pending.append(obj)
                for name, targets in (item.m2m_data or {}).items():
                    field = obj._meta.get_field(name)
                    through = field.remote_field.through
                    src, dst = field.m2m_field_name(), field.m2m_reverse_field_name()
                    links.setdefault(through, []).extend(
                        through(**{f"{src}_id": obj.pk, f"{dst}_id": t}) for t in targets)
            flush()
        except serializers.base.DeserializationError as exc:
            raise InputError(f"{path.name}: {exc}", user_message=f"备份数据第 {total + 1} 行无法载入 / row cannot be "
                                                                 f"loaded: {exc}") from exc
    return total


def _load(unpacked: Path, manifest: dict, plan: list[tuple[Path, Path]]) -> dict[str, int]:
    """Load the rows, check the counts, reset the sequences and place the media, all or nothing."""
    moved: list[Path] = []
    try:
        with transaction.atomic():
            load_rows(unpacked / DB_MEMBER)
            counts = {}
            for label, expected in manifest["counts"].items():
                model = apps.get_model(label)
                counts[label] = model._base_manager.count()
                if counts[label] != expected:
                    raise InputError(f"{label}: {counts[label]} rows loaded, manifest says {expected}",
                                     user_message=f"{label} 载入 {counts[label]} 行，清单为 {expected} 行 / row count mismatch")
            models = [apps.get_model(label) for label in manifest["counts"]]
            statements = connection.ops.sequence_reset_sql(no_style(), models)
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
            for src, dest in plan:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
                moved.append(dest)
    except BaseException:
        for dest in moved:
            with contextlib.suppress(OSError):
                dest.unlink()
        raise
    return counts


def restore_backup(path: Path) -> dict:
    """Restore the archive ``path`` into the (empty) configured database; the row count of each model.

    Django is set up but the database not yet migrated when this is called (it migrates after the
    checks, so a refused restore leaves a new database untouched).
    """
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".outfall-restore-", dir=media_root.parent) as tmp:
        unpacked = Path(tmp)
        manifest = read_archive(path, unpacked)
        unknown = [label for label in manifest.get("counts", {}) if not _known(label)]
        if unknown:
            raise InputError(f"unknown models {unknown}", user_message=f"备份含本程序没有的数据表 {', '.join(unknown)} "
                                                                       f"/ the backup holds unknown models")
        check_migrations(manifest)
        check_empty()
        plan = _media_plan(unpacked, manifest, media_root)
        call_command("migrate", interactive=False, verbosity=0)
        counts = _load(unpacked, manifest, plan)
    return {"counts": counts, "media": len([n for n in manifest["members"] if n.startswith(MEDIA_PREFIX)]),
            "manifest": manifest}


def _known(label: str) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True

