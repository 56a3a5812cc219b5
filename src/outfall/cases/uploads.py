"""Evidence files of a handling note: a photo (JPEG, PNG, WebP: checked as ``ledger.uploads`` does),
a PDF, or a Word/Excel file (.docx/.xlsx), told by content, not by name, and not over the size limit."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from outfall.core.errors import InputError
from outfall.ledger.uploads import check_image, sniff_image

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _office_type(upload) -> str | None:
    """DOCX/XLSX by the part a ZIP must hold; None for any other ZIP or a damaged one."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def check_evidence(upload, *, max_bytes: int) -> str:
    """The content type of an evidence file, or InputError naming the file and why it is refused."""
    if upload.size > max_bytes:
        raise InputError(f"upload {upload.size} > {max_bytes}", user_message=_(
            "文件 %(name)s 大小 %(size).1f MiB，超过上限 %(max).0f MiB") % {
            "name": upload.name, "size": upload.size / 1048576, "max": max_bytes / 1048576})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff_image(head):
        return check_image(upload, max_bytes=max_bytes)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and (ctype := _office_type(upload)):
        return ctype
    raise InputError(f"evidence type refused: {upload.name}", user_message=_(
        "文件 %(name)s 不是可接受的证明材料 (JPEG/PNG/WebP 图片、PDF、Word .docx 或 Excel .xlsx)") % {"name": upload.name})
