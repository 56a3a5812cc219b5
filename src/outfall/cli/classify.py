"""``outfall classify FILE``: readings in, class per site and time out; no database (shared/DESIGN.md §3).

Reads the long readings format (:func:`outfall.core.standards.readings_io.read_readings`), groups the
readings by site and time and evaluates each sample by the single-factor method of 环办〔2011〕22号
(GB 3838-2002 Table 1). ``--format json`` prints a list, one object per site and time, sorted by
site then time::

    {"site_code": "370285S03", "time": "2025-11-06T20:00:00+08:00", "class": "劣V",
     "limiting": ["NH3N"], "exceedance": {"NH3N": 1.2, "TP": 0.55}}

``class`` is null when no evaluated parameter has a value. The water type of a sample is the
file's ``water_type`` column, else ``--water-type`` (default river). Django is never started.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["register", "classify_records", "run"]


def register(sub, add_common) -> None:
    # The help text is docs/cli.md (generated, checked by tests/web/test_cli_docs.py): change both together.
    p = sub.add_parser("classify", help="按 GB 3838-2002 评价水质类别 / classify readings (no database)")
    add_common(p)
    p.add_argument("file", type=Path, help="long readings file: site_code, time, parameter, value[, unit][, water_type]")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    p.add_argument("--water-type", choices=["river", "lake"], default="river",
                   help="for rows without a water_type column (default river)")
    p.set_defaults(func=run)


def classify_records(records, *, default_water_type: str = "river") -> list[dict]:
    """Group readings by (site, time) and evaluate each sample (single-factor, 环办〔2011〕22号 §2.3–2.5).

    Parameters
    ----------
    records : iterable of ReadingRecord
        Values in the registry units.
    default_water_type : {"river", "lake"}, keyword-only
        For samples whose readings give no water type.

    Returns
    -------
    list of dict
        ``site_code``, ``time`` (ISO 8601 with offset), ``class`` (or None), ``limiting``,
        ``exceedance`` (code → multiple over the class III limit), sorted by site then time.

    Raises
    ------
    RowErrors
        Readings of one sample that name two different water types.
    """
    from outfall.core.errors import RowError, RowErrors
    from outfall.core.standards import evaluate_sample

    samples: dict[tuple, dict] = defaultdict(dict)
    water: dict[tuple, tuple[str, int]] = {}
    errors = []
    file = ""
    for r in records:
        key = (r.site_code, r.time)
        samples[key][r.parameter] = r.value
        if r.water_type:
            prev = water.setdefault(key, (r.water_type, r.row))
            if prev[0] != r.water_type:
                errors.append(RowError(file, "", r.row, "水体类型",
                                       f"与第 {prev[1]} 行是同一站点和时间，水体类型却不同 ({prev[0]} / {r.water_type})"))
    if errors:
        raise RowErrors(errors)
    out = []
    for (site, t), values in sorted(samples.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        ev = evaluate_sample(values, water_type=water.get((site, t), (default_water_type, 0))[0])
        out.append({"site_code": site, "time": t.isoformat(),
                    "class": ev.water_class.value if ev.water_class else None,
                    "limiting": list(ev.limiting), "exceedance": ev.exceedance})
    return out


def run(args) -> int:
    from outfall.core.errors import RowErrors
    from outfall.core.standards.readings_io import read_readings

    records = read_readings(args.file)
    try:
        rows = classify_records(records, default_water_type=args.water_type)
    except RowErrors as exc:  # name the file in the errors
        from outfall.core.errors import RowError

        raise RowErrors([RowError(args.file.name, e.sheet, e.row, e.column, e.message) for e in exc.errors]) from None
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["site_code", "time", "class", "limiting", "exceedance"])
        for r in rows:
            w.writerow([r["site_code"], r["time"], r["class"] or "", ";".join(r["limiting"]),
                        ";".join(f"{k}:{v}" for k, v in r["exceedance"].items())])
    else:
        from outfall.core.standards import registry

        reg = registry()
        head = ["站点 site", "时间 time", "类别 class", "定类指标 limiting", "超Ⅲ类倍数 exceedance"]
        lines = [[r["site_code"], r["time"], r["class"] or "—", "、".join(reg[c].name_zh for c in r["limiting"]) or "—",
                  "、".join(f"{reg[k].name_zh}({v})" for k, v in r["exceedance"].items()) or "—"] for r in rows]
        print("\t".join(head))
        for line in lines:
            print("\t".join(line))
    return 0
