"""Word (.docx) building blocks on python-docx, with Chinese typesetting done properly.

Chinese text in Word takes its font from ``w:rFonts/@w:eastAsia``, Latin text from ``@w:ascii`` and
``@w:hAnsi``; a theme attribute (``w:asciiTheme``…) beside them wins over both, so it is removed. Body
text is 宋体 (SimSun) with Times New Roman, headings 黑体 (SimHei) with Arial, as GB/T 9704-2012 (党政机关
公文格式) and most bureau reports set them; the document language is zh-CN. Each helper also writes the
fonts on the runs it makes, so a document stays right when pasted into another with other styles.

Reused by every report (trace report now, monthly report later): :func:`new_document`,
:func:`add_title`, :func:`add_heading`, :func:`add_text`, :func:`add_bullets`, :func:`add_table`,
:func:`add_picture`, :func:`add_caption`, :func:`add_footer`, :func:`to_bytes`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

__all__ = ["BODY_FONT", "HEADING_FONT", "new_document", "set_fonts", "add_title", "add_heading", "add_text",
           "add_bullets", "add_table", "xml_text", "add_picture", "add_caption", "add_footer", "to_bytes"]

#: (East Asian, Latin) font of body text and of headings.
BODY_FONT = ("宋体", "Times New Roman")
HEADING_FONT = ("黑体", "Arial")
#: English in small type beside Chinese: size in points and colour.
ENGLISH_PT = 8
ENGLISH_RGB = RGBColor(0x59, 0x59, 0x59)
_THEME_ATTRS = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    r"""``text`` without the characters XML 1.0 cannot hold (control characters from a pasted cell).

    >>> xml_text("A\x07B\tC")
    'AB\tC'
    """
    return _NOT_XML.sub("", text)


def _set_rfonts(rpr, east_asia: str, latin: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for a in _THEME_ATTRS:
        rfonts.attrib.pop(qn(a), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def set_fonts(run, fonts: tuple[str, str] = BODY_FONT, *, size_pt: float | None = None, bold: bool | None = None,
              rgb: RGBColor | None = None):
    """Set a run's East Asian and Latin fonts (``w:rFonts``), and optionally size, bold and colour."""
    _set_rfonts(run._r.get_or_add_rPr(), *fonts)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    if rgb is not None:
        run.font.color.rgb = rgb
    return run


def _style_fonts(style, fonts, *, size_pt=None, rgb=None) -> None:
    _set_rfonts(style.element.get_or_add_rPr(), *fonts)
    if size_pt is not None:
        style.font.size = Pt(size_pt)
    if rgb is not None:
        style.font.color.rgb = rgb


def new_document(*, landscape: bool = False, body_pt: float = 10.5) -> Document:
    """An A4 document (2.5 cm margins) whose styles carry the Chinese and Latin fonts and zh-CN language.

    ``body_pt`` 10.5 pt is 五号, the usual body size of a Chinese report.
    """
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.5))
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr, *BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    _style_fonts(styles["Normal"], BODY_FONT, size_pt=body_pt)
    black = RGBColor(0, 0, 0)
    _style_fonts(styles["Title"], HEADING_FONT, size_pt=18, rgb=black)
    for level, pt in ((1, 14), (2, 12), (3, 10.5)):
        _style_fonts(styles[f"Heading {level}"], HEADING_FONT, size_pt=pt, rgb=black)
    _style_fonts(styles["Caption"], BODY_FONT, size_pt=9, rgb=black)
    styles["Caption"].font.bold = False
    return doc


def _bilingual(paragraph, zh: str, en: str | None, fonts, *, size_pt=None, bold=None) -> None:
    if zh:
        set_fonts(paragraph.add_run(xml_text(zh)), fonts, size_pt=size_pt, bold=bold)
    if en:
        set_fonts(paragraph.add_run(xml_text((" " if zh else "") + en)), fonts, size_pt=ENGLISH_PT, rgb=ENGLISH_RGB)


