"""``outfall whatif --ban CODE[,CODE] [--merge CODE:INTO] [--parameter P] [--period P] [--format json]``
(shared/DESIGN.md §3): how much each section improves when outfalls are banned (取缔) or merged
(清理合并) into another.

Prints a list, one object per affected section and parameter (``section``, ``parameter``,
``current_mg_l``, ``predicted_mg_l``, ``current_class``, ``predicted_class``, ``period``), or a table.
Nothing is stored. Refused input (an unknown outfall, a merge into itself, a parameter nothing emits,
no network) exits 2 with the reason.
"""

from __future__ import annotations

import json
import sys


def register(sub, add_common) -> None:
    p = sub.add_parser("whatif", help="情景预测 / predict sections after banning or merging outfalls")
    add_common(p)
    p.add_argument("--ban", action="append", default=[], metavar="CODE[,CODE]", help="outfalls to ban (取缔)")
    p.add_argument("--merge", action="append", default=[], metavar="CODE:INTO",
                   help="merge outfall CODE into outfall INTO (清理合并); repeat or separate with commas")
    p.add_argument("--parameter", help="parameter code or name, e.g. NH3N or 氨氮 (default: every parameter "
                                       "measured at a section that the outfalls emit)")
    p.add_argument("--period", metavar="YYYY[-MM]", help="year or month of the current concentrations "
                                                          "(default: the 12 months up to the latest reading)")
    p.add_argument("--decay-per-day", type=float, metavar="K", help="first-order decay, per day (default: the "
                                                                     "parameter's)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def _num(v: float) -> str:
    return f"{v:.4g}"


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.traces.whatif import parse_ban, parse_merge, run_whatif

    done = run_whatif(ban=parse_ban(args.ban), merge=parse_merge(args.merge), parameter=args.parameter,
                      period=args.period, decay_per_day=args.decay_per_day)
    if args.format == "json":
        print(json.dumps(done.rows, ensure_ascii=False, indent=1))
        for note in done.notes:
            print(note, file=sys.stderr)
        return 0
    print(_("情景预测 · 时段 %(period)s") % {"period": done.period})
    if not done.rows:
        print("  " + _("没有断面受影响（下游没有有监测数据的断面）"))
    else:
        head = [_("断面"), _("指标"), _("当前 mg/L"), _("预测 mg/L"), _("变化"), _("当前类别"), _("预测类别")]
        lines = [head]
        for r in done.rows:
            change = (f"{100 * (r['predicted_mg_l'] - r['current_mg_l']) / r['current_mg_l']:+.1f}%"
                      if r["current_mg_l"] else "—")
            lines.append([r["section"], r["parameter"], _num(r["current_mg_l"]), _num(r["predicted_mg_l"]), change,
                          r["current_class"] or "—", r["predicted_class"] or "—"])
        widths = [max(_width(row[i]) for row in lines) for i in range(len(head))]
        for row in lines:
            print("  " + "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)))
    for note in done.notes:
        print(f"  · {note}")
    return 0


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
