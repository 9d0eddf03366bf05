"""The förvaltning pack as an Excel workbook (xlsxwriter).

Sheets: Framsida (context), Sammanfattning, one per plan area (Excel tables with number formats
and native charts linked to the table cells, so a reader can restyle or extend them), Definitioner
(every metric used, from the registry), Data (sources, ingests, data quality) and, when a chart's
table has hidden cells, Diagramunderlag (the numbers such a chart draws, labelled; xlsx_charts).
"""

from __future__ import annotations

from dashboard import formatting as f
from dashboard.export import xlsx_common as xc
from dashboard.export.cells import xlsx_text
from dashboard.export.model import Column, Pack, Section, Table
from dashboard.export.xlsx_charts import CHART_DATA, ChartData, native_chart, needs_chart_data
from dashboard.export.tabular import context_rows, suppression_note

CHART_ROWS = 18  # rows a chart of CHART_SIZE covers, plus a gap
TABLE_GAP = 2
EMPTY = "Inga uppgifter i urvalet."
FRONT, SUMMARY, DEFINITIONS, DATA = "Framsida", "Sammanfattning", "Definitioner", "Data"


def render_xlsx(pack: Pack) -> bytes:
    wb, buf = xc.new_workbook()
    styles = xc.Styles(wb)
    wb.set_properties({"title": pack.context.title, "subject": pack.context.scope,
                       "company": "Malmö stad", "comments": "Skapad av kontaktcenter-analys"})
    _front_sheet(wb, styles, pack)
    _summary_sheet(wb, styles, pack)
    chart_data = ChartData()
    for section in pack.sections:
        _section_sheet(wb, styles, pack, section, chart_data)
    _definitions_sheet(wb, styles, pack)
    _data_sheet(wb, styles, pack)
    if chart_data.blocks:
        chart_data.write(_sheet(wb, CHART_DATA, pack), styles)
    wb.close()
    return buf.getvalue()


def _sheet(wb, name: str, pack: Pack):
    """A sheet that prints finished: A4 landscape, one page wide, context and page numbers in
    the footer (Excel header/footer codes; "&&" is a literal ampersand)."""
    ws = wb.add_worksheet(name)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    footer = _context_line(pack).replace("&", "&&")
    ws.set_footer(f"&L&8{footer}&R&8Sida &P av &N")
    return ws


