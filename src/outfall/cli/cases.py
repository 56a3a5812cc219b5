"""``outfall cases import FILE.xlsx [--dry-run]`` and ``outfall cases export FILE.xlsx``.

``import`` reads the inspection office's list of cases (Chinese headers: 来源, 批次, 交办编号,
交办时间, 问题类型, 所属镇街, 问题描述, 涉及排污口编码, 办理期限 …) and opens every case, or none:
every problem is printed with its file, row and column. ``export`` writes the cases the user may
see to a workbook that re-imports unchanged (complainants' details masked unless a bureau role).
"""

from __future__ import annotations

import json
from pathlib import Path


def register(sub, add_common) -> None:
    p = sub.add_parser("cases", help="案件 / cases: import the inspection office's workbook, export")
    add_common(p)
    csub = p.add_subparsers(dest="cases_command", metavar="SUBCOMMAND", required=True)
    i = csub.add_parser("import", help="import a batch of cases from an .xlsx/.csv (all rows or none)")
    add_common(i)
    i.add_argument("file", type=Path)
    i.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    i.add_argument("--user", help="act as this user (default: the first administrator)")
    i.add_argument("--format", choices=["text", "json"], default="text")
    i.set_defaults(func=run_import)
    e = csub.add_parser("export", help="export cases to an .xlsx (re-imports unchanged)")
    add_common(e)
    e.add_argument("file", type=Path)
    e.add_argument("--user", help="export what this user may see (default: everything, unmasked)")
    e.set_defaults(func=run_export)


def run_import(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.accounts.services import NO_ADMIN_HINT
    from outfall.cases.excel import import_cases
    from outfall.cli.common import ProgressBar, resolve_actor
    from outfall.cli.output import import_lines
    from outfall.core.errors import InputError, PermissionDeniedError

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file", user_message=_("文件不存在: %(path)s") % {"path": args.file})
    actor = resolve_actor(args.user)
    if actor is None:
        raise PermissionDeniedError("no actor", user_message=NO_ADMIN_HINT)
    with ProgressBar(desc=_("导入 %(name)s") % {"name": args.file.name}) as bar:
        result = import_cases(args.file, actor=actor, name=args.file.name, dry_run=args.dry_run, progress=bar.update)
    data = result.as_dict()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(import_lines(data, dry_run=args.dry_run)))
    return 2 if data.get("errors") else 0


def run_export(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.cases.excel import export_cases
    from outfall.cases.models import Case
    from outfall.cases.selectors import cases_for
    from outfall.cli.common import resolve_actor
    from outfall.core.errors import InputError

    if args.file.suffix.lower() != ".xlsx":
        raise InputError(f"export format {args.file.suffix}", user_message=_("案件导出只支持 .xlsx"))
    actor = resolve_actor(args.user) if args.user else None
    qs = cases_for(actor) if actor is not None else Case.objects.all()
    args.file.write_bytes(export_cases(qs, user=actor))
    print(_("已导出 %(n)s 条 → %(file)s") % {"n": qs.count(), "file": args.file})
    return 0
