"""The quote as a PDF (pure: no queries, no writes). Everything arrives translated and
formatted in a QuoteDocument (sales/views/quote_documents.py builds it from the quote, its
lines and the workspace's legal details); this module only lays it out on A4 with fpdf2.

Text is set in DejaVu Sans (static/fonts/, embedded as a subset), which covers Latin,
Greek and Cyrillic with €, umlauts and ß; a character the font lacks prints as a gap, never
an error. The PDF carries its text (copy and search work; tests read it back with pypdf).
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, XPos, YPos

# fontTools reports every subset it makes at INFO; a PDF download is no news for the log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVu"
MARGIN = 18  # mm
FOOTER_HEIGHT = 30  # mm kept free at the foot of every page for the legal footer
GREY = (96, 96, 96)


@dataclass
class PdfLine:
    """One quote line, every figure formatted; `details` is the SKU and options text."""

    number: str
    description: str
    details: str
    quantity: str
    unit_price: str
    discount: str
    tax: str
    net: str


@dataclass
class QuoteDocument:
    """A quote ready to print. Labels are translated, amounts and dates formatted.

    - `company_name`, `company_lines` (address), `company_contact` (email, phone, web): the
      letterhead; `title` ("Quote") and `number` beside it;
    - `customer_label` ("For"), `customer_name`, `attention` ("Attn. …" or ""),
      `customer_lines` (address); `facts`: (label, value) pairs (date, validity, reference…);
    - `headers`: the seven column titles; `lines`; `totals`: (label, value) pairs, the last
      one printed bold (the gross total);
    - `notes`, `validity`, `payment_terms`: paragraphs under the lines (empty: left out);
    - `footer_columns`: up to three lists of short lines (legal name and address; register,
      VAT id, directors; bank) and `footer_text` (the quote footer) on every page, with
      `page_label` ("Page %(page)s of %(pages)s").
    """

    title: str
    number: str
    company_name: str
    company_lines: list[str] = field(default_factory=list)
    company_contact: list[str] = field(default_factory=list)
    customer_label: str = ""
    customer_name: str = ""
    attention: str = ""
    customer_lines: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    lines: list[PdfLine] = field(default_factory=list)
    empty_text: str = ""
    totals: list[tuple[str, str]] = field(default_factory=list)
    notes_label: str = ""
    notes: str = ""
    validity: str = ""
    payment_terms_label: str = ""
    payment_terms: str = ""
    footer_columns: list[list[str]] = field(default_factory=list)
    footer_text: str = ""
    page_label: str = "%(page)s / %(pages)s"
    author: str = ""


class _QuotePdf(FPDF):
    def __init__(self, doc: QuoteDocument):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc = doc
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=FOOTER_HEIGHT + 6)
        self.alias_nb_pages("{nb}")
        self.set_title(f"{doc.title} {doc.number}")
        self.set_author(doc.author or doc.company_name)
        self.set_creator("Operational CRM")
        self.set_fallback_fonts([])  # unknown characters are left out, never an error

    def footer(self):
        doc = self.doc
        self.set_y(-FOOTER_HEIGHT)
        self.set_draw_color(200, 200, 200)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        columns = [c for c in doc.footer_columns if c][:3]
        top = self.get_y()
        width = (self.w - 2 * MARGIN) / max(len(columns), 1)
        bottom = top
        for i, column in enumerate(columns):
            self.set_xy(MARGIN + i * width, top)
            self.multi_cell(width - 2, 3.2, "\n".join(column), align="L", new_x=XPos.LMARGIN)
            bottom = max(bottom, self.get_y())
        self.set_y(bottom + 0.5)
        if doc.footer_text:
            self.multi_cell(0, 3.2, doc.footer_text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(-8)
        page = doc.page_label % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 4, page, align="R")
        self.set_text_color(0, 0, 0)


def _letterhead(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    width = pdf.w - 2 * MARGIN
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(width * 0.62, 7, doc.company_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*GREY)
    for line in [*doc.company_lines, *doc.company_contact]:
        pdf.cell(width * 0.62, 4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    left_bottom = pdf.get_y()
    pdf.set_xy(MARGIN + width * 0.62, top)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(width * 0.38, 9, doc.title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(width * 0.38, 5, doc.number, align="R")
    pdf.set_y(max(left_bottom, pdf.get_y() + 5) + 8)


def _addresses(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    width = pdf.w - 2 * MARGIN
    top = pdf.get_y()
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(width * 0.55, 4, doc.customer_label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 10.5)
    pdf.multi_cell(width * 0.55, 5, doc.customer_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    for line in [doc.attention, *doc.customer_lines]:
        if line:
            pdf.multi_cell(width * 0.55, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    label_w, value_w = width * 0.17, width * 0.28
    for label, value in doc.facts:
        pdf.set_x(MARGIN + width * 0.55)
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*GREY)
        pdf.cell(label_w, 5, label)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(value_w, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


def _lines(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_draw_color(210, 210, 210)
    align = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(
        col_widths=(7, 60, 12, 24, 20, 14, 28),
        text_align=align,
        headings_style=FontFace(emphasis="BOLD", fill_color=(238, 240, 243)),
        cell_fill_mode=TableCellFillMode.NONE,
        line_height=4.6,
        padding=(1.2, 1.2, 1.2, 1.2),
        borders_layout="HORIZONTAL_LINES",
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for title in doc.headers:
            heading.cell(title)
        if not doc.lines and doc.empty_text:
            table.row().cell(doc.empty_text, colspan=7)
        for line in doc.lines:
            row = table.row()
            row.cell(line.number)
            text = line.description + (f"\n{line.details}" if line.details else "")
            row.cell(text)
            for value in (line.quantity, line.unit_price, line.discount, line.tax, line.net):
                row.cell(value)
    pdf.ln(2)
    width = pdf.w - 2 * MARGIN
    for i, (label, value) in enumerate(doc.totals):
        last = i == len(doc.totals) - 1
        pdf.set_font(FONT, "B" if last else "", 10 if last else 9)
        pdf.set_x(MARGIN)
        pdf.cell(width - 42, 5.5, label, align="R")
        pdf.cell(42, 5.5, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraphs(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    for label, text in (
        (doc.notes_label, doc.notes),
        (doc.payment_terms_label, doc.payment_terms),
        ("", doc.validity),
    ):
        if not text:
            continue
        pdf.ln(4)
        if label:
            pdf.set_font(FONT, "B", 9.5)
            pdf.cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(0, 4.6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_quote_pdf(doc: QuoteDocument) -> bytes:
    """The quote `doc` as the bytes of an A4 PDF (one page or more; the footer with the
    legal details and the page number on each)."""
    pdf = _QuotePdf(doc)
    pdf.add_page()
    _letterhead(pdf, doc)
    _addresses(pdf, doc)
    _lines(pdf, doc)
    _paragraphs(pdf, doc)
    return bytes(pdf.output())
