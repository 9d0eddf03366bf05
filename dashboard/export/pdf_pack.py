"""The förvaltning pack as an A4 PDF in Swedish (reportlab).

Cover with the context, a one-page summary (what moved most, top service gaps, cost of avoidable
demand), one chapter per plan area with charts and tables, the definitions, and last "Om data"
(the XLSX's Data sheet: data quality per source system, the source systems, the latest ingests).
Every footer carries the filter values and the page number.
"""

from __future__ import annotations

import io
from dataclasses import replace

from reportlab.lib import colors
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageBreak,
                                PageTemplate, Spacer, Table as RLTable)

from dashboard import formatting as f
from dashboard.privacy.cells import Hidden
from dashboard.export.fonts import REGULAR, register_fonts
from dashboard.export.model import Pack, Section, Table
from dashboard.export.pdf_charts import draw_chart
from dashboard.export.pdf_layout import (BODY_W, BRAND, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X,
                                         PAGE_H, PAGE_W, RULE, STYLES, footer_canvas,
                                         footer_lines, para, pdf_table, table_style)
from dashboard.export.tabular import context_rows, suppression_note


class _Document(BaseDocTemplate):
    """The pack's document: every chapter and table heading becomes a bookmark (the PDF's
    outline), so a screen-reader or keyboard user can jump between them. ReportLab (the open
    source edition) cannot write a tagged PDF (no structure tree or marked content); what it can
    do for accessibility is done: document language sv-SE, title shown in the window's title bar,
    the outline, real text everywhere (charts are vector drawings with their labels as text),
    and reading order equal to the story's order."""

    LEVELS = {"h1": 0, "h2": 1}

    def afterFlowable(self, flowable) -> None:
        level = self.LEVELS.get(getattr(getattr(flowable, "style", None), "name", None))
        if level is None:
            return
        text = flowable.getPlainText()
        key = f"h{self.seq.nextf('heading')}"
        self.canv.bookmarkPage(key)
        # a h2 before any h1 (the cover) would have no parent: it goes to the top level
        level = min(level, self._outline_depth)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self._outline_depth = level + 1

    def handle_documentBegin(self):
        self._outline_depth = 0
        super().handle_documentBegin()


def render_pdf(pack: Pack) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    c = pack.context
    doc = _Document(
        buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=c.title,
        subject=f"{c.scope}, {f.format_period(*c.period)}", author="Malmö stad",
        creator="kontaktcenter-analys", lang="sv-SE", invariant=1,
        # reportlab opens every page in its base font (Helvetica, named in the file, not
        # embedded) unless the document starts in one of its own
        initialFontName=REGULAR,
    )
    # no padding: tables and charts are BODY_W wide, and a frame's default 6 pt each side put
    # their right edge 6 pt into the margin, past the footer's rule
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = _cover(pack) + _summary(pack)
    for section in pack.sections:
        story += _section(section)
    story += _definitions(pack)
    story += _data(pack)
    doc.build(story, canvasmaker=footer_canvas(footer_lines(_footer_parts(pack)),
                                               outline=True))
    return buf.getvalue()


def _footer_parts(pack: Pack) -> list[str]:
    c = pack.context
    parts = [c.title, c.scope, f"Period {f.format_period(*c.period)}"]
    parts.append(f"Jämförelse {f.format_period(*c.comparison)}" if c.comparison
                 else "Ingen jämförelse")
    parts += [f"{label}: {value}" for label, value in c.filters]
    parts.append(f"Dataversion {c.data_version}")
    return parts


