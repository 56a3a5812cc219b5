"""``outfall import towns|rivers|sections|outfalls|readings FILE [--dry-run]``.

Each kind is a dotted path to ``handler(path, *, actor, dry_run, progress) -> result`` where the
result has ``as_dict()``; the handler raises RowErrors (nothing written) on refused input.
"""

from __future__ import annotations

import json
from pathlib import Path

#: kind → dotted path of its import handler (apps register theirs here).
IMPORTERS = {
    "outfalls": "outfall.ledger.cli.import_file",
    "sections": "outfall.monitoring.cli.import_sections_file",
    "readings": "outfall.monitoring.cli.import_readings_file",
    "rivers": "outfall.rivers.cli.import_rivers_file",
    "towns": "outfall.accounts.cli.import_towns_file",
}


def register(sub, add_common) -> None:
    p = sub.add_parser("import", help="导入 / import a file (CSV, XLSX, GeoJSON, GeoPackage, Shapefile)")
    add_common(p)
    p.add_argument("kind", choices=sorted(IMPORTERS))
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    p.add_argument("--user", help="act as this user (default: the first administrator)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--crs", help="coordinate system of a towns/rivers file that declares none (e.g. EPSG:4549)")
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.module_loading import import_string

    from outfall.accounts.services import NO_ADMIN_HINT
    from outfall.cli.common import ProgressBar, resolve_actor
    from outfall.core.errors import InputError, PermissionDeniedError

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file", user_message=f"文件不存在 / no such file: {args.file}")
    handler = import_string(IMPORTERS[args.kind])
    actor = resolve_actor(args.user)
    if actor is None:
        raise PermissionDeniedError("no actor", user_message=NO_ADMIN_HINT)
    extra = {}
    if getattr(args, "crs", None):
        import inspect

        if "crs" not in inspect.signature(handler).parameters:
            raise InputError("--crs", user_message=f"--crs 不适用于 {args.kind} / --crs is for towns and rivers")
        extra["crs"] = args.crs
    with ProgressBar(desc=f"导入 {args.file.name}") as bar:
        result = handler(args.file, actor=actor, dry_run=args.dry_run, progress=bar.update, **extra)
    data = result.as_dict()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for k, v in data.items():
            if k not in ("errors", "warnings"):
                print(f"{k}: {v}")
        for w in data.get("warnings", []):
            print(f"  警告 / warning: {w['file']} 第{w['row']}行 列「{w['column']}」: {w['message']}")
        for e in data.get("errors", []):
            print(f"  {e['file']} [{e['sheet']}] 第{e['row']}行 列「{e['column']}」: {e['message']}")
    return 2 if data.get("errors") else 0
