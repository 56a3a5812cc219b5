"""The parts of the dashboard (概览) and the monthly report (月报), as dotted paths (STYLE rule 10).

Each path names ``summary(*, user, town_id, start, end) -> Part`` (:mod:`outfall.reports.parts`) in
an app's ``reporting`` module; the dashboard draws the parts and the report writes them in this
order, so both always show the same numbers. A part whose module does not exist (its app not built
yet) is skipped, as ``outfall demo`` skips a step; any other import error is raised.
"""

from __future__ import annotations

import datetime as dt
import importlib

from outfall.reports.parts import Part

__all__ = ["PARTS", "part_functions", "collect_parts"]

PARTS = [
    "outfall.ledger.reporting.summary",
    "outfall.monitoring.reporting.summary",
    "outfall.alerts.reporting.summary",
    "outfall.cases.reporting.summary",
    "outfall.remediation.reporting.summary",
]


def part_functions(paths: list[str] | None = None) -> list:
    """The summary functions of ``paths`` (default :data:`PARTS`) whose modules exist."""
    out = []
    for path in PARTS if paths is None else paths:
        module, _, func = path.rpartition(".")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
                continue  # the app (or its reporting module) is not built yet
            raise
        out.append(getattr(mod, func))
    return out


def collect_parts(*, user, town_id: int | None, start: dt.date, end: dt.date,
                  paths: list[str] | None = None) -> list[Part]:
    """Every part for ``user``, one town (``town_id``) or the whole area (None), local dates
    ``start``–``end`` (end exclusive)."""
    return [f(user=user, town_id=town_id, start=start, end=end) for f in part_functions(paths)]
