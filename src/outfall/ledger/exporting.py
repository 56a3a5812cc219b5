"""Export the ledger: XLSX/CSV with Chinese headers (re-import unchanged), GeoJSON and KML (WGS84).

XLSX files are written byte-for-byte reproducibly (fixed document times and ZIP entry times), so
export → import → export gives identical files.

Text is never written as a formula (OWASP "CSV injection"): in XLSX every text cell that a spreadsheet
would take for a formula or an error code is an explicit string cell (:func:`xlsx_value`); in CSV a
text cell starting with ``= + - @``, tab, carriage return or ``'`` gets a leading ``'``
(:func:`outfall.core.tabular.neutralise_formula`), which the CSV reader removes again, so the value
round-trips unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from xml.sax.saxutils import escape

from outfall.core.columns import format_cell
from outfall.core.filetypes import neutralise_formula
from outfall.ledger import columns
from outfall.ledger.selectors import parties_by_outfall

_FIXED_TIME = dt.datetime(2000, 1, 1)
FORMATS = ("xlsx", "csv", "geojson", "kml")


def ledger_rows(queryset) -> list[dict]:
    """One dict per outfall, keyed by column field, with export-formatted cells."""
    return list(iter_ledger_rows(queryset))


def iter_ledger_rows(queryset, *, chunk: int = 2000):
    """The rows of :func:`ledger_rows` ordered by code, read ``chunk`` outfalls at a time (memory
    stays flat however large the ledger)."""
    pks = list(queryset.order_by("code").values_list("pk", flat=True))
    for k in range(0, len(pks), chunk):
        part = queryset.model.objects.filter(pk__in=pks[k:k + chunk])
        yield from _rows(list(part.select_related("town").order_by("code")))


def _rows(outfalls) -> list[dict]:
    parties = parties_by_outfall([o.pk for o in outfalls])
    rows = []
    for o in outfalls:
        values = {c.field: getattr(o, c.field, None) for c in columns.COLUMNS}
        values["town"] = o.town.name
        values.update(columns.parties_columns(parties[o.pk]))
        rows.append({c.field: format_cell(c, values[c.field]) for c in columns.COLUMNS}
                    | {"_lon": o.lon, "_lat": o.lat, "_type": o.type_label})
    return rows


def write_xlsx(rows) -> bytes:
    """The rows (an iterable of dicts) as an XLSX workbook, written in openpyxl's write-only mode:
    each row goes straight to the sheet's XML stream, none is kept as cell objects."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

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
    for r in rows:
        ws.append([xlsx_value(ws, r[c.field]) for c in columns.COLUMNS])
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "outfall"
    buf = io.BytesIO()
    wb.save(buf)
    return _reproducible_zip(buf.getvalue())


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


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with every entry dated 1980-01-01, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                              src.read(info.filename))
                dst.writestr(zi, body)
                continue
            with src.open(info) as fin, dst.open(zi, "w") as fout:  # the sheet: copied in chunks
                shutil.copyfileobj(fin, fout, 1 << 20)
    return out.getvalue()


def iter_csv(rows, *, batch: int = 500):
    """The CSV (UTF-8 with BOM, CRLF) of an iterable of rows, as byte chunks of ``batch`` rows: what
    a StreamingHttpResponse sends."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.zh for c in columns.COLUMNS])
    yield buf.getvalue().encode("utf-8-sig")
    buf.seek(0)
    buf.truncate()
    for k, r in enumerate(rows, start=1):
        w.writerow([csv_value(r[c.field]) for c in columns.COLUMNS])
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
        return WRITERS[fmt](iter_ledger_rows(queryset))
    return WRITERS[fmt](ledger_rows(queryset))


def stream_ledger(queryset, fmt: str):
    """Byte chunks of the export: CSV row batches as they are written (read 2,000 outfalls at a
    time); the other formats in one chunk (a ZIP or a JSON document is complete only at its end)."""
    if fmt == "csv":
        return iter_csv(iter_ledger_rows(queryset))
    return iter([export_ledger(queryset, fmt)])
