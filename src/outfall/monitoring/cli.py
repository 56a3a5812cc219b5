"""Command-line handlers of monitoring data (called by ``outfall import sections|readings``)."""

from __future__ import annotations

from pathlib import Path

from outfall.monitoring.ingest import import_readings, import_station_release
from outfall.monitoring.services import import_sections


def import_sections_file(path: Path, *, actor, dry_run: bool, progress=None):
    return import_sections(path, actor=actor, name=path.name, dry_run=dry_run, progress=progress)


def is_station_release(head: bytes) -> bool:
    """The national release's wide CSV names its columns monitor_time and official_class."""
    first = head.split(b"\n", 1)[0]
    return b"monitor_time" in first and b"official_class" in first


def import_readings_file(path: Path, *, actor, dry_run: bool, progress=None):
    """Long files (DESIGN §3) or the national release's wide CSV, told apart by the header."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if is_station_release(head.lstrip(b"\xef\xbb\xbf")):
        return import_station_release(path, actor=actor, name=path.name, dry_run=dry_run)
    return import_readings(path, actor=actor, name=path.name, dry_run=dry_run, progress=progress)
