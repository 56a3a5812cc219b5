"""``outfall report monthly --month YYYY-MM [--town NAME] FILE.docx|FILE.xlsx``: the monthly report
(月报) of one month for one town or the whole area, the same file the page /reports/monthly/ gives.

The format comes from the file's suffix. A bad month, an unknown town or another suffix is refused
with one line on stderr and exit status 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path


def register(sub, add_common) -> None:
    p = sub.add_parser("report", help="报告 / reports: the monthly report (月报)")
    add_common(p)
    rsub = p.add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    m = rsub.add_parser("monthly", help="月报 / monthly report as .docx or .xlsx (format from the suffix)")
    add_common(m)
    m.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-10")
    m.add_argument("--town", metavar="NAME", help="a town's name or code (default: the whole area)")
    m.add_argument("--user", help="count what this user may see (default: the first administrator)")
    m.add_argument("file", type=Path, metavar="FILE", help="FILE.docx or FILE.xlsx")
    m.set_defaults(func=monthly)


def monthly(args) -> int:
    from outfall.core.months import parse_month

    month = parse_month(args.month)  # refused before the database is opened
    from outfall.cli import _, django_setup

    django_setup(args.db)
    from outfall.accounts.services import NO_ADMIN_HINT
    from outfall.cli.common import resolve_actor
    from outfall.core.errors import NotFoundError
    from outfall.dashboard.monthly import format_of, monthly_report
    from outfall.dashboard.scope import town_named

    fmt = format_of(args.file.suffix)
    town = town_named(args.town)
    user = resolve_actor(args.user)
    if user is None:
        raise NotFoundError("no administrator", user_message=NO_ADMIN_HINT)
    f = monthly_report(user=user, month=month, town=town, fmt=fmt)
    args.file.write_bytes(f.body)
    print(_("已写出月报 %(month)s (%(scope)s) → %(file)s") % {
        "month": args.month.strip(), "scope": town.name if town else _("全域"), "file": args.file})
    return 0
