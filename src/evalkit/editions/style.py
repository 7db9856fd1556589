"""House style of the editions after GB/T 9704-2012, as Word styles and page setup.

The .docx reference document is pandoc's default (``pandoc --print-default-data-file
reference.docx``) restyled here with python-docx at build time (deterministic: the same
code gives the same styles), so an editor restyles the edition by changing styles, never
direct formatting:

=================  =========================  ==================================
Word style         GB/T 9704-2012             Here
=================  =========================  ==================================
Normal / Body Text 仿宋 3号 (16 pt)            仿宋, 16 pt, exact 28.95 pt line pitch
                                              (22 lines a page), first line 2 chars
Title              小标宋 2号 (22 pt)          方正小标宋简体, 22 pt, centred
Heading 1          黑体 3号, "一、"            黑体, 16 pt
Heading 2          楷体 3号, "（一）"          楷体, 16 pt
Heading 3          仿宋 3号 bold, "1."         仿宋, 16 pt, bold
Footer             宋体 4号 "— 1 —"            宋体, 14 pt, centred PAGE field
Table/Image Cap.   (not specified)            黑体, 12 pt (小四), centred
Compact (lists)    仿宋 3号                    仿宋, 16 pt (pandoc's tight lists)
Table Text         (not specified)            仿宋, 10.5 pt (五号), single spacing
                                              (table cells; set by :func:`finish_docx`)
=================  =========================  ==================================

The .docx names the fonts of a Chinese Word installation (仿宋, 黑体, 楷体, 宋体,
方正小标宋简体) and embeds none; the PDF, which must embed its fonts, substitutes the
open fonts of :func:`evalkit.editions.engines.fonts` (仿宋/楷体/小标宋/宋体 → Noto Serif SC,
黑体 → Noto Sans CJK SC; no open 仿宋 or 楷体 is available from a package registry).
Page: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right. Page numbers are
centred on every page but the cover, which counts as page 0 (GB/T puts odd pages right,
even left: simplified, one footer).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

#: Latin text beside the CJK fonts.
LATIN_FONT = "Times New Roman"
#: Page geometry in millimetres (GB/T 9704-2012 §5.2.1 with A4).
PAGE_MM = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
#: Line pitch giving 22 lines on the 225 mm type area.
LINE_PITCH_PT = 28.95
BODY_PT = 16
TITLE_PT = 22

#: Word style → (East Asian font, size in pt, bold, alignment, first-line indent in chars).
STYLES: dict[str, tuple[str, float, bool, str | None, int]] = {
    "Normal": ("仿宋", BODY_PT, False, "justify", 0),
    "Body Text": ("仿宋", BODY_PT, False, "justify", 2),
    "First Paragraph": ("仿宋", BODY_PT, False, "justify", 2),
    "Title": ("方正小标宋简体", TITLE_PT, False, "center", 0),
    "Subtitle": ("仿宋", BODY_PT, False, "center", 0),
    "Author": ("仿宋", BODY_PT, False, "center", 0),
    "Date": ("仿宋", BODY_PT, False, "center", 0),
    "Abstract": ("黑体", 14, False, "center", 0),
    "Heading 1": ("黑体", BODY_PT, False, None, 2),
    "Heading 2": ("楷体", BODY_PT, False, None, 2),
    "Heading 3": ("仿宋", BODY_PT, True, None, 2),
    "Heading 4": ("仿宋", BODY_PT, False, None, 2),
    "Table Caption": ("黑体", 12, False, "center", 0),
    "Image Caption": ("黑体", 12, False, "center", 0),
    "Captioned Figure": ("仿宋", BODY_PT, False, "center", 0),
    "Figure": ("仿宋", BODY_PT, False, "center", 0),
    "Compact": ("仿宋", BODY_PT, False, None, 0),
    "Table Text": ("仿宋", 10.5, False, None, 0),
    "Footer": ("宋体", 14, False, "center", 0),
    "Callout": ("仿宋", 14, False, None, 0),
}
#: Styles whose lines are single-spaced (not on the 28.95 pt body grid).
SINGLE_SPACED = {"Table Text", "Footer", "Table Caption", "Image Caption", "Callout", "Abstract"}

_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def _set_fonts(style, east_asian: str) -> None:
    """Name *east_asian* and :data:`LATIN_FONT` on *style*, dropping theme fonts."""
    style.font.name = LATIN_FONT
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _style(doc, name: str):
    """Return the paragraph style *name*, added (based on Normal) when missing."""
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        return style


def _box(style) -> None:
    """Give paragraph *style* a single black border (the callout frame)."""
    ppr = style.element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "4")
        el.set(qn("w:color"), "000000")
        border.append(el)
    ppr.append(border)


def _table_borders(doc) -> None:
    """Give pandoc's ``Table`` style single black borders on every cell (prints in B/W)."""
    try:
        table_style = doc.styles["Table"]
    except KeyError:
        return
    tblpr = table_style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        table_style.element.append(tblpr)
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tblpr.append(borders)