def _cover(pack: Pack) -> list:
    c = pack.context
    rows = [[para(label, "small"), para(value, "body")] for label, value in context_rows(c)]
    facts = RLTable(rows, colWidths=[120, BODY_W - 120], hAlign="LEFT")
    facts.setStyle(table_style([("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    out = [Spacer(1, 50), para("Malmö stad · Kontaktcenter", "cover_sub"),
           para(c.title, "cover_title"), para(c.scope, "cover_sub"), facts, Spacer(1, 16),
           para("Om talen", "h2"), para(suppression_note(c.threshold), "small")]
    out += [para(note, "small") for note in pack.notes]
    return out + [PageBreak()]


def _summary(pack: Pack) -> list:
    s = pack.summary
    out = [para("Sammanfattning", "h1"), para(_context_sentence(pack), "body")]
    out.append(_key_figures([
        (_big(s.avoidable_cost_sek, f.format_sek_compact), "kostnad för onödig efterfrågan"),
        (_big(s.avoidable_fte, f.format_fte), "motsvarande heltidstjänster"),
        (_big(s.avoidable_hours, lambda v: f.format_number(v) + "\u00a0h"),
         "handlagd tid för onödig efterfrågan"),
    ]))
    movers = s.movers_table(change_as_text=True)
    out += [para("Tal som förändrats mest", "h2")]
    out += [pdf_table(movers), para(movers.note, "note")] if movers.rows \
        else [para(movers.note, "body")]
    out += [para("Största serviceglappen", "h2"), pdf_table(s.top_gaps)]
    if s.top_gaps.note:
        out.append(para(s.top_gaps.note, "note"))
    return out


def _big(value, formatter) -> str:
    return value.text if isinstance(value, Hidden) else formatter(value)


def _key_figures(items: list[tuple[str, str]]) -> RLTable:
    cells = [[para(value, "key_value") for value, _ in items],
             [para(label, "key_label") for _, label in items]]
    grid = RLTable(cells, colWidths=[BODY_W / len(items)] * len(items), hAlign="LEFT")
    grid.setStyle(table_style([
        ("BOX", (0, 0), (-1, -1), 0.6, BRAND),
        ("LINEAFTER", (0, 0), (-2, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F5F9")),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return grid


SECTION_ROOM = 0.4  # share of a page a section needs left to open on it, else a new page


def _section(section: Section) -> list:
    """Heading, the key-figure table, the charts, then the detail tables. A section opens on
    the current page when enough of it is left, so no page carries a single stray table."""
    out = [CondPageBreak(SECTION_ROOM * (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)),
           para(section.title, "h1"), para(section.intro, "body")]
    first, rest = section.tables[:1], section.tables[1:]
    for table in first:
        out += _table_block(table)
    for chart in section.charts:
        drawing = draw_chart(chart, BODY_W)
        out += [CondPageBreak(drawing.height + 12), drawing, Spacer(1, 8)]
    for table in rest:
        out += _table_block(table)
    return out


def _table_block(table) -> list:
    """Heading with the first rows kept together; a long table splits, its header repeated."""
    if not table.rows:
        return [KeepTogether([para(table.title, "h2"),
                              para(table.note or "Inga uppgifter i urvalet.", "body")])]
    grid = pdf_table(table)
    note = [para(table.full_note, "note")] if table.full_note else []
    if len(table.rows) <= 12:
        return [KeepTogether([para(table.title, "h2"), grid, *note, Spacer(1, 6)])]
    return [CondPageBreak(120), para(table.title, "h2"), grid, *note, Spacer(1, 6)]


def _definitions(pack: Pack) -> list:
    out = [CondPageBreak(SECTION_ROOM * (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)),
           para("Definitioner", "h1"),
           para("Varje mått i paketet med definition, enhet och källa, ur måttregistret.", "body")]
    for d in pack.definitions:
        better = {True: "högre är bättre", False: "lägre är bättre", None: "varken bättre "
                  "eller sämre"}[d.higher_is_better]
        meta = f"Id {d.metric_id} · enhet {d.unit} · {better} · källa: {d.source}"
        if d.min_count:
            meta += f" · visas från {d.min_count} kontakter"
        out.append(KeepTogether([para(d.label, "h2"), para(d.definition, "body"),
                                 para(meta, "small")]))
    return out


DATA_TITLE = "Om data"  # the XLSX's Data sheet says the same
DATA_INTRO = ("Hur komplett underlaget bakom talen är: andelen kontakter som saknar uppgifter, per "
              "källsystem i urvalet, sedan källsystemen och de senaste inläsningarna.")
PDF_INGESTS = 10  # ingests listed in the PDF; the XLSX's Data sheet keeps its whole list


def _data(pack: Pack) -> list:
    """The XLSX's Data sheet as a chapter: the same tables and cells, data quality first (what a
    reader of the figures needs), and only the latest ingests."""
    d = pack.data
    out = [CondPageBreak(SECTION_ROOM * (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)),
           para(DATA_TITLE, "h1"), para(DATA_INTRO, "body")]
    for table in (d.quality, d.sources, latest_ingests(d.ingests)):
        out += _table_block(table)
    return out


def latest_ingests(ingests: Table, count: int = PDF_INGESTS) -> Table:
    """The first `count` rows of the ingest log (newest first), saying where the rest are."""
    if len(ingests.rows) <= count:
        return ingests
    rest = (f"De {count} senaste av de {len(ingests.rows)} inläsningar som bladet Data i "
            "Excel-filen listar.")
    return replace(ingests, title=f"Inläsningar (senaste {count})", rows=ingests.rows[:count],
                   note=f"{ingests.note} {rest}" if ingests.note else rest)


def _context_sentence(pack: Pack) -> str:
    c = pack.context
    text = f"{c.scope}, {f.format_period(*c.period)}"
    if c.comparison:
        text += f", jämfört med {f.format_period(*c.comparison)}"
    return text + "."
