"""``outfall demo``: load the Laixi demo data (and print the demo logins)."""

from __future__ import annotations

import sys

#: Demo steps in order; each is ``load(*, stdout)``.
DEMO_STEPS = [
    "outfall.demo.ledger.load",
    "outfall.demo.rivers.load",
    "outfall.demo.monitoring.load",
    "outfall.demo.alerts.load",
    "outfall.demo.remediation.load",
    "outfall.demo.cases.load",
    "outfall.demo.inspections.load",
]


def register(sub, add_common) -> None:
    p = sub.add_parser("demo", help="载入莱西演示数据 / load the Laixi demo data")
    add_common(p)
    p.set_defaults(func=run)


def load_demo(stdout=sys.stdout) -> None:
    import importlib

    for path in DEMO_STEPS:
        module, _, func = path.rpartition(".")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # a step whose app is not built yet
                continue
            raise
        getattr(mod, func)(stdout=stdout)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    load_demo()
    return 0
