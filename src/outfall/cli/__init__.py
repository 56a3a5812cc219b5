"""The ``outfall`` command (shared/DESIGN.md §3).

Each command group lives in its own module with ``register(subparsers)``; a module that needs the
database calls :func:`outfall.cli.django_setup` first, which points Django at ``--db`` and brings
the schema up to date. Commands that need no database (``classify``) never start Django.
Unknown commands are handed to Django's management commands (``outfall migrate``, ``outfall shell``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from outfall.core.errors import OutfallError, RowErrors

#: Command modules, each with register(subparsers).
COMMAND_MODULES = [
    "outfall.cli.serve",
    "outfall.cli.demo",
    "outfall.cli.imports",
    "outfall.cli.exports",
    "outfall.cli.classify",
    "outfall.cli.network",
    "outfall.cli.stations",
    "outfall.cli.users",
    "outfall.cli.worker",
    "outfall.cli.backup",
    "outfall.cli.alerts",
    "outfall.cli.trace",
    "outfall.cli.whatif",
    "outfall.cli.cases",
    "outfall.cli.report",
]


def _add_common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Sub-commands suppress the default so `outfall --db URL import ...` keeps the top-level value.
    parser.add_argument("--db", metavar="URL", default=None if top else argparse.SUPPRESS,
                        help="database URL (default: the embedded SQLite file)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outfall", description="入河排污口监管与溯源 / river outfall ledger and tracing")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command group not built yet must not break the others
            if exc.name == name:
                continue
            raise
        module.register(sub, _add_common)
    return parser


def django_setup(db_url: str | None = None, *, migrate: bool = True) -> None:
    """Configure Django for ``db_url`` (or the environment/default) and migrate the schema."""
    if db_url:
        os.environ["OUTFALL_DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outfall.site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # the CLI speaks OUTFALL_LANGUAGE
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def _(text: str) -> str:
    """``gettext`` once Django is set up (the language of ``OUTFALL_LANGUAGE``); the Chinese text
    before (``classify`` needs no database and never imports Django)."""
    if not _django_ready():
        return text
    from django.utils.translation import gettext

    return gettext(text)


def print_error(exc: OutfallError) -> None:
    print(_("错误: %(message)s") % {"message": exc.user_message}, file=sys.stderr)
    if isinstance(exc, RowErrors):
        for e in exc.errors[:200]:
            print(f"  {e}", file=sys.stderr)
        if len(exc.errors) > 200:
            print("  … " + _("另有 %(n)s 处错误") % {"n": len(exc.errors) - 200}, file=sys.stderr)


def _django_ready() -> bool:
    """Whether Django is imported and set up, without importing it (``classify`` must not)."""
    apps_module = sys.modules.get("django.apps")
    return apps_module is not None and apps_module.apps.ready


def _run(args) -> int:
    """Run a command in OUTFALL_LANGUAGE; when Django is already set up (in-process callers, tests),
    whatever language a web request left active in this thread is put back afterwards."""
    if not _django_ready():
        return int(args.func(args) or 0)
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return int(args.func(args) or 0)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices) if parser._subparsers else set()
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--db")
    _, rest = pre.parse_known_args(argv)
    first = next((a for a in rest if not a.startswith("-")), None)
    if first is not None and first not in known and first != "help":
        # Hand unknown commands to Django (migrate, createsuperuser, shell, ...).
        db_args, _ = pre.parse_known_args(argv)
        django_setup(db_args.db, migrate=False)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["outfall", *[a for a in rest]])
        return 0
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return _run(args)
    except OutfallError as exc:
        print_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130
