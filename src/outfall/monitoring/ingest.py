"""Readings ingest: long files, the national release's wide format, and station pushes (API).

Parsing is the core's (``outfall.core.standards``); this module resolves site codes to sections and
outfalls, then writes every row in one transaction with one ReadingBatch and one ChangeRecord, or
writes nothing. Re-importing the same rows updates them (key: site, parameter, time, source).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from outfall.accounts import permissions
from outfall.core.errors import PermissionDeniedError, RowError, RowErrors
from outfall.core.results import ImportResult
from outfall.core.standards.cnemc import read_release_csv
from outfall.core.standards.parameters import registry
from outfall.core.standards.readings_io import ReadingRecord, read_reading_dicts, read_readings
from outfall.history.services import record_change
from outfall.ledger.models import Outfall
from outfall.monitoring.models import ReadingBatch, Section
from outfall.monitoring.store import upsert_readings


@dataclass
class ReadingImportResult(ImportResult):
    section_rows: int = 0
    outfall_rows: int = 0
    skipped: int = 0


def _check_may_ingest(actor) -> None:
    if not permissions.can_edit_any(actor):
        raise PermissionDeniedError(f"{actor} may not import readings", user_message="无权导入监测数据")


def _site_ids(codes: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    sections = dict(Section.objects.filter(code__in=codes).values_list("code", "pk"))
    outfalls = dict(Outfall.objects.filter(code__in=codes - set(sections)).values_list("code", "pk"))
    return sections, outfalls


def _write(records: list[ReadingRecord], *, file: str, kind: str, actor, dry_run: bool,
           skipped: int = 0, sheet: str = "") -> ReadingImportResult:
    result = ReadingImportResult(file=file, rows=len(records), skipped=skipped)
    sections, outfalls = _site_ids({r.site_code for r in records})
    errors = [RowError(file, sheet, r.row, "站点编码", f"站点编码「{r.site_code}」不在断面或排污口台账中")
              for r in records if r.site_code not in sections and r.site_code not in outfalls]
    if errors and not Section.objects.exists() and not Outfall.objects.exists():
        errors.insert(0, RowError(file, sheet, 1, "站点编码", "尚无断面与排污口 / no sections or outfalls yet: "
                                                          "outfall import sections FILE"))
    if errors:
        result.errors = errors
        if dry_run:
            return result
        raise RowErrors(errors)
    batch_id = uuid.uuid4()
    sec_rows, out_rows = [], []
    for r in records:
        v = r.value
        row = (r.time, r.parameter, v.value, v.qualifier if v.qualifier != "missing" else "missing",
               v.detection_limit, r.unit, v.raw[:40], r.source, "ok", batch_id)
        if r.site_code in sections:
            sec_rows.append((sections[r.site_code], *row))
        else:
            out_rows.append((outfalls[r.site_code], *row))
    result.section_rows, result.outfall_rows = len(sec_rows), len(out_rows)
    if dry_run:
        return result
    with transaction.atomic():
        batch = ReadingBatch.objects.create(id=batch_id, file=file[:200], kind=kind, rows=len(records),
                                            section_rows=len(sec_rows), outfall_rows=len(out_rows), skipped=skipped)
        upsert_readings("section", sec_rows)
        upsert_readings("outfall", out_rows)
        record_change(batch, action="import", actor=actor, before=None, batch_id=batch_id,
                      after={"file": file, "rows": len(records), "section_rows": len(sec_rows),
                             "outfall_rows": len(out_rows), "skipped": skipped})
    result.batch_id, result.committed = batch_id, True
    return result


def import_readings(source, *, actor, name: str = "readings", dry_run: bool = False) -> ReadingImportResult:
    """A long readings file (CSV/XLSX, DESIGN §3); every problem named by row and column."""
    _check_may_ingest(actor)
    try:
        records = read_readings(source, name=name)
    except RowErrors as exc:
        if dry_run:
            return ReadingImportResult(file=name, errors=exc.errors)
        raise
    return _write(records, file=name, kind="long", actor=actor, dry_run=dry_run)


def ingest_pushed_readings(items: list[dict], *, actor, source: str = "automatic",
                           name: str = "api") -> ReadingImportResult:
    """A JSON batch pushed by an automatic station or a data platform (the API)."""
    _check_may_ingest(actor)
    items = [{**i, "source": i.get("source") or source} if isinstance(i, dict) else i for i in items]
    return _write(read_reading_dicts(items, name=name), file=name, kind="push", actor=actor, dry_run=False)


def import_station_release(source, *, actor, name: str = "release.csv", dry_run: bool = False) -> ReadingImportResult:
    """The national automatic-station release (wide, one column per item), matched to sections by
    name; rows of sections not in the ledger are skipped and counted, not refused."""
    _check_may_ingest(actor)
    data = source.read_bytes() if hasattr(source, "read_bytes") else source
    by_name = dict(Section.objects.values_list("name", "code"))
    records, skipped = [], 0
    for n, row in enumerate(read_release_csv(data), start=2):
        code = by_name.get(row.section)
        if code is None or row.time is None:
            skipped += 1
            continue
        for param, pv in row.values.items():
            if param == "ALGAE":
                continue
            records.append(ReadingRecord(n, code, row.time, param, pv, registry()[param].unit, "automatic", None))
    return _write(records, file=name, kind="release", actor=actor, dry_run=dry_run, skipped=skipped)
