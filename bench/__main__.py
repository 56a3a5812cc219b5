"""Run every benchmark: ``python -m bench`` (or ``make bench``); ``--quick`` for smaller sizes.

Each ``bench/bench_*.py`` module has ``main(quick: bool) -> None`` that prints one table with our
figure next to the peer measured in the same run. Select some with ``python -m bench NAME ...``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all), e.g. classify network")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    here = Path(__file__).resolve().parent
    mods = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if args.names:
        mods = [m for m in mods if m.removeprefix("bench_") in args.names]
    for name in mods:
        mod = importlib.import_module(f"bench.{name}")
        print(f"\n## {name.removeprefix('bench_')}\n")
        mod.main(quick=args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
