"""``outfall trace SECTION --parameter P [--at TIME] [--decay-per-day K] [--format json]``
(shared/DESIGN.md §3): rank the outfalls upstream of a section that can explain a reading.

Without ``--at`` the time is the peak of the latest exceedance alert of that section and
parameter, else its latest reading. Prints one JSON object (section, parameter, at, observed,
limit, candidates…, unexplained_share, notes) or a table; nothing is stored (a stored trace is made
on the alert or section page, or with POST /api/traces/). Refused input exits 2 with the reason.
"""

from __future__ import annotations

import json


def register(sub, add_common) -> None:
    p = sub.add_parser("trace", help="溯源 / trace an exceedance at a section to the upstream outfalls")
    add_common(p)
    p.add_argument("section", metavar="SECTION", help="section code")
    p.add_argument("--parameter", required=True, help="parameter code or name, e.g. NH3N or 氨氮")
    p.add_argument("--at", metavar="TIME", help="time of the reading (ISO 8601; naive = OUTFALL_TIME_ZONE); "
                                                "default: the latest exceedance, else the latest reading")
    p.add_argument("--decay-per-day", type=float, metavar="K", help="first-order decay, per day (default: the "
                                                                     "parameter's)")
    p.add_argument("--window-h", type=float, metavar="H", help="travel-time and reading window, hours (default 48)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from outfall.cli.alerts import _since
    from outfall.core.errors import NotFoundError
    from outfall.core.standards.parameters import lookup_parameter
    from outfall.monitoring.models import Section
    from outfall.traces.compute import run_trace
    from outfall.traces.selectors import default_time

    section = Section.objects.filter(code=args.section.strip()).first()
    if section is None:
        raise NotFoundError(f"section {args.section}", user_message=f"断面「{args.section}」不存在 / no such section")
    code = lookup_parameter(args.parameter).code
    at = _since(args.at) if args.at else default_time(section, code)
    done = run_trace(section, code, at, decay_per_day=args.decay_per_day, window_h=args.window_h)
    out = {**done.result, "notes": done.notes}
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"断面 {section.code} {section.name} · {code} · {out['at']} · 实测 {out['observed']} "
          f"(限值 {out['limit'] if out['limit'] is not None else '—'})")
    for n, c in enumerate(out["candidates"], 1):
        print(f"{n:>3}. {c['outfall']:<24} 组 {c['group']:<3} 得分 {c['score']:.3f}  份额 {100 * c['share']:5.1f}%  "
              f"{c['distance_km']:.2f} km  {c['travel_time_h']:.1f} h")
    print(f"未解释 / unexplained {100 * out['unexplained_share']:.1f}%")
    for note in done.notes:
        print(f"  · {note}")
    return 0
