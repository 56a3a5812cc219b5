"""The towns' command-line handler (called by ``outfall import towns FILE``)."""

from __future__ import annotations

from pathlib import Path

from outfall.accounts.services import import_towns


def import_towns_file(path: Path, *, actor, dry_run: bool, progress=None, crs=None):
    return import_towns(path, actor=actor, name=path.name, dry_run=dry_run, progress=progress, crs=crs)
