"""``outfall backup FILE`` and ``outfall restore FILE``: the whole system in one archive and back."""

from __future__ import annotations

from pathlib import Path


def register(sub, add_common) -> None:
    p = sub.add_parser("backup", help="备份数据库与上传文件 / back up the database and uploads into one archive")
    add_common(p)
    p.add_argument("file", type=Path, help="archive to write (.tar.gz); an existing file is never overwritten")
    p.set_defaults(func=run_backup)
    p = sub.add_parser("restore", help="从备份恢复到空数据库 / restore an archive into an empty database")
    add_common(p)
    p.add_argument("file", type=Path, help="archive written by outfall backup")
    p.set_defaults(func=run_restore)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in counts.items() if n)


def run_backup(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from outfall.site.backup import write_backup

    manifest = write_backup(args.file)
    rows = sum(manifest["counts"].values())
    media = sum(1 for name in manifest["members"] if name.startswith("media/"))
    size = args.file.stat().st_size / 1048576
    from django.utils.translation import gettext as _

    print(_("已备份 %(rows)s 行、%(media)s 个文件 → %(file)s (%(size).1f MiB)") % {
        "rows": rows, "media": media, "file": args.file, "size": size})
    print(f"  {_summary(manifest['counts'])}")
    return 0


def run_restore(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db, migrate=False)  # the restore migrates after its checks
    from outfall.site.restore import restore_backup

    result = restore_backup(args.file)
    from django.utils.translation import gettext as _

    print(_("已恢复 %(rows)s 行、%(media)s 个文件 ← %(file)s (备份于 %(at)s，版本 %(version)s)") % {
        "rows": sum(result["counts"].values()), "media": result["media"], "file": args.file,
        "at": result["manifest"].get("created_at"), "version": result["manifest"].get("app_version")})
    print(f"  {_summary(result['counts'])}")
    return 0
