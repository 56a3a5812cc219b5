"""``outfall alerts check [--since TIME] [--format json]`` and ``outfall alerts escalate``.

``check`` runs the warning rules over the stored readings (all of them, or from ``--since``) and
prints every alert it created or updated (DESIGN §3); ``escalate`` escalates alerts left
unacknowledged too long (the worker does it every five minutes as well).
"""

from __future__ import annotations

import json


def register(sub, add_common) -> None:
    p = sub.add_parser("alerts", help="超标预警 / early warning: check readings, escalate")
    add_common(p)
    asub = p.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND", required=True)
    c = asub.add_parser("check", help="run the rules over stored readings and print the alerts touched")
    add_common(c)
    c.add_argument("--since", metavar="TIME", help="only episodes with readings at or after TIME (ISO 8601; "
                                                   "naive times are in OUTFALL_TIME_ZONE)")
    c.add_argument("--user", help="act as this user (default: the first administrator)")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(func=check)
    e = asub.add_parser("escalate", help="escalate alerts unacknowledged past the rules' escalate_after_h")
    add_common(e)
    e.set_defaults(func=escalate)


def alert_dict(alert, new: bool) -> dict:
    """One alert as DESIGN §3 prints it."""
    return {"alert_id": alert.pk, "site_kind": alert.site_kind, "site_code": alert.site_code,
            "parameter": alert.parameter, "rule": alert.rule, "severity": alert.severity, "state": alert.state,
            "opened_at": alert.opened_at.isoformat(), "time": alert.last_time.isoformat(), "value": alert.value,
            "limit": alert.limit, "exceedance_pct": alert.exceedance_pct,
            "receptors": [{"section": r["section"], "distance_km": r["distance_km"],
                           "travel_time_h": r["travel_time_h"]} for r in alert.receptors],
            "new": new}


def _since(text: str | None):
    if not text:
        return None
    from outfall.core.standards.readings_io import parse_time

    try:
        return parse_time(text)
    except ValueError as exc:
        from outfall.core.errors import InputError

        raise InputError(f"--since {text}", user_message=f"--since「{text}」不是时间 / not a time: {exc}") from None


def check(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils import timezone

    from outfall.alerts.services import check_alerts
    from outfall.cli.common import resolve_actor

    touched = check_alerts(since=_since(args.since), actor=resolve_actor(args.user), now=timezone.now())
    rows = [alert_dict(t.alert, t.new) for t in touched]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{'新' if r['new'] else '  '} {r['alert_id']:>5} {r['site_code']} {r['parameter']} {r['rule']} "
                  f"{r['severity']} {r['state']} {r['opened_at']} → {r['time']} {r['value']}")
        print(f"{len(rows)} 条预警 ({sum(r['new'] for r in rows)} 条新) / alerts touched (new)")
    return 0


def escalate(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from outfall.alerts.services import escalate_overdue_alerts

    due = escalate_overdue_alerts()
    print(f"{len(due)} 条预警已升级 / escalated")
    return 0
