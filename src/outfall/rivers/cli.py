"""Command-line handlers of the rivers app (``outfall import rivers``, ``outfall network …``)."""

from __future__ import annotations

from pathlib import Path

from outfall.rivers.services import import_rivers


def import_rivers_file(path: Path, *, actor, dry_run: bool, progress=None, crs=None):
    return import_rivers(path, actor=actor, name=path.name, dry_run=dry_run, crs=crs)
