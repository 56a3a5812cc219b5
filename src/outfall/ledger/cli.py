"""The ledger's command-line handlers (called by ``outfall import`` / ``outfall export``)."""

from __future__ import annotations

from pathlib import Path

from outfall.core.errors import InputError
from outfall.ledger.excel import import_outfalls
from outfall.ledger.exporting import FORMATS, export_ledger, iter_cells, write_xlsx_to
from outfall.ledger.models import Outfall


def import_file(path: Path, *, actor, dry_run: bool, progress=None, allow_duplicates: bool = False):
    return import_outfalls(path, actor=actor, name=path.name, dry_run=dry_run, progress=progress,
                           allow_duplicates=allow_duplicates)


def export_file(path: Path, *, actor) -> int:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"export format {fmt}", user_message=f"不支持的导出格式「.{fmt}」；可用: .xlsx .csv .geojson .kml")
    qs = Outfall.objects.visible_to(actor) if actor is not None else Outfall.objects.all()
    if fmt == "xlsx":  # written as it is read (synchronous: the CLI is no web thread)
        return write_xlsx_to(iter_cells(qs), path)
    path.write_bytes(export_ledger(qs, fmt))
    return qs.count()
