"""``outfall classify FILE``: readings in, class per site and time out; no database (DESIGN §3)."""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path


def register(sub, add_common) -> None:
    p = sub.add_parser("classify", help="按 GB 3838-2002 评价水质类别 / classify readings (no database)")
    add_common(p)
    p.add_argument("file", type=Path, help="long readings file: site_code, time, parameter, value[, unit][, water_type]")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    p.add_argument("--water-type", choices=["river", "lake"], default="river",
                   help="for rows without a water_type column (default river)")
    p.set_defaults(func=run)


def classify_records(records, *, default_water_type: str = "river") -> list[dict]:
    """Group readings by (site, time) and evaluate each sample (single-factor, 环办〔2011〕22号)."""
    from outfall.core.standards import evaluate_sample

    samples: dict[tuple, dict] = defaultdict(dict)
    water: dict[tuple, str] = {}
    for r in records:
        key = (r.site_code, r.time)
        samples[key][r.parameter] = r.value
        if r.water_type:
            water[key] = r.water_type
    out = []
    for (site, t), values in sorted(samples.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        ev = evaluate_sample(values, water_type=water.get((site, t), default_water_type))
        out.append({"site_code": site, "time": t.isoformat(),
                    "class": ev.water_class.value if ev.water_class else None,
                    "limiting": list(ev.limiting), "exceedance": ev.exceedance})
    return out


def run(args) -> int:
    from outfall.core.standards.readings_io import read_readings

    rows = classify_records(read_readings(args.file), default_water_type=args.water_type)
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
        for r in rows:
            exc = "、".join(f"{k}({v})" for k, v in r["exceedance"].items())
            print(f"{r['site_code']}\t{r['time']}\t{r['class'] or '—'}\t{','.join(r['limiting'])}\t{exc}")
    return 0
