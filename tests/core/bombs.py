"""Hostile spreadsheets and archives for the import-limit tests, built small on disk.

Each builder writes a real, well-formed ZIP whose members stream through zlib in 1 MiB chunks, so
a file that inflates to hundreds of MiB is written in well under a second and stays a few hundred
KiB on disk; nothing large is ever held in memory by the builder.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl

MIB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_bytes(rows: list[list], *, title: str = "台账") -> bytes:
    """An ordinary .xlsx of ``rows`` (openpyxl)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def replace_member(xlsx: bytes, member: str, chunks, *, prefix: bytes = b"") -> bytes:
    """The workbook with ``member`` replaced by ``prefix`` + the byte chunks (streamed, deflated)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == member:
                continue
            dst.writestr(info, src.read(info.filename))
        with dst.open(member, "w", force_zip64=True) as fh:
            fh.write(prefix)
            for chunk in chunks:
                fh.write(chunk)
    return out.getvalue()


def sheet_xml(body_chunks, *, dimension: str | None = None):
    """Chunks of a worksheet XML around ``body_chunks`` (rows)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_NS}">{dim}<sheetData>'.encode()
    yield from body_chunks
    yield b"</sheetData></worksheet>"


def _header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in ("排污口名称", "经度", "纬度", "所属镇街"))
    return f'<row r="1">{cells}</row>'.encode()


def repeated_rows(n_rows: int, n_cols: int = 20):
    """``n_rows`` data rows of ``n_cols`` numeric cells each (each a float object once read), in ~1 MiB chunks (no row numbers, as
    some writers do)."""
    row = b"<row>" + b"<c><v>1.5</v></c>" * n_cols + b"</row>"
    per_chunk = max(1, MIB // len(row))
    yield _header_row()
    left = n_rows
    while left > 0:
        k = min(per_chunk, left)
        yield row * k
        left -= k


def xlsx_bomb(n_rows: int, *, n_cols: int = 20, dimension: str | None = None) -> bytes:
    """A workbook whose first sheet holds ``n_rows`` rows of ``n_cols`` cells: about 15 bytes of XML
    per cell, compressed several hundred to one."""
    return replace_member(workbook_bytes([["x"]]), SHEET, sheet_xml(repeated_rows(n_rows, n_cols), dimension=dimension))


def sparse_sheet(cells: dict[str, str], *, dimension: str | None = None) -> bytes:
    """A workbook whose first sheet holds only ``cells`` ({"A1": text, "XFD1048576": text}), each in
    its own row, optionally declaring ``dimension``."""
    rows = []
    for ref, text in cells.items():
        r = int("".join(ch for ch in ref if ch.isdigit()))
        rows.append(f'<row r="{r}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'.encode())
    return replace_member(workbook_bytes([["x"]]), SHEET, sheet_xml(rows, dimension=dimension))


def zip_bomb(member: str = "rivers.shp", *, mib: int = 300, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP with ``member`` of ``mib`` MiB of zeros (about 1000:1) and small ``extra`` members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as fh:
            zeros = bytes(MIB)
            for _ in range(mib):
                fh.write(zeros)
    return out.getvalue()


def many_members(n: int, size: int) -> bytes:
    """A ZIP of ``n`` members of ``size`` random-looking bytes each (ratio ~1:1, total n*size)."""
    import random

    rnd = random.Random(7)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        block = rnd.randbytes(size)
        for i in range(n):
            z.writestr(f"part{i}.bin", block)
    return out.getvalue()
