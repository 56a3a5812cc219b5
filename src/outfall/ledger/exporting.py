"""Export the ledger: XLSX/CSV with Chinese headers (re-import unchanged), GeoJSON and KML (WGS84).

XLSX files are written byte-for-byte reproducibly (fixed document times and ZIP entry times), so
export → import → export gives identical files.

Text is never written as a formula (OWASP "CSV injection"): in XLSX every text cell that a spreadsheet
would take for a formula or an error code is an explicit string cell (:func:`xlsx_value`); in CSV a
text cell starting with ``= + - @``, tab, carriage return or ``'`` gets a leading ``'``
(:func:`outfall.core.filetypes.neutralise_formula`), which the CSV reader removes again, so the value
round-trips unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import time
import zipfile
from xml.sax.saxutils import escape

from outfall.core.columns import LIST_SEP, format_cell
from outfall.core.filetypes import neutralise_formula
from outfall.ledger import columns

_FIXED_TIME = dt.datetime(2000, 1, 1)
FORMATS = ("xlsx", "csv", "geojson", "kml")


#: Model fields read for an export row, in this order: the columns' own fields (the town by name),
#: then what GeoJSON/KML add. The four party columns come from one query per chunk.
_PARTY_FIELDS = ("party_names", "party_usccs", "party_industries", "party_contacts")
_COLUMN_FIELDS = tuple(c.field for c in columns.COLUMNS if c.field not in _PARTY_FIELDS)
_READ = ("pk", *("town__name" if f == "town" else f for f in _COLUMN_FIELDS), "lon", "lat")
_TYPE_AT = tuple(_READ.index(f) for f in ("type_l1", "type_l2", "type_l3"))
_RISKY = ("=", "#")  # first characters of text openpyxl would store as a formula or an error code


def _formatter(col):
    """A one-argument function equal to ``format_cell(col, ·)``, with enum labels looked up in a dict
    built once (``format_cell`` itself builds the enum member on every call)."""
    if col.kind in ("float", "coord"):
        return None
    if col.kind == "enum":
        labels = {m.value: format_cell(col, m.value) for m in col.enum}
        return lambda v: labels[v] if v in labels else format_cell(col, v)
    if col.kind == "bool":
        return lambda v: "是" if v else "否"
    if col.kind == "party":
        return lambda v: LIST_SEP.join(v) if any(v) else ""
    return lambda v: v or ""


def _row_plan():
    """(position of each column's value in a read tuple or the party block, its formatter)."""
    read_at = {f: i + 1 for i, f in enumerate(_COLUMN_FIELDS)}
    return [(read_at.get(c.field, -1 - _PARTY_FIELDS.index(c.field) if c.field in _PARTY_FIELDS else None),
             _formatter(c)) for c in columns.COLUMNS]


def iter_records(queryset, *, chunk: int = 2000, timings: dict | None = None):
    """``(cells, lon, lat, type_label)`` per outfall of ``queryset``, ordered by code: ``cells`` are
    the export-formatted values in :data:`columns.COLUMNS` order.

    Read ``chunk`` outfalls at a time by code (keyset, so memory stays flat and no cursor is held
    between chunks) as plain tuples, plus one query per chunk for their responsible parties. With
    ``timings``, adds the seconds spent in SQL (``"sql"``) and in building rows (``"rows"``).
    """
    plan = _row_plan()
    n_read = len(_READ)
    qs = queryset.order_by("code").values_list(*_READ)
    through = queryset.model.responsible_parties.through
    last = None
    while True:
        t0 = time.perf_counter()
        part = list((qs.filter(code__gt=last) if last is not None else qs)[:chunk])
        if not part:
            break
        pks = [r[0] for r in part]
        parties: dict[int, list[list[str]]] = {pk: [[], [], [], []] for pk in pks}
        for oid, name, uscc, industry, contact in through.objects.filter(outfall_id__in=pks).order_by("id").values_list(
                "outfall_id", "responsibleparty__name", "responsibleparty__uscc", "responsibleparty__industry",
                "responsibleparty__contact"):
            lists = parties[oid]
            lists[0].append(name)
            lists[1].append(uscc or "")
            lists[2].append(industry)
            lists[3].append(contact)
        t1 = time.perf_counter()
        out = []
        for r in part:
            block = parties[r[0]]
            cells = []
            for at, fmt in plan:
                v = r[at] if at > 0 else block[-1 - at]
                cells.append(v if fmt is None else fmt(v))
            t3 = r[_TYPE_AT[0]], r[_TYPE_AT[1]], r[_TYPE_AT[2]]
            out.append((cells, r[n_read - 2], r[n_read - 1], " / ".join(x for x in t3 if x)))
        if timings is not None:
            timings["sql"] = timings.get("sql", 0.0) + (t1 - t0)
            timings["rows"] = timings.get("rows", 0.0) + (time.perf_counter() - t1)
        yield from out
        if len(part) < chunk:
            break
        last = part[-1][1]


def iter_cells(queryset, *, chunk: int = 2000, timings: dict | None = None):
    """The export-formatted cells of each outfall (lists in :data:`columns.COLUMNS` order), by code:
    what the XLSX and CSV writers take. See :func:`iter_records`."""
    for cells, _lon, _lat, _type in iter_records(queryset, chunk=chunk, timings=timings):
        yield cells


def ledger_rows(queryset) -> list[dict]:
    """One dict per outfall, keyed by column field, with export-formatted cells (plus ``_lon``,
    ``_lat`` in WGS84 degrees and ``_type``, for GeoJSON and KML)."""
    return list(iter_ledger_rows(queryset))


def iter_ledger_rows(queryset, *, chunk: int = 2000):
    """The rows of :func:`ledger_rows` ordered by code, read ``chunk`` outfalls at a time (memory
    stays flat however large the ledger)."""
    fields = [c.field for c in columns.COLUMNS]
    for cells, lon, lat, type_label in iter_records(queryset, chunk=chunk):
        yield dict(zip(fields, cells, strict=True)) | {"_lon": lon, "_lat": lat, "_type": type_label}


def _as_cells(rows):
    """Rows as cell lists: dict rows (keyed by column field) are put in column order."""
    for r in rows:
        yield [r[c.field] for c in columns.COLUMNS] if isinstance(r, dict) else r


def write_xlsx(rows) -> bytes:
    """The rows (an iterable of dicts keyed by column field, or of cell lists in column order) as an
    XLSX workbook; see :func:`write_xlsx_to`."""
    buf = io.BytesIO()
    write_xlsx_to(rows, buf)
    return buf.getvalue()


def write_xlsx_to(rows, out) -> int:
    """Write the rows as an XLSX workbook to ``out`` (a path or a binary file); return the row count.

    openpyxl's write-only mode: each row goes straight to the sheet's XML stream (a temporary file),
    none is kept as cell objects. Every ZIP entry is dated 1980-01-01 and the document times are fixed
    as it is written, so equal content gives equal bytes without rewriting the archive.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("入河排污口台账")
    ws.freeze_panes = "A2"
    for i, c in enumerate(columns.COLUMNS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(10, min(40, len(c.zh) * 2 + 4))
    bold = Font(bold=True)
    header = []
    for c in columns.COLUMNS:
        cell = WriteOnlyCell(ws, value=c.zh)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    append = ws.append
    for r in _as_cells(rows):
        append([xlsx_value(ws, v) if v.__class__ is str and v[:1] in _RISKY else v for v in r])
        n += 1
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "outfall"
    archive = _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # what wb.save() does, less its stamping of the save time
    return n


def xlsx_value(ws, value):
    """A cell for ``ws.append``: the value itself, or, for text openpyxl would store as a formula
    (``=…``) or an error code (``#N/A``), a cell typed explicitly as a string (never a formula)."""
    if not (isinstance(value, str) and value[:1] in ("=", "#")):  # the common case, without an import
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def csv_value(value) -> str:
    """A CSV cell: empty for None, ``repr`` for floats (exact round trip), text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return neutralise_formula(value) if isinstance(value, str) else str(value)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP whose entries are all dated 1980-01-01 (openpyxl would date them now), so an export is
    reproducible; files are copied in 1 MiB chunks."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = _zip_entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = _zip_entry(arcname or str(filename))
        st = os.stat(filename)
        info.file_size = st.st_size  # so that ZIP64 is used exactly when it is needed
        info.external_attr = (st.st_mode & 0xFFFF) << 16  # as ZipFile.write records it
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def iter_csv(rows, *, batch: int = 500):
    """The CSV (UTF-8 with BOM, CRLF) of an iterable of rows, as byte chunks of ``batch`` rows: what
    a StreamingHttpResponse sends."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.zh for c in columns.COLUMNS])
    yield buf.getvalue().encode("utf-8-sig")
    buf.seek(0)
    buf.truncate()
    for k, r in enumerate(_as_cells(rows), start=1):
        w.writerow([csv_value(v) for v in r])
        if k % batch == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def write_csv(rows) -> bytes:
    return b"".join(iter_csv(rows))


def write_geojson(rows: list[dict]) -> bytes:
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [r["_lon"], r["_lat"]]},
        "properties": {c.en: r[c.field] for c in columns.COLUMNS},
    } for r in rows]
    fc = {"type": "FeatureCollection", "name": "outfalls",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": features}
    return json.dumps(fc, ensure_ascii=False, indent=1).encode("utf-8")


def write_kml(rows: list[dict]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>入河排污口台账</name>']
    for r in rows:
        data = "".join(f'<Data name="{escape(c.zh)}"><value>{escape(str(r[c.field] if r[c.field] is not None else ""))}'
                       f"</value></Data>" for c in columns.COLUMNS)
        parts.append(f"<Placemark><name>{escape(r['code'])} {escape(r['name'])}</name>"
                     f"<description>{escape(r['_type'])}</description><ExtendedData>{data}</ExtendedData>"
                     f"<Point><coordinates>{r['_lon']!r},{r['_lat']!r},0</coordinates></Point></Placemark>")
    parts.append("</Document></kml>")
    return "\n".join(parts).encode("utf-8")


WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "geojson": write_geojson, "kml": write_kml}
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
                 "kml": "application/vnd.google-earth.kml+xml"}


def export_ledger(queryset, fmt: str) -> bytes:
    """The ledger of ``queryset`` in ``fmt`` (xlsx, csv, geojson or kml)."""
    if fmt in ("xlsx", "csv"):
        return WRITERS[fmt](iter_cells(queryset))
    return WRITERS[fmt](ledger_rows(queryset))


def stream_ledger(queryset, fmt: str):
    """Byte chunks of the export: CSV row batches as they are written (read 2,000 outfalls at a
    time); the other formats in one chunk (a ZIP or a JSON document is complete only at its end)."""
    if fmt == "csv":
        return iter_csv(iter_cells(queryset))
    return iter([export_ledger(queryset, fmt)])
