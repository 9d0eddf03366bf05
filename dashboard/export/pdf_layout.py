"""PDF building blocks (reportlab): paragraph styles, tables in Swedish formats, the footer.

Every page's footer carries the scope, the period, every filter value and "Sida X av Y"; the
total is known only at the end, so the canvas keeps each page's state and draws footers on save.
"""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table as RLTable, TableStyle

from dashboard.export.cells import display_text
from dashboard.export.fonts import BOLD, ITALIC, REGULAR
from dashboard.export.model import Table

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 24 * mm  # room for the two-line footer
BODY_W = PAGE_W - 2 * MARGIN_X
BRAND = colors.HexColor("#1F4E79")
ZEBRA = colors.HexColor("#F2F5F9")
RULE = colors.HexColor("#BFBFBF")
FOOTER_SIZE = 6.8


def _style(name, size, *, font=REGULAR, leading=None, colour=colors.black, **kw):
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3,
                          textColor=colour, **kw)


STYLES = {
    "cover_title": _style("cover_title", 24, font=BOLD, leading=30, colour=BRAND, spaceAfter=6),
    "cover_sub": _style("cover_sub", 14, leading=19, colour=BRAND, spaceAfter=18),
    # a chapter that opens mid-page stands apart from the one before (ignored at a page top)
    "h1": _style("h1", 16, font=BOLD, colour=BRAND, spaceBefore=16, spaceAfter=6),
    "h2": _style("h2", 11.5, font=BOLD, colour=BRAND, spaceBefore=8, spaceAfter=4),
    "body": _style("body", 9, leading=12.5, spaceAfter=5),
    "small": _style("small", 7.8, leading=10),
    "note": _style("note", 7.5, font=ITALIC, leading=9.8, colour=colors.HexColor("#404040"),
                   spaceBefore=2, spaceAfter=6),
    "cell": _style("cell", 7.8, leading=9.6),
    "cell_num": _style("cell_num", 7.8, leading=9.6, alignment=TA_RIGHT),
    "head": _style("head", 7.8, font=BOLD, leading=9.6, colour=colors.white),
    "head_num": _style("head_num", 7.8, font=BOLD, leading=9.6, colour=colors.white,
                       alignment=TA_RIGHT),
    "key_value": _style("key_value", 17, font=BOLD, leading=21, colour=BRAND),
    "key_label": _style("key_label", 8, leading=10.5),
}


def para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), STYLES[style])


