"""``outfall backup``: the whole system in one portable archive (restored by ``outfall.site.restore``).

The archive is a gzip-compressed tar with three kinds of members::

    db.jsonl          every row of every outfall app, auth groups, API tokens and the admin log,
                      one JSON object a line (Django's ``jsonl`` serializer), models in load order;
                      content types and permissions by natural key, every other row by primary key
    media/<path>      every uploaded file (photos, documents) under MEDIA_ROOT, same relative path
    manifest.json     written last: format and version, app version, the applied migrations,
                      the row count of each model and the sha256 and size of every other member

The dump is written row by row from database iterators inside one read transaction (a consistent
snapshot; REPEATABLE READ on PostgreSQL, a deferred read transaction on SQLite), so the database is
never held in memory and writers are not blocked. The archive is written next to FILE and renamed
into place only when complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers import jsonl
from django.db import connection, transaction

from outfall.core.errors import InputError

__all__ = ["FORMAT", "FORMAT_VERSION", "DB_MEMBER", "MANIFEST", "MEDIA_PREFIX", "EXTRA_MODELS",
           "EXCLUDED_MODELS", "backup_models", "applied_migrations", "write_backup"]

FORMAT = "outfall-backup"
FORMAT_VERSION = 1
DB_MEMBER = "db.jsonl"
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"

#: Models outside the outfall apps that hold data a restore must bring back.
EXTRA_MODELS = ["auth.Group", "authtoken.Token", "admin.LogEntry"]
#: Models of the outfall apps that hold runtime state, not data.
EXCLUDED_MODELS = {"outfall_site.heartbeat"}
#: Rows referred to by natural key: the target database makes its own (``migrate``), with other ids.
NATURAL_KEY_MODELS = (ContentType, Permission)


def model_label(model) -> str:
    return model._meta.label_lower


def backup_models() -> list:
    """The models a backup holds, in an order that loads (parents before the rows that refer to them)."""
    models = []
    for config in apps.get_app_configs():
        if config.name.startswith("outfall."):
            models += list(config.get_models())
    for label in EXTRA_MODELS:
        with contextlib.suppress(LookupError):
            models.append(apps.get_model(label))
    models = [m for m in models if m._meta.managed and not m._meta.proxy
              and model_label(m) not in EXCLUDED_MODELS]
    return _load_order(models)


def _load_order(models: list) -> list:
    """Topological order by foreign keys among ``models`` (self references and cycles left as they are;
    loading defers constraint checks to the end of the transaction anyway)."""
    chosen = set(models)
    done: list = []
    seen: set = set()

    def visit(m, stack=()):
        if m in seen or m in stack:
            return
        for f in m._meta.get_fields():
            if f.is_relation and f.concrete and f.related_model in chosen and f.related_model is not m \
                    and (f.many_to_one or f.one_to_one or (f.many_to_many and f.remote_field.through._meta.auto_created)):
                visit(f.related_model, (*stack, m))
        seen.add(m)
        done.append(m)

    for m in models:
        visit(m)
    return done


def applied_migrations() -> dict[str, list[str]]:
    """App label → names of the migrations applied to the database, sorted."""
    from django.db.migrations.recorder import MigrationRecorder

    out: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        out.setdefault(app_label, []).append(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


class _Serializer(jsonl.Serializer):
    """Django's JSONL serializer, natural keys for content types and permissions only.

    Every other reference stays a primary key: rows keep their ids (history refers to them), and a
    restore needs no query per row to resolve users by name.
    """

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.related_model, NATURAL_KEY_MODELS)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, NATURAL_KEY_MODELS)
        super().handle_m2m_field(obj, field)


@contextlib.contextmanager
def _snapshot():
    """One read transaction that sees one state of the database while others keep writing."""
    if connection.vendor == "sqlite":
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"  # WAL: a deferred read transaction is a snapshot
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump(stream, models) -> dict[str, int]:
    """Write every row of ``models`` to the text ``stream``; the number of rows of each."""
    counts = {}
    serializer = _Serializer()
    for model in models:
        m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        qs = model._base_manager.order_by("pk")
        if m2m:
            qs = qs.prefetch_related(*m2m)
        n = 0

        def rows(qs=qs):
            nonlocal n
            for obj in qs.iterator(chunk_size=2000):
                n += 1
                yield obj

        serializer.serialize(rows(), stream=stream, ensure_ascii=False)
        counts[model_label(model)] = n
    return counts


class _HashingReader(io.RawIOBase):
    """Reads a binary file and keeps the sha256 of what was read."""

    def __init__(self, fh):
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def readable(self):
        return True

    def read(self, n=-1):
        data = self.fh.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _media_files(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out.append((path.relative_to(root).as_posix(), path))
    return out


def _add(tar: tarfile.TarFile, name: str, path: Path, members: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime, info.mode = int(time.time()), 0o644
    with open(path, "rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    if reader.size != info.size:
        raise InputError(f"{path} changed while it was backed up",
                         user_message=f"文件 {path} 在备份过程中被修改，请重试 / file changed during backup, try again")
    members[name] = {"sha256": reader.sha.hexdigest(), "size": reader.size}


def write_backup(target: Path) -> dict:
    """Write the backup archive ``target``; its manifest.

    Refuses (InputError) an existing ``target``: a backup never overwrites a file.
    """
    import outfall

    target = Path(target)
    if target.exists():
        raise InputError(f"{target} exists", user_message=f"文件 {target} 已存在，备份不会覆盖它 / file exists, not overwritten")
    if not target.parent.is_dir():
        raise InputError(f"{target.parent} is not a folder", user_message=f"目录 {target.parent} 不存在 / folder does not exist")
    models = backup_models()
    media_root = Path(settings.MEDIA_ROOT)
    members: dict[str, dict] = {}
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="outfall-backup-", dir=target.parent) as tmp:
            dump = Path(tmp) / DB_MEMBER
            with _snapshot():
                with open(dump, "w", encoding="utf-8", newline="\n") as stream:
                    counts = _dump(stream, models)
                migrations = applied_migrations()
            with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                _add(tar, DB_MEMBER, dump, members)
                for rel, path in _media_files(media_root):
                    _add(tar, MEDIA_PREFIX + rel, path, members)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "app_version": outfall.__version__,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database": connection.vendor,
                    "migrations": migrations,
                    "models": [model_label(m) for m in models],
                    "counts": counts,
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
                tar.addfile(info, io.BytesIO(data))
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
    return manifest