def _front_sheet(wb, styles, pack: Pack) -> None:
    ws = _sheet(wb, FRONT, pack)
    ws.hide_gridlines(2)
    ws.write_string(0, 0, pack.context.title, styles.title)
    row = 2
    for label, value in context_rows(pack.context):
        ws.write_string(row, 0, xlsx_text(label), styles.label)
        ws.write_string(row, 1, xlsx_text(value), styles.text)
        row += 1
    row += 1
    ws.write_string(row, 0, "Innehåll", styles.heading)
    sheets = [(SUMMARY, "De tal som förändrats mest, största serviceglappen, "
                        "kostnaden för onödig efterfrågan")]
    sheets += [(s.sheet_name, s.title) for s in pack.sections]
    sheets += [(DEFINITIONS, "Definition av varje mått i paketet"),
               (DATA, "Källor, inläsningar och datakvalitet")]
    if needs_chart_data(c for s in pack.sections for c in s.charts):
        sheets.append((CHART_DATA, "Talen diagrammen ritar där tabellen har dolda värden"))
    for name, what in sheets:
        row += 1
        ws.write_url(row, 0, f"internal:'{name}'!A1", string=name)
        ws.write_string(row, 1, what, styles.text)
    row += 2
    ws.write_string(row, 0, "Om talen", styles.heading)
    for note in (suppression_note(pack.context.threshold), *pack.notes):
        row += 1
        ws.merge_range(row, 0, row, 1, note, styles.wrap)
        ws.set_row(row, 15 * (1 + len(note) // 110))
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 90)


def _summary_sheet(wb, styles, pack: Pack) -> None:
    s = pack.summary
    ws = _sheet(wb, SUMMARY, pack)
    ws.write_string(0, 0, "Sammanfattning", styles.title)
    ws.write_string(1, 0, _context_line(pack), styles.note)
    widths: dict[int, float] = {}
    movers = s.movers_table()
    row = _table(ws, SUMMARY, movers, 3, styles, widths).last_row + TABLE_GAP + 1
    cost = s.cost_table()
    row = _table(ws, SUMMARY, cost, row, styles, widths).last_row + TABLE_GAP + 1
    _table(ws, SUMMARY, s.top_gaps, row, styles, widths)
    xc.apply_widths(ws, widths)
    ws.freeze_panes(2, 0)


def _section_sheet(wb, styles, pack: Pack, section: Section, chart_data: ChartData) -> None:
    ws = _sheet(wb, section.sheet_name, pack)
    ws.write_string(0, 0, section.title, styles.title)
    ws.write_string(1, 0, _context_line(pack), styles.note)
    ws.write_string(2, 0, section.intro, styles.text)
    ws.freeze_panes(3, 0)  # title, context and intro stay visible while scrolling
    widths: dict[int, float] = {}
    placed: dict[int, xc.Placed] = {}
    row = 4
    for table in section.tables:
        where = _table(ws, section.sheet_name, table, row, styles, widths)
        placed[id(table)] = where
        row = where.last_row + TABLE_GAP + (2 if table.full_note else 1)
    chart_col = max((len(t.columns) for t in section.tables), default=1) + 1
    chart_row = 4
    for chart in section.charts:
        where = placed.get(id(chart.table))
        if where is None:
            raise ValueError(f"Diagrammet {chart.title!r} bygger på en tabell som inte finns "
                             f"på bladet {section.sheet_name!r}.")
        ws.insert_chart(chart_row, chart_col, native_chart(wb, chart, where, chart_data),
                        {"x_offset": 10, "y_offset": 4})
        chart_row += CHART_ROWS
    xc.apply_widths(ws, widths)


def _table(ws, sheet: str, table: Table, row: int, styles, widths) -> xc.Placed:
    """A table as an Excel table object: banded rows, header filter buttons, sortable."""
    ws.write_string(row, 0, table.title, styles.heading)
    where = xc.write_table(ws, sheet, table, row + 1, 0, styles, widths, title=False)
    if table.columns:
        ws.add_table(where.header_row, 0, max(where.last_row, where.header_row + 1),
                     len(table.columns) - 1, {
                         "style": "Table Style Light 9",
                         "autofilter": bool(table.rows),
                         "columns": [{"header": _unique(c.label, i, table.columns),
                                      "header_format": styles.header_num if c.unit
                                      else styles.header}
                                     for i, c in enumerate(table.columns)],
                     })
        if not table.rows:
            ws.write_string(where.header_row + 1, 0, xlsx_text(table.note or EMPTY), styles.note)
    return xc.Placed(sheet, where.header_row, 0, max(where.last_row, where.header_row + 1))


def _unique(label: str, i: int, columns) -> str:
    """Excel tables need unique header names; repeated labels get a number."""
    earlier = [c.label for c in columns[:i]]
    return label if label not in earlier else f"{label} ({earlier.count(label) + 1})"


def _definitions_sheet(wb, styles, pack: Pack) -> None:
    ws = _sheet(wb, DEFINITIONS, pack)
    ws.write_string(0, 0, "Definitioner", styles.title)
    table = Table(
        "Mått som används i paketet",
        (Column("label", "Mått"), Column("id", "Id"),
         Column("definition", "Definition", wrap=True), Column("unit", "Enhet"),
         Column("better", "Högre är bättre"), Column("source", "Källa", wrap=True),
         Column("min", "Visas från antal", "number")),
        tuple((d.label, d.metric_id, d.definition, d.unit,
               None if d.higher_is_better is None else d.higher_is_better, d.source,
               d.min_count) for d in pack.definitions),
    )
    widths: dict[int, float] = {}
    where = _table(ws, DEFINITIONS, table, 2, styles, widths)
    widths[0] = min(widths[0], 36)
    xc.apply_widths(ws, widths)
    ws.freeze_panes(where.header_row + 1, 1)


def _data_sheet(wb, styles, pack: Pack) -> None:
    ws = _sheet(wb, DATA, pack)
    ws.write_string(0, 0, "Om data", styles.title)
    widths: dict[int, float] = {}
    row = 2
    for table in (pack.data.sources, pack.data.ingests, pack.data.quality):
        row = _table(ws, DATA, table, row, styles, widths).last_row + TABLE_GAP + 1
    xc.apply_widths(ws, widths)


def _context_line(pack: Pack) -> str:
    c = pack.context
    text = f"{c.scope} · {f.format_period(*c.period)}"
    if c.comparison:
        text += f" · jämfört med {f.format_period(*c.comparison)}"
    return text
