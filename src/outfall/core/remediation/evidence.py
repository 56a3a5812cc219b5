"""What an evidence file of a remediation task is, told from its first bytes (never its name alone):
a photo (JPEG, PNG, WebP) or a document (PDF, Word/Excel .docx/.xlsx, old .doc/.xls).

>>> sniff_evidence(b"%PDF-1.7 ...", "方案.pdf")
('document', 'application/pdf')
>>> sniff_evidence(b"\\x89PNG\\r\\n\\x1a\\n....", "a.png")
('photo', 'image/png')
>>> sniff_evidence(b"MZ\\x90\\x00", "a.pdf") is None
True
"""

from __future__ import annotations

__all__ = ["sniff_evidence", "DOCUMENT_SUFFIXES"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: suffix of a ZIP-based or OLE document → content type
DOCUMENT_SUFFIXES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}


def sniff_evidence(head: bytes, name: str) -> tuple[str, str] | None:
    """(kind, content type) of a file whose first bytes are ``head``; None when it is neither a
    photo nor a document this system keeps."""
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "image/webp"
    if head.startswith(b"%PDF-"):
        return "document", "application/pdf"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"PK\x03\x04") and suffix in (".docx", ".xlsx"):
        return "document", DOCUMENT_SUFFIXES[suffix]
    if head.startswith(_OLE) and suffix in (".doc", ".xls"):
        return "document", DOCUMENT_SUFFIXES[suffix]
    return None
