"""``outfall network check`` and ``outfall network navigate START`` (shared/DESIGN.md §3)."""

from __future__ import annotations

import json


def register(sub, add_common) -> None:
    p = sub.add_parser("network", help="河网检查与导航 / check and navigate the river network")
    add_common(p)
    nsub = p.add_subparsers(dest="network_command", metavar="SUBCOMMAND", required=True)
    c = nsub.add_parser("check", help="the validation report of the stored network")
    add_common(c)
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(func=check)
    n = nsub.add_parser("navigate", help="reaches upstream/downstream of a reach id, section or outfall code")
    add_common(n)
    n.add_argument("start", help="reach id, section code, outfall code, or lon,lat")
    n.add_argument("--mode", choices=["UT", "UM", "DM", "DD"], default="UT")
    n.add_argument("--max-km", type=float)
    n.add_argument("--max-hours", type=float)
    n.add_argument("--format", choices=["text", "json"], default="text")
    n.set_defaults(func=nav)


def check(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.core.errors import NotFoundError
    from outfall.core.network import validate
    from outfall.rivers.issues import report_lines
    from outfall.rivers.selectors import reach_inputs

    reaches = reach_inputs()
    if not reaches:
        raise NotFoundError("no rivers", user_message=_("尚无河网: 先导入河网 (outfall import rivers FILE)"))
    report = validate(reaches)
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(report_lines(report.as_dict())))
        if not report.issues:
            print(_("未发现问题"))
    return 0 if report.ok else 2


def nav(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from outfall.rivers.navigation import navigate_from

    _net, desc, steps = navigate_from(args.start, mode=args.mode, max_km=args.max_km, max_hours=args.max_hours)
    if args.format == "json":
        print(json.dumps(steps.as_dicts(), ensure_ascii=False, indent=1))
    else:
        n = len(steps)
        print(f"{desc} {args.mode}: " + ngettext("%(n)s 个河段", "%(n)s 个河段", n) % {"n": n})
        print("\t".join((_("河段"), _("距离 (km)"), _("传播时间 (h)"))))
        for s in steps:
            print(f"{s.reach}\t{s.distance_km:.3f}\t{s.travel_time_h:.2f}")
    return 0
