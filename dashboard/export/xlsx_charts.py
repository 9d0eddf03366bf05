"""Native Excel charts for the pack, linked to the table cells on the same sheet.

A hidden cell is text ("<5") in the table, and Excel plots text as zero. A series whose column has
hidden cells therefore reads a hidden helper column instead, with the shown numbers and a blank
(a gap in the chart) where the table says "<5". Nothing hidden is ever written as a number.
"""

from __future__ import annotations

from datetime import date

from dashboard.export import xlsx_common as xc
from dashboard.export.cells import Figure, is_number
from dashboard.privacy.cells import Hidden
from dashboard.export.model import Chart

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
CHART_SIZE = {"width": 680, "height": 340}
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


class HelperColumns:
    """Hands out hidden columns to the right of everything on a sheet."""

    def __init__(self, first_col: int):
        self.next_col = first_col

    def values_range(self, ws, chart: Chart, where: xc.Placed, j: int) -> list:
        column = [row[j] for row in chart.table.rows]
        if not any(isinstance(v, Hidden) for v in column):
            return where.column_range(j)
        col = self.next_col
        self.next_col += 1
        for i, v in enumerate(column, start=1):
            v = v.value if isinstance(v, Figure) else v
            if is_number(v):
                ws.write_number(where.header_row + i, col, float(v))
        ws.set_column(col, col, None, None, {"hidden": True})
        return [where.sheet, where.header_row + 1, col, where.last_row, col]


def native_chart(wb, ws, chart: Chart, where: xc.Placed, helpers: HelperColumns):
    kind = {"bar": "bar", "column": "column", "line": "line"}[chart.kind]
    native = wb.add_chart({"type": kind})
    cat = chart.table.column_index(chart.category)
    for n, key in enumerate(chart.values):
        j = chart.table.column_index(key)
        native.add_series(_series(chart, key, n, kind, where, cat,
                                  helpers.values_range(ws, chart, where, j), j))
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
    native.set_title({"name": chart.title, "name_font": {"size": 12, "bold": True}})
    native.set_legend({"position": "bottom"} if len(chart.values) > 1 else {"none": True})
    native.show_blanks_as("gap")
    native.show_hidden_data()  # the helper columns are hidden
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
