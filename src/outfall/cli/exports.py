"""``outfall export ledger FILE`` (.xlsx, .csv, .geojson, .kml by extension)."""

from __future__ import annotations

from pathlib import Path

EXPORTERS = {"ledger": "outfall.ledger.cli.export_file"}


def register(sub, add_common) -> None:
    p = sub.add_parser("export", help="导出 / export (.xlsx .csv .geojson .kml by extension)")
    add_common(p)
    p.add_argument("what", choices=sorted(EXPORTERS))
    p.add_argument("file", type=Path)
    p.add_argument("--user", help="export what this user may see (default: everything)")
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.module_loading import import_string

    from outfall.cli.common import resolve_actor

    actor = resolve_actor(args.user) if args.user else None
    n = import_string(EXPORTERS[args.what])(args.file, actor=actor)
    from django.utils.translation import gettext as _

    print(_("已导出 %(n)s 条 → %(file)s") % {"n": n, "file": args.file})
    if n == 0:
        import sys

        print(_("尚无排污口，导出的是空表 (可作导入模板): outfall import outfalls FILE"), file=sys.stderr)
    return 0