def add_title(doc, zh: str, en: str | None = None):
    """The title (centred, 黑体 18 pt) and an English subtitle in small type under it."""
    p = doc.add_paragraph(style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(p.add_run(xml_text(zh)), HEADING_FONT, size_pt=18, bold=True)
    if en:
        p2 = doc.add_paragraph()
        p2.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_fonts(p2.add_run(xml_text(en)), HEADING_FONT, size_pt=ENGLISH_PT + 1, rgb=ENGLISH_RGB)
    return p


def add_heading(doc, zh: str, en: str | None = None, *, level: int = 1):
    """A heading (style ``Heading n``, 黑体) with the English after it in small type."""
    p = doc.add_paragraph(style=f"Heading {level}")
    _bilingual(p, zh, en, HEADING_FONT)
    return p


def add_text(doc_or_cell, zh: str, en: str | None = None, *, bold: bool | None = None, size_pt: float | None = None,
             align_center: bool = False):
    """A body paragraph: Chinese first, English in small grey type after it. Works in a table cell too."""
    p = doc_or_cell.add_paragraph()
    if align_center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _bilingual(p, zh, en, BODY_FONT, size_pt=size_pt, bold=bold)
    return p


def add_bullets(doc, items: Sequence[tuple[str, str | None]]):
    """A bulleted list of (Chinese, English or None) items: "•" and a hanging indent written as text,
    so the bullet shows in any viewer (a numbering definition needs the viewer's Symbol font)."""
    out = []
    for zh, en in items:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(0.6)
        p.paragraph_format.first_line_indent = Cm(-0.4)
        _bilingual(p, "• " + zh, en, BODY_FONT)
        out.append(p)
    return out


def _fill(cell, value, *, size_pt: float, bold: bool = False) -> None:
    """Write a cell: a str, or a (Chinese, English) pair shown on two lines of one paragraph."""
    p = cell.paragraphs[0]
    if isinstance(value, tuple):
        zh, en = value
        set_fonts(p.add_run(xml_text(zh)), BODY_FONT, size_pt=size_pt, bold=bold)
        if en:
            r = set_fonts(p.add_run(), BODY_FONT, size_pt=max(size_pt - 1.5, 6), rgb=ENGLISH_RGB)
            if zh:
                r.add_break()
            r.add_text(xml_text(en))
    else:
        set_fonts(p.add_run(xml_text("" if value is None else str(value))), BODY_FONT, size_pt=size_pt, bold=bold)


def _repeat_as_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        trpr.append(el)


def add_table(doc, header: Sequence, rows: Sequence[Sequence], *, widths_cm: Sequence[float] | None = None,
              size_pt: float = 9):
    """A grid table: one header row (bold, repeated at the top of every page it runs onto) and the rows.

    Each cell value is a str (or None, shown empty) or a (Chinese, English) pair: the English goes on a
    second line in small grey type. ``widths_cm`` sets the column widths.
    """
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_as_header(head)
    for cell, h in zip(head.cells, header, strict=True):
        _fill(cell, h, size_pt=size_pt, bold=True)
    for values in rows:
        if len(values) != len(header):
            raise ValueError(f"table row has {len(values)} cells, header has {len(header)}")
        row = table.add_row()
        for cell, v in zip(row.cells, values, strict=True):
            _fill(cell, v, size_pt=size_pt)
    if widths_cm:
        table.autofit = False
        for col, w in zip(table.columns, widths_cm, strict=True):
            col.width = Cm(w)
            for cell in col.cells:
                cell.width = Cm(w)
    return table


def add_picture(doc, png: bytes, *, width_cm: float = 15.0):
    """A centred picture from PNG (or JPEG) bytes, ``width_cm`` wide (height keeps the aspect)."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True  # the caption stays with its picture
    p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    return p


def add_caption(doc, zh: str, en: str | None = None):
    """A centred caption (style ``Caption``) under a picture or over a table."""
    p = doc.add_paragraph(style="Caption")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _bilingual(p, zh, en, BODY_FONT, size_pt=9)
    return p


def _field(paragraph, instr: str, size_pt: float) -> None:
    """A complex field (PAGE, NUMPAGES) that Word and LibreOffice update when they lay the page out."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        run = set_fonts(paragraph.add_run(), BODY_FONT, size_pt=size_pt)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            run.text = text
            continue
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def add_footer(doc, left_zh: str, left_en: str | None = None, *, size_pt: float = 8):
    """Footer on every page: a line of text (who generated it, when) and "第 N 页 / 共 M 页" page numbers."""
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _bilingual(p, left_zh, left_en, BODY_FONT, size_pt=size_pt)
    p2 = footer.add_paragraph()
    p2.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(p2.add_run("第 "), BODY_FONT, size_pt=size_pt)
    _field(p2, "PAGE", size_pt)
    set_fonts(p2.add_run(" 页 / 共 "), BODY_FONT, size_pt=size_pt)
    _field(p2, "NUMPAGES", size_pt)
    set_fonts(p2.add_run(" 页"), BODY_FONT, size_pt=size_pt)
    return footer


def to_bytes(doc) -> bytes:
    """The document as .docx bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