def _page_number_footer(section) -> None:
    """Write the footer "— PAGE —" (a PAGE field) in the ``Footer`` style."""
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for run in list(para.runs):
        run._r.getparent().remove(run._r)
    para.style = "Footer"
    para.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = para.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    end = para.add_run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._r.append(fld)
    para.add_run(" —")


def reference_docx(default: bytes) -> bytes:
    """Return pandoc's default reference document *default* restyled per :data:`STYLES`.

    Sets A4 and the margins of :data:`PAGE_MM`, the fonts, sizes, alignment, indents
    and line pitch of each style, black headings, bordered tables and callouts, and a
    page-number footer. Pure function of *default*.
    """
    doc = Document(io.BytesIO(default))
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_MM["width"]), Mm(PAGE_MM["height"])
        section.top_margin, section.bottom_margin = Mm(PAGE_MM["top"]), Mm(PAGE_MM["bottom"])
        section.left_margin, section.right_margin = Mm(PAGE_MM["left"]), Mm(PAGE_MM["right"])
        section.footer_distance = Mm(20)
        section.header_distance = Mm(15)  # pgMar needs every attribute (OOXML schema)
        section.gutter = Mm(0)
    for name, (font, size, bold, align, indent_chars) in STYLES.items():
        style = _style(doc, name)
        _set_fonts(style, font)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        if align:
            fmt.alignment = _ALIGN[align]
        fmt.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if name in SINGLE_SPACED:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing = Pt(LINE_PITCH_PT)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    doc.styles["Title"].paragraph_format.space_before = Pt(120)
    doc.styles["Author"].paragraph_format.space_before = Pt(160)
    doc.styles["Abstract"].paragraph_format.space_before = Pt(40)
    for name in ("Table Caption", "Image Caption"):
        doc.styles[name].paragraph_format.space_before = Pt(6)
        doc.styles[name].paragraph_format.space_after = Pt(6)
        doc.styles[name].paragraph_format.keep_with_next = name == "Table Caption"
    _box(doc.styles["Callout"])
    _table_borders(doc)
    for section in doc.sections:
        _page_number_footer(section)
        # The cover has no page number; the first page after it is "— 1 —".
        section.different_first_page_header_footer = True
        pg = OxmlElement("w:pgNumType")
        pg.set(qn("w:start"), "0")
        section._sectPr.find(qn("w:titlePg")).addprevious(pg)  # schema order: before titlePg
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def finish_docx(data: bytes) -> bytes:
    """Return the pandoc output *data* with tables finished for print.

    Every table's header row is repeated (``w:tblHeader``: Word repeats it at the top of
    each page the table spans), no row is split across pages (``w:cantSplit``), and the
    cells' paragraphs get the ``Table Text`` style (pandoc gives them ``Compact``, the
    style of its tight lists too).
    """
    doc = Document(io.BytesIO(data))
    # The style id is looked up once and set on each cell paragraph's ``w:pStyle``:
    # ``Paragraph.style = …`` resolves the style anew per paragraph (a scan of every
    # style), 2.8 s for the demo report's ~5,000 cell paragraphs.
    table_text = doc.styles["Table Text"].style_id
    for table in doc.tables:
        for cell_para in table._tbl.xpath("./w:tr/w:tc/w:p"):
            cell_para.style = table_text
        for index, row in enumerate(table.rows):
            trpr = row._tr.get_or_add_trPr()
            if trpr.find(qn("w:cantSplit")) is None:
                trpr.append(OxmlElement("w:cantSplit"))
            if index == 0 and trpr.find(qn("w:tblHeader")) is None:
                trpr.append(OxmlElement("w:tblHeader"))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
