"""Hooks a higher app subscribes to (STYLE rule 16): monitoring never imports them.

``readings_written`` holds callables ``f(section_ids, outfall_ids, earliest_time, actor, *, rows,
kind)``, called after a batch of readings is committed (``transaction.on_commit``); ``rows`` is the
number of readings the batch wrote and ``kind`` the ReadingBatch kind (``long``, ``release`` for
files, ``push`` for the API). A failing hook is logged and never undoes the readings. The alerts
app registers its check in its ``apps.py``.
"""

from __future__ import annotations

import logging

log = logging.getLogger("outfall.monitoring.hooks")

#: Called after readings are committed: f(section_ids: set[int], outfall_ids: set[int], earliest_time, actor,
#: *, rows: int, kind: str).
readings_written: list = []


def fire_readings_written(section_ids, outfall_ids, earliest_time, actor, *, rows: int = 0, kind: str = "") -> None:
    """Call every registered hook; a failure is logged, the readings stay."""
    for hook in list(readings_written):
        try:
            hook(set(section_ids), set(outfall_ids), earliest_time, actor, rows=rows, kind=kind)
        except Exception:  # noqa: BLE001 — a hook must never lose the readings it was told about
            log.exception("readings hook %s failed", getattr(hook, "__name__", hook))
