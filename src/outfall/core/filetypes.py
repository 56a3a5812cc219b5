"""What an uploaded file is, told from its bytes; CSV text decoding; formula-safe CSV cells.

- :func:`sniff_format`: "xlsx" (a ZIP holding ``xl/workbook.xml``) or "csv" (anything else that is
  not a known binary); an old .xls (OLE), a PDF, an image, an archive, a Word or OpenDocument file,
  or a web page saved as ".xls" is refused by name, whatever its extension says.
- :func:`sniff_image` / :func:`sniff_evidence`: a photo (JPEG, PNG, WebP) or an evidence document
  (PDF, Word/Excel .docx/.xlsx, old .doc/.xls), from the first bytes and the name;
  :func:`holds_office_part` checks a .docx/.xlsx holds its part.
- :func:`decode_text`: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else
  GBK/GB18030 (Excel's Chinese default).
- :func:`neutralise_formula` / :func:`restore_formula`: the OWASP "CSV injection" escape on export
  and its exact inverse on import.
"""

from __future__ import annotations

import io
import re
import zipfile

from outfall.core.errors import FileFormatError

__all__ = ["sniff_format", "sniff_image", "sniff_evidence", "decode_text", "neutralise_formula", "restore_formula",
           "FORMULA_PREFIXES", "DOCUMENT_TYPES", "OFFICE_PARTS", "holds_office_part"]

#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP "CSV injection"),
#: plus the quote itself so that the escape is unambiguous.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise_formula(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection guidance).

    Text starting with ``= + - @``, tab or carriage return gets a leading ``'``; so does text that
    already starts with ``'``, so :func:`restore_formula` can always undo exactly what was added.

    >>> neutralise_formula("=HYPERLINK(1)"), neutralise_formula("'quoted"), neutralise_formula("甲厂")
    ("'=HYPERLINK(1)", "''quoted", '甲厂')
    """
    return "'" + text if text[:1] in FORMULA_PREFIXES and text else text


def restore_formula(text: str) -> str:
    """Undo :func:`neutralise_formula`: drop a leading quote only where it would have added one.

    >>> restore_formula("'=HYPERLINK(1)"), restore_formula("''quoted"), restore_formula("'quoted")
    ('=HYPERLINK(1)', "'quoted", "'quoted")
    """
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES else text


def decode_text(data: bytes, name: str) -> str:
    """CSV bytes → text: UTF-16 when it starts with its BOM, else UTF-8 (BOM or not), else GB18030.

    >>> decode_text("排污口名称".encode("gbk"), "a.csv"), decode_text("\\ufeff名称".encode("utf-8"), "b.csv")
    ('排污口名称', '名称')
    """
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(f"{name}: undecodable", user_message=f"{name}: 无法识别文件编码 (请使用 UTF-8 或 GBK 编码的 CSV)"
                          " / unknown text encoding (use UTF-8 or GBK)")


_SIGNATURES = [
    (b"%PDF", "PDF 文档 / PDF document"),
    (b"\x89PNG", "PNG 图片 / PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片 / JPEG image"),
    (b"GIF8", "GIF 图片 / GIF image"),
    (b"Rar!", "RAR 压缩包 / RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包 / 7z archive"),
    (b"\x1f\x8b", "gzip 压缩包 / gzip archive"),
    (b"{\\rtf", "RTF 文档 / RTF document"),
]
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|table|\?xml)", re.IGNORECASE)


def sniff_format(data: bytes, name: str) -> str:
    """"xlsx" or "csv" from the bytes themselves; anything else raises FileFormatError naming what it is.

    >>> sniff_format("编码,名称\\n".encode("gbk"), "a.txt")
    'csv'
    >>> try:
    ...     sniff_format(b"%PDF-1.7 ...", "ledger.xlsx")
    ... except FileFormatError as e:
    ...     print(e.user_message.split(" / ")[0])
    ledger.xlsx: 不是表格文件 (内容是 PDF 文档)，请上传 .xlsx 或 CSV
    """

    def refuse(what: str):
        zh, _, en = what.partition(" / ")
        raise FileFormatError(f"{name}: {en or zh}", user_message=f"{name}: 不是表格文件 (内容是 {zh})，请上传 .xlsx 或 CSV"
                              f" / not a spreadsheet ({en or zh}); upload .xlsx or CSV")

    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise FileFormatError(f"{name}: {exc}", user_message=f"{name}: 不是有效的 Excel (.xlsx) 文件或文件已损坏"
                                  " / not a valid .xlsx file, or damaged") from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            refuse("Word 文档 / Word document")
        if "content.xml" in names and "mimetype" in names:
            refuse("OpenDocument 文件 (.ods/.odt)，请另存为 .xlsx / OpenDocument file; save as .xlsx")
        refuse("ZIP 压缩包，不是 Excel 工作簿 / ZIP archive, not an Excel workbook")
    if data[:8] == _OLE:
        raise FileFormatError(f"{name}: xls", user_message=f"{name}: 旧版 .xls 格式不支持，请另存为 .xlsx 或 CSV"
                              " / old .xls format; save as .xlsx or CSV")
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            refuse(what)
    if _MARKUP.match(data[:256]):
        refuse("网页或 XML (有的系统导出的 .xls 实为网页)，请用 Excel 另存为 .xlsx / a web page or XML "
               "(some systems export HTML as .xls); save it as .xlsx from Excel")
    return "csv"


_IMAGES = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]
#: evidence documents → content type
DOCUMENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}
#: the part a ZIP-based document must hold
OFFICE_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def sniff_image(head: bytes) -> str | None:
    """The content type of a JPEG, PNG or WebP photo from its first 16 bytes, else None.

    >>> sniff_image(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff_image(b"GIF89a") is None
    ('image/png', True)
    """
    for sig, ctype in _IMAGES:
        if head.startswith(sig):
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def sniff_evidence(head: bytes, name: str) -> tuple[str, str] | None:
    """(kind, content type) of an evidence file (a case's handling note, a remediation task's progress)
    from its first 16 bytes and its name: ``("photo", …)`` for a JPEG/PNG/WebP, ``("document", …)``
    for a PDF, a ZIP named .docx/.xlsx or an OLE file named .doc/.xls; None for anything else. A ZIP
    must still hold its part (:data:`OFFICE_PARTS`) — the caller reads the whole file for that.

    >>> sniff_evidence(b"%PDF-1.7 ...", "方案.pdf")
    ('document', 'application/pdf')
    >>> sniff_evidence(b"\\x89PNG\\r\\n\\x1a\\n....", "a.png")
    ('photo', 'image/png')
    >>> sniff_evidence(b"MZ\\x90\\x00", "a.pdf") is None
    True
    """
    if ctype := sniff_image(head):
        return "photo", ctype
    if head.startswith(b"%PDF-"):
        return "document", "application/pdf"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"PK\x03\x04") and suffix in OFFICE_PARTS:
        return "document", DOCUMENT_TYPES[suffix]
    if head.startswith(_OLE) and suffix in (".doc", ".xls"):
        return "document", DOCUMENT_TYPES[suffix]
    return None


def holds_office_part(data: bytes, suffix: str) -> bool:
    """Whether the ZIP ``data`` holds the part a .docx/.xlsx must hold (a renamed archive does not).

    >>> holds_office_part(b"PK\\x03\\x04 not a zip", ".docx")
    False
    """
    try:
        return OFFICE_PARTS[suffix] in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return False
