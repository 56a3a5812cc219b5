"""Command-line handler of ``outfall import limits FILE``."""

from __future__ import annotations

from pathlib import Path

from outfall.alerts.limits import import_limits


def import_limits_file(path: Path, *, actor, dry_run: bool, progress=None):
    return import_limits(path, actor=actor, name=path.name, dry_run=dry_run)
