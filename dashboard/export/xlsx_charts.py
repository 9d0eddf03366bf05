"""Native Excel charts for the pack, linked to the table cells on the same sheet.

A hidden cell is text ("<5") in the table, and Excel plots text as zero. A series whose column has
hidden cells therefore reads its numbers from the sheet Diagramunderlag instead: a labelled block
per such series (its chart, the category column and the series under their Swedish headers) with
the shown numbers and a blank (a gap in the chart) where the table says "<5". Nothing hidden is
ever written as a number, and no column is written without a header (the blocks were unlabelled
hidden columns to the right of the charts).
"""

from __future__ import annotations

from datetime import date

from dashboard.export import xlsx_common as xc
from dashboard.export.cells import Figure, all_hidden_words, every_value_hidden, unmarked
from dashboard.privacy.cells import Hidden
from dashboard.export.model import Chart, Column, Table

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
CHART_SIZE = {"width": 680, "height": 340}
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}
CHART_DATA = "Diagramunderlag"
CHART_DATA_NOTE = ("Talen som diagrammen ritar där tabellen har dolda värden: samma tal som i "
                   "tabellen, tomt där tabellen visar ”<5” eller ”Dolt”, så att diagrammet visar en "
                   "lucka i stället för noll. Inga dolda värden står här.")
FIRST_BLOCK_ROW = 3


def _hidden_in(chart: Chart, j: int) -> bool:
    return any(isinstance(row[j], Hidden) for row in chart.table.rows)


def needs_chart_data(charts) -> bool:
    """Whether any series of `charts` reads the sheet Diagramunderlag."""
    return any(_hidden_in(c, c.table.column_index(k)) for c in charts for k in c.values)


class ChartData:
    """Collects the series that read Diagramunderlag while the charts are built; `write` puts
    them on that sheet, each block under a heading naming its sheet and chart."""

    def __init__(self):
        self.blocks: list[tuple[int, Table]] = []
        self.next_row = FIRST_BLOCK_ROW

    def values_range(self, chart: Chart, where: xc.Placed, j: int) -> list:
        if not _hidden_in(chart, j):
            return where.column_range(j)
        cat = chart.table.column_index(chart.category)
        series = chart.table.columns[j]
        rows = tuple((row[cat], None if isinstance(row[j], Hidden)
                      else row[j].value if isinstance(row[j], Figure) else unmarked(row[j]))
                     for row in chart.table.rows)
        table = Table(f"{where.sheet}: {chart.title}",
                      (chart.table.columns[cat], Column(series.key, series.label, series.unit)), rows)
        self.blocks.append((self.next_row, table))
        header = self.next_row + 1  # the block's heading, then its header row
        self.next_row = header + len(rows) + 2
        return [CHART_DATA, header + 1, 1, header + len(rows), 1]

    def write(self, ws, styles: xc.Styles) -> None:
        ws.write_string(0, 0, CHART_DATA, styles.title)
        ws.write_string(1, 0, CHART_DATA_NOTE, styles.note)
        widths: dict[int, float] = {}
        for row, table in self.blocks:
            xc.write_table(ws, CHART_DATA, table, row, 0, styles, widths, title=True)
        xc.apply_widths(ws, widths)


def native_chart(wb, chart: Chart, where: xc.Placed, data: ChartData):
    kind = {"bar": "bar", "column": "column", "line": "line"}[chart.kind]
    native = wb.add_chart({"type": kind})
    cat = chart.table.column_index(chart.category)
    for n, key in enumerate(chart.values):
        j = chart.table.column_index(key)
        native.add_series(_series(chart, key, n, kind, where, cat,
                                  data.values_range(chart, where, j), j))
    unit = chart.unit
    value_axis = {"num_format": xc.NUMBER_FORMATS.get(unit or "", "#,##0"),
                  "major_gridlines": GRIDLINES, "min": 0, "name": chart.value_title}
    dates = any(isinstance(row[cat], date) for row in chart.table.rows)
    category_axis = {"text_axis": True, "num_format": xc.DATE_FORMAT} if dates else {}
    category_axis["name"] = chart.category_title
    if kind == "bar":
        # Excel's bar chart: y is the category axis. Reversed, the largest comes first, top down.
        native.set_x_axis(value_axis)
        native.set_y_axis({**category_axis, "reverse": True, "crossing": "max"})
    else:
        native.set_y_axis(value_axis)
        native.set_x_axis({**category_axis, "num_font": {"rotation": -45}} if dates
                          else category_axis)
    title = chart.title
    if every_value_hidden(row[chart.table.column_index(k)] for k in chart.values for row in chart.table.rows):
        # an empty chart beside its table of "Dolt": the PDF's sentence, in the title
        title += "\n" + "\n".join(all_hidden_words(kind))
    native.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    native.set_legend({"position": "bottom"} if len(chart.values) > 1 else {"none": True})
    native.show_blanks_as("gap")
    native.set_size(CHART_SIZE)
    return native


def _series(chart: Chart, key: str, n: int, kind: str, where: xc.Placed, cat: int,
            values: list, j: int) -> dict:
    colour = PALETTE[n % len(PALETTE)]
    dashed = key in chart.dashed
    series = {
        "name": [where.sheet, where.header_row, where.first_col + j],
        "categories": where.column_range(cat),
        "values": values,
    }
    if kind == "line":
        series["line"] = {"color": colour, "width": 2.25,
                          "dash_type": "dash" if dashed else "solid"}
        series["marker"] = {"type": "none"}
    elif dashed:  # the comparison period: hatched, so it reads without colour
        series["pattern"] = {"pattern": "wide_upward_diagonal", "fg_color": colour,
                             "bg_color": "#FFFFFF"}
        series["border"] = {"color": colour}
    else:
        series["fill"] = {"color": colour}
    if kind != "line":
        series["gap"] = 60
    return series
