"""Command-line handlers of monitoring data (called by ``outfall import sections|readings``)."""

from __future__ import annotations

from pathlib import Path

from outfall.monitoring.services import import_sections


def import_sections_file(path: Path, *, actor, dry_run: bool, progress=None):
    return import_sections(path, actor=actor, name=path.name, dry_run=dry_run, progress=progress)


def import_readings_file(path: Path, *, actor, dry_run: bool, progress=None):
    from outfall.monitoring.ingest import import_readings

    return import_readings(path, actor=actor, name=path.name, dry_run=dry_run)