def table_style(commands: list[tuple]) -> TableStyle:
    """A table style whose cells default to DejaVu: reportlab's cell default is Helvetica, which
    it then names in the file, not embedded, even where every cell is a paragraph."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


CELL_SIZE, MIN_CELL_SIZE = 7.8, 6.2  # a table's text, and the least it shrinks to
CELL_LEADING = 9.6 / 7.8
CELL_PAD = 8  # a cell's left and right padding (3 + 3) and some air


def pdf_table(table: Table, width: float = BODY_W) -> RLTable:
    """A table that repeats its header on each page, numbers right-aligned, in CELL_SIZE or
    as much smaller as its numbers and longest words need to fit `width`."""
    numeric = [c.unit is not None for c in table.columns]
    texts = [[display_text(v, c.unit) for v, c in zip(row, table.columns)] for row in table.rows]
    size = _cell_size(table, texts, numeric, width)
    cell, head, head_num = (_sized(name, size) for name in ("cell", "head", "head_num"))
    header = [Paragraph(escape(c.label), head_num if n else head)
              for c, n in zip(table.columns, numeric)]
    # Numbers never wrap: plain strings (styled by the table) are much cheaper than paragraphs.
    body = [[t if n else Paragraph(escape(t), cell) for t, n in zip(row, numeric)]
            for row in texts]
    if not body:
        body = [[Paragraph("Inga uppgifter i urvalet.", cell)] + [""] * (len(table.columns) - 1)]
    grid = RLTable([header] + body, colWidths=_widths(table, texts, numeric, width, size),
                   repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("LEADING", (0, 1), (-1, -1), size * CELL_LEADING),
    ]
    style += [("ALIGN", (j, 1), (j, -1), "RIGHT") for j, n in enumerate(numeric) if n]
    style += [("BACKGROUND", (0, i), (-1, i), ZEBRA) for i in range(2, len(body) + 1, 2)]
    grid.setStyle(table_style(style))
    return grid


@lru_cache(maxsize=None)
def _sized(name: str, size: float) -> ParagraphStyle:
    style = STYLES[name]
    if size == style.fontSize:
        return style
    return ParagraphStyle(f"{name}_{size:.2f}", parent=style, fontSize=size,
                          leading=size * CELL_LEADING)


def _measures(table: Table, texts, size: float) -> tuple[list[float], list[float]]:
    """Per column, the width its widest text needs and the least it can have: its longest word
    (header words in bold) at `size`, with the padding."""
    need, least = [], []
    for j, column in enumerate(table.columns):
        words = [w for r in texts for w in r[j].split()] or [""]
        longest_word = max(stringWidth(w, REGULAR, size) for w in words)
        header_word = max((stringWidth(w, BOLD, size) for w in column.label.split()), default=0)
        widest = max([stringWidth(r[j], REGULAR, size) for r in texts] + [header_word])
        need.append(widest + CELL_PAD)
        least.append(max(longest_word, header_word) + CELL_PAD)
    return need, least


def _text_columns(numeric) -> list[int]:
    return [j for j, n in enumerate(numeric) if not n] or list(range(len(numeric)))


def _cell_size(table: Table, texts, numeric, width: float) -> float:
    """CELL_SIZE, or the size at which every number and every word fits the width (down to
    MIN_CELL_SIZE): where they do not, reportlab breaks words mid-word ("Kontakte r")."""
    need, least = _measures(table, texts, CELL_SIZE)
    text_cols = _text_columns(numeric)
    floor = sum(least[j] if j in text_cols else need[j] for j in range(len(need)))
    if floor <= width:
        return CELL_SIZE
    pads = CELL_PAD * len(need)  # text widths shrink with the size, the padding does not
    return max(MIN_CELL_SIZE, CELL_SIZE * (width - pads) / (floor - pads))


def _widths(table: Table, texts, numeric, width: float, size: float = CELL_SIZE) -> list[float]:
    """Numbers get what their widest text needs; text columns at least their longest word, then
    a share of the rest in proportion to their full text."""
    need, least = _measures(table, texts, size)
    text_cols = _text_columns(numeric)
    free = width - sum(w for j, w in enumerate(need) if j not in text_cols)
    full = sum(need[j] for j in text_cols)
    base = sum(least[j] for j in text_cols)
    out = list(need)
    for j in text_cols:
        if free >= full:  # room for everything: stretch to the full width
            out[j] = need[j] * free / full
        elif free > base:  # every word fits; long texts wrap
            out[j] = least[j] + (free - base) * (need[j] - least[j]) / (full - base)
        else:
            out[j] = least[j]
    total = sum(out)
    return [w * width / total for w in out]


def footer_canvas(lines: list[str], *, outline: bool = False):
    """A canvas class that draws `lines` and "Sida X av Y" at the foot of every page; with
    `outline`, the reader opens with the bookmarks shown and the document's title (not its file
    name) in the title bar."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self.setViewerPreference("DisplayDocTitle", "true")
            if outline:
                self.showOutline()

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            top = MARGIN_BOTTOM - 7 * mm
            self.line(MARGIN_X, top, PAGE_W - MARGIN_X, top)
            self.setFont(REGULAR, FOOTER_SIZE)
            self.setFillColor(colors.HexColor("#333333"))
            page = f"Sida {number} av {total}"
            self.drawRightString(PAGE_W - MARGIN_X, top - 9, page)
            room = BODY_W - stringWidth(page, REGULAR, FOOTER_SIZE) - 12
            for i, line in enumerate(lines):
                self.drawString(MARGIN_X, top - 9 - i * 8.5, fit_text(line, FOOTER_SIZE, room))
            self.restoreState()

    return FooterCanvas


def footer_lines(texts: list[str], width: float = BODY_W - 60) -> list[str]:
    """Wrap ' · '-joined footer parts onto as few lines as fit."""
    lines: list[str] = []
    current = ""
    for part in texts:
        candidate = f"{current} · {part}" if current else part
        if current and stringWidth(candidate, REGULAR, FOOTER_SIZE) > width:
            lines.append(current)
            current = part
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, size: float, width: float, font: str = REGULAR) -> str:
    """Cut text with an ellipsis so it fits `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
