"""Readings ingest: long files, the national release's wide format, and station pushes (API).

Parsing is the core's (``outfall.core.standards``), a chunk of rows at a time; this module resolves
site codes to sections and outfalls (``_site_ids``, the one place) and writes each chunk
(``outfall.monitoring.store``), all chunks in one transaction with one ReadingBatch and one
ChangeRecord, or writes nothing. Re-importing the same rows updates them (key: site, parameter,
time, source).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from outfall.core.errors import CappedErrors, PermissionDeniedError, RowError, RowErrors
from outfall.core.results import ImportResult
from outfall.core.standards.cnemc import read_release_csv
from outfall.core.standards.parameters import registry
from outfall.core.standards.readings_io import (
    ReadingChunk,
    ReadingRecord,
    stream_reading_dicts,
    stream_readings,
)
from outfall.history.services import record_change
from outfall.ledger.models import Outfall
from outfall.monitoring import hooks
from outfall.monitoring.models import ReadingBatch, Section
from outfall.monitoring.permissions import REFUSED_MESSAGE, may_write_readings, refused_site_codes
from outfall.monitoring.store import atomic_with_retry, write_chunk


@dataclass
class ReadingImportResult(ImportResult):
    section_rows: int = 0
    outfall_rows: int = 0
    skipped: int = 0


def _check_may_ingest(actor) -> None:
    if not may_write_readings(actor):
        raise PermissionDeniedError(f"{actor} may not import readings", user_message="无权导入监测数据")


def _site_ids(codes: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    sections = dict(Section.objects.filter(code__in=codes).values_list("code", "pk"))
    outfalls = dict(Outfall.objects.filter(code__in=codes - set(sections)).values_list("code", "pk"))
    return sections, outfalls


def _import(open_stream, *, kind: str, actor, dry_run: bool, skipped: int = 0, progress=None,
            file: str = "", check_sites: bool = True) -> ReadingImportResult:
    """Check and write the chunks of ``open_stream()`` in one transaction (retried whole on a
    deadlock), or write nothing: on any row error, keep reading to collect every error, then roll
    back and raise RowErrors (a dry run rolls back always and returns the errors instead)."""
    result = ReadingImportResult(file=file, skipped=skipped)

    def run():
        stream = open_stream()
        result.file = stream.file
        result.rows = result.section_rows = result.outfall_rows = 0
        batch_id = uuid.uuid4()
        sections: dict[str, int] = {}
        outfalls: dict[str, int] = {}
        unknown: set[str] = set()
        refused: set[str] = set()
        written = _Written()
        with stream:
            for chunk in stream:
                new = set(chunk.sites) - sections.keys() - outfalls.keys() - unknown
                if new:
                    s, o = _site_ids(new)
                    sections.update(s)
                    outfalls.update(o)
                    unknown.update(new - s.keys() - o.keys())
                    if check_sites:  # the one permission check of every ingest (field readings: the caller's)
                        refused.update(refused_site_codes(actor, s, o))
                if unknown or refused:
                    stream.errors.extend(
                        [RowError(stream.file, stream.sheet, n, "站点编码", f"站点编码「{code}」不在断面或排污口台账中")
                         if code in unknown else RowError(stream.file, stream.sheet, n, "站点编码",
                                                          f"{REFUSED_MESSAGE} ({code})")
                         for n, code in zip(chunk.rows, chunk.sites, strict=True) if code in unknown or code in refused])
                if not stream.errors:
                    _write_chunk(chunk, sections, outfalls, batch_id, stream, result, written)
                if progress:
                    progress(len(chunk))
        if unknown and not Section.objects.exists() and not Outfall.objects.exists():
            stream.errors.kept.insert(0, RowError(stream.file, stream.sheet, 1, "站点编码", "尚无断面与排污口 / no "
                                                  "sections or outfalls yet: outfall import sections FILE"))
            stream.errors.total += 1
        stream.errors.raise_if_any()
        batch = ReadingBatch.objects.create(id=batch_id, file=result.file[:200], kind=kind, rows=result.rows,
                                            section_rows=result.section_rows, outfall_rows=result.outfall_rows,
                                            skipped=skipped)
        record_change(batch, action="import", actor=actor, before=None, batch_id=batch_id,
                      after={"file": result.file, "rows": result.rows, "section_rows": result.section_rows,
                             "outfall_rows": result.outfall_rows, "skipped": skipped})
        if dry_run:
            transaction.set_rollback(True)
        else:
            transaction.on_commit(lambda: hooks.fire_readings_written(
                written.section_ids, written.outfall_ids, written.earliest, actor, rows=result.rows, kind=kind))
        return batch_id

    try:
        batch_id = atomic_with_retry(run)
    except RowErrors as exc:
        if dry_run:
            result.errors = exc.errors
            return result
        raise
    if not dry_run:
        result.batch_id, result.committed = batch_id, True
    return result


@dataclass
class _Written:
    """What the import wrote across its chunks, for the alerts hook (``hooks.fire_readings_written``)."""

    section_ids: set[int] = field(default_factory=set)
    outfall_ids: set[int] = field(default_factory=set)
    earliest: dt.datetime | None = None


def _write_chunk(chunk: ReadingChunk, sections: dict, outfalls: dict, batch_id, stream, result,
                 written: _Written) -> None:
    """Write one chunk's rows (sections and outfalls apart); a key an earlier chunk gave another
    value becomes an error of its row."""
    site_ids = list(map(sections.get, chunk.sites))
    if None not in site_ids:
        parts = [("section", site_ids, chunk)]
    else:
        sec = [k for k, s in enumerate(site_ids) if s is not None]
        out = [k for k, s in enumerate(site_ids) if s is None]
        parts = [("section", [site_ids[k] for k in sec], chunk.subset(sec)),
                 ("outfall", [outfalls[chunk.sites[k]] for k in out], chunk.subset(out))]
    if chunk.times:
        first = min(chunk.times)
        written.earliest = first if written.earliest is None else min(written.earliest, first)
    for kind, ids, part in parts:
        (written.section_ids if kind == "section" else written.outfall_ids).update(ids)
        outcome = write_chunk(kind, ids, part, batch_id)
        stream.errors.extend([RowError(stream.file, stream.sheet, part.rows[i], "监测值",
                                       "与本文件前面一行是同一站点、时间、指标和来源，但数值不同")
                              for i in outcome.conflicts])
        result.rows += outcome.written
        if kind == "section":
            result.section_rows += outcome.written
        else:
            result.outfall_rows += outcome.written


def import_readings(source, *, actor, name: str = "readings", dry_run: bool = False,
                    progress=None) -> ReadingImportResult:
    """A long readings file (CSV/XLSX, DESIGN §3), streamed: read, checked and written
    ``CHUNK_ROWS`` rows at a time in one transaction (memory bounded whatever the file's size);
    every problem named by row and column, and then nothing written. A dry run does the same
    work and rolls it back."""
    _check_may_ingest(actor)
    return _import(lambda: stream_readings(source, name=name, limits=settings.OUTFALL_IMPORT_LIMITS), kind="long", actor=actor, dry_run=dry_run,
                   progress=progress, file=name)


def ingest_pushed_readings(items: list[dict], *, actor, source: str = "automatic",
                           name: str = "api") -> ReadingImportResult:
    """A JSON batch pushed by an automatic station or a data platform (the API): one chunk,
    written in key order, the transaction retried on a deadlock with a concurrent push."""
    _check_may_ingest(actor)
    items = [{**i, "source": i.get("source") or source} if isinstance(i, dict) else i for i in items]
    return _import(lambda: stream_reading_dicts(items, name=name), kind="push", actor=actor, dry_run=False,
                   file=name)


def ingest_field_readings(records: list[ReadingRecord], *, actor, name: str = "field") -> ReadingImportResult:
    """Quick-test readings taken at an outfall during a field inspection (source ``field``), already
    parsed by the core (``outfall.core.inspections.parse_quick_tests``): one ReadingBatch of kind
    ``field`` with its ChangeRecord, the alerts hook after the commit; inside the caller's
    transaction, so an inspection and its readings land together or not at all.

    Who may record them is decided by the calling app's permission module (an inspector may record
    an inspection, and so its quick tests, though not import readings); this function checks only
    that every record has source ``field`` and names a site in the ledger.
    """
    if any(r.source != "field" for r in records):
        raise PermissionDeniedError("non-field readings through ingest_field_readings",
                                    user_message="现场快检只能写入来源为“现场快检”的数据")
    return _import(lambda: _Records(records, name), kind="field", actor=actor, dry_run=False, file=name,
                   check_sites=False)


class _Records:
    """Records already read (the national release) as a one-chunk stream; of a repeated key the
    last row is kept, as the release's later row corrects an earlier one."""

    def __init__(self, records: list[ReadingRecord], file: str):
        last = {(r.site_code, r.time, r.parameter, r.source): r for r in records}
        self.chunk = ReadingChunk.of(list(last.values()))
        self.file, self.sheet, self.errors = file, "", CappedErrors(file)

    def __iter__(self):
        yield self.chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


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
    return _import(lambda: _Records(records, name), kind="release", actor=actor, dry_run=dry_run, skipped=skipped,
                   file=name)
