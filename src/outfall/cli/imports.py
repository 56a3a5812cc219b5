"""``outfall import towns|rivers|sections|outfalls|readings|limits FILE [--dry-run]``.

Each kind is a dotted path to ``handler(path, *, actor, dry_run, progress) -> result`` where the
result has ``as_dict()``; the handler raises RowErrors (nothing written) on refused input.
"""

from __future__ import annotations

import json
from pathlib import Path

from outfall.core.errors import InputError

#: kind → dotted path of its import handler (apps register theirs here).
IMPORTERS = {
    "outfalls": "outfall.ledger.cli.import_file",
    "sections": "outfall.monitoring.cli.import_sections_file",
    "readings": "outfall.monitoring.cli.import_readings_file",
    "rivers": "outfall.rivers.cli.import_rivers_file",
    "towns": "outfall.accounts.cli.import_towns_file",
    "limits": "outfall.alerts.cli.import_limits_file",
}


def register(sub, add_common) -> None:
    p = sub.add_parser("import", help="导入 / import a file (CSV, XLSX, GeoJSON, GeoPackage, Shapefile)")
    add_common(p)
    p.add_argument("kind", choices=sorted(IMPORTERS))
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    p.add_argument("--user", help="act as this user (default: the first administrator)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--allow-duplicates", action="store_true",
                   help="outfalls: also create rows with the name and town of an outfall at the same point "
                   "(refused by default as likely duplicates)")
    p.add_argument("--crs", help="coordinate system of a towns/rivers file that declares none (e.g. EPSG:4549)")
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.module_loading import import_string
    from django.utils.translation import gettext as _

    from outfall.accounts.services import NO_ADMIN_HINT
    from outfall.cli.common import ProgressBar, resolve_actor
    from outfall.core.errors import PermissionDeniedError

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file", user_message=_("文件不存在: %(path)s") % {"path": args.file})
    handler = import_string(IMPORTERS[args.kind])
    options = {}
    if args.allow_duplicates:
        if args.kind != "outfalls":
            raise InputError("--allow-duplicates", user_message=_("--allow-duplicates 只用于 outfalls"))
        options["allow_duplicates"] = True
    actor = resolve_actor(args.user)
    if actor is None:
        raise PermissionDeniedError("no actor", user_message=NO_ADMIN_HINT)
    extra = {}
    if getattr(args, "crs", None):
        import inspect

        if "crs" not in inspect.signature(handler).parameters:
            raise InputError("--crs", user_message=_("--crs 不适用于 %(kind)s，只用于 towns 和 rivers") % {"kind": args.kind})
        extra["crs"] = args.crs
    with ProgressBar(desc=_("导入 %(name)s") % {"name": args.file.name}) as bar:
        result = handler(args.file, actor=actor, dry_run=args.dry_run, progress=bar.update, **options, **extra)
    data = result.as_dict()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        from outfall.cli.output import import_lines

        print("\n".join(import_lines(data, dry_run=args.dry_run)))
    return 2 if data.get("errors") else 0
